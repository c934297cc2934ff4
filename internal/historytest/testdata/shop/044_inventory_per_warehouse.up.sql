-- Stock is kept per warehouse. The old table stays readable as inventory_legacy until the
-- reports move over (055 drops it); its primary key is renamed to free the name.
ALTER TABLE inventory RENAME TO inventory_legacy;
ALTER TABLE inventory_legacy RENAME CONSTRAINT inventory_pkey TO inventory_legacy_pkey;

CREATE TABLE inventory (
    warehouse_id integer NOT NULL REFERENCES warehouses (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (warehouse_id, product_id)
);

INSERT INTO inventory (warehouse_id, product_id, quantity)
SELECT w.id, l.product_id, l.on_hand - l.reserved
FROM inventory_legacy l
JOIN warehouses w ON w.code = 'TLV';
INSERT INTO canary (migration, step) VALUES ('44', 'move stock to TLV');
