-- Prices must be positive.
-- danger: the CHECK reads every product under ACCESS EXCLUSIVE
-- expect: warning constraint-missing-not-valid
ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price_cents > 0);
