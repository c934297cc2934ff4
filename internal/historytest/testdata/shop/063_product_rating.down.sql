DROP VIEW product_ratings;
ALTER TABLE products DROP COLUMN rating;
