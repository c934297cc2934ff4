-- PostgreSQL cannot drop an enum value: re-create the type without it.
UPDATE orders SET status = 'paid' WHERE status = 'refunded';
INSERT INTO canary (migration, step) VALUES ('21', 'down: refunds back to paid');

ALTER TYPE order_status RENAME TO order_status_old;
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending';
DROP TYPE order_status_old;
