-- +goose Up
ALTER TABLE line_items ADD CONSTRAINT line_items_pkey PRIMARY KEY USING INDEX line_items_id_idx;

-- +goose Down
ALTER TABLE line_items DROP CONSTRAINT line_items_pkey;
