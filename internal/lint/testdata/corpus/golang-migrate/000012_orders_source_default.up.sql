-- A constant default is stored once in the catalog (PostgreSQL 11+): no rewrite.
ALTER TABLE orders ADD COLUMN source text NOT NULL DEFAULT 'web';
