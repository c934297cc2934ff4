-- danger: a NOT NULL column without a default fails on any table that has rows
-- expect: error adding-required-field
ALTER TABLE shipments ADD COLUMN carrier text NOT NULL;
