-- A small, bounded fix wrapped in a block to report how many rows changed.
DO $$
DECLARE n bigint;
BEGIN
    UPDATE accounts SET plan = 'free' WHERE plan IS NULL AND id < 100;
    GET DIAGNOSTICS n = ROW_COUNT;
    RAISE NOTICE 'fixed % accounts', n;
END
$$;
