-- Abandoned carts are recomputed from scratch.
-- danger: CASCADE also empties every table that references carts (cart_items, checkout_sessions…)
-- expect: warning ban-truncate-cascade
TRUNCATE carts CASCADE;
