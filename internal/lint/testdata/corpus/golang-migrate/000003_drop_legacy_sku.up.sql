-- danger: dropping a column the running code may still select breaks it at once
-- expect: warning ban-drop-column
ALTER TABLE products DROP COLUMN legacy_sku;
