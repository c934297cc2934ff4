DROP TABLE inventory;
ALTER TABLE inventory_legacy RENAME CONSTRAINT inventory_legacy_pkey TO inventory_pkey;
ALTER TABLE inventory_legacy RENAME TO inventory;
