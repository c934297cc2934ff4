-- migrate:up
-- danger: SET NOT NULL scans every account under ACCESS EXCLUSIVE
-- expect: warning adding-not-nullable-field
ALTER TABLE accounts ALTER COLUMN plan SET NOT NULL;

-- migrate:down
ALTER TABLE accounts ALTER COLUMN plan DROP NOT NULL;
