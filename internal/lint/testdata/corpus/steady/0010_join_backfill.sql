-- Denormalise the customer's country onto orders.
-- danger: UPDATE … FROM of every order in one transaction
-- expect: warning unbatched-backfill
UPDATE orders o SET country = c.country FROM customers c WHERE c.id = o.customer_id;
