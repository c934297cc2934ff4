-- migrate:up
-- danger: dbmate wraps the file in a transaction unless transaction:false: the CIC fails
-- expect: error ban-concurrent-index-creation-in-transaction
CREATE INDEX CONCURRENTLY reviews_product_id_idx ON reviews (product_id);

-- migrate:down
DROP INDEX reviews_product_id_idx;
