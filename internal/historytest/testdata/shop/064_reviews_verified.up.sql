ALTER TABLE reviews ADD COLUMN verified boolean NOT NULL DEFAULT false;

-- Every imported review came from a paid order.
UPDATE reviews SET verified = true;
INSERT INTO canary (migration, step) VALUES ('64', 'verify imported reviews');

CREATE INDEX reviews_verified_product_idx ON reviews (product_id) WHERE verified;
