-- Customers who buy through a cloud marketplace are invoiced by the marketplace: no e-mail of ours.
ALTER TABLE customers ALTER COLUMN email DROP NOT NULL;
ALTER TABLE customers
    ADD COLUMN marketplace text CONSTRAINT customers_marketplace_check CHECK (marketplace IN ('aws', 'gcp', 'azure'));
ALTER TABLE customers
    ADD CONSTRAINT customers_contact_check CHECK (email IS NOT NULL OR marketplace IS NOT NULL);

-- The first marketplace customer, set up by hand before the integration shipped.
INSERT INTO customers (external_ref, name, email, country, marketplace, created_at)
VALUES ('cus_0107', 'Helix Robotics', NULL, 'US', 'aws', '2023-09-12 18:00:00+00');
INSERT INTO canary (migration, step) VALUES ('33', 'first marketplace customer');
