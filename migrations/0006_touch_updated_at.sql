-- Keep updated_at honest: one trigger function, a BEFORE UPDATE trigger on every
-- table that has the column. Later tables add their own trigger when created.

CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER business_touch_updated_at
    BEFORE UPDATE ON business
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TRIGGER leads_touch_updated_at
    BEFORE UPDATE ON leads
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TRIGGER threads_touch_updated_at
    BEFORE UPDATE ON threads
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
