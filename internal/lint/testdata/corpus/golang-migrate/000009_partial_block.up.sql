BEGIN;
ALTER TABLE teams ADD COLUMN IF NOT EXISTS slug text;
ALTER TABLE teams ADD COLUMN IF NOT EXISTS avatar_url text;
COMMIT;

-- danger: this statement is outside the file's block: it commits alone, a failure leaves the file half applied
-- expect: warning transaction-nesting
ALTER TABLE members ADD COLUMN IF NOT EXISTS invited_by bigint;
