-- The order service sets updated_at itself; the trigger doubled the write of bulk updates.
DROP TRIGGER orders_touch_updated_at ON orders;
DROP FUNCTION touch_updated_at();
