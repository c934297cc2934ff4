ALTER TABLE inventory ADD CONSTRAINT inventory_quantity_nonnegative CHECK (quantity >= 0) NOT VALID;
