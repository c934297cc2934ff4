-- migrate:up transaction:false
REINDEX INDEX CONCURRENTLY orders_customer_id_idx;

-- migrate:down
SELECT 1;
