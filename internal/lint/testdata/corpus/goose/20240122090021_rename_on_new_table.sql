-- +goose Up
CREATE TABLE tmp_imports (id bigint, payload jsonb);
ALTER TABLE tmp_imports RENAME TO imports;
ALTER TABLE imports RENAME COLUMN payload TO data;
CREATE INDEX imports_id_idx ON imports (id);

-- +goose Down
DROP TABLE imports;
