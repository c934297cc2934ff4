DROP INDEX products_title_idx;
DROP FUNCTION product_slug(text);
