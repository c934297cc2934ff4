DROP TABLE inventory_legacy;
