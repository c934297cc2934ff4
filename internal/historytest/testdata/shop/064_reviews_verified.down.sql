DROP INDEX reviews_verified_product_idx;
ALTER TABLE reviews DROP COLUMN verified;
