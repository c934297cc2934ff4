-- Orders are listed per customer on the account page.
-- danger: CREATE INDEX without CONCURRENTLY blocks writes to orders for the whole build
-- expect: warning require-concurrent-index-creation
CREATE INDEX orders_customer_id_idx ON orders (customer_id, created_at DESC);
