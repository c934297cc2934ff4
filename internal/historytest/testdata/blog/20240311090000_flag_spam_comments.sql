-- migrate:up
DO $$
DECLARE
    flagged integer;
BEGIN
    UPDATE comments SET status = 'spam'
    WHERE body ILIKE '%casino%' OR author_name ~ '^bot[0-9]+$';
    GET DIAGNOSTICS flagged = ROW_COUNT;
    IF flagged = 0 THEN
        RAISE EXCEPTION 'expected the imported spam to be flagged';
    END IF;
    INSERT INTO canary (migration, step) VALUES ('20240311090000', 'flag spam');
END
$$;

-- migrate:down
DO $$
BEGIN
    UPDATE comments SET status = 'approved' WHERE status = 'spam';
    INSERT INTO canary (migration, step) VALUES ('20240311090000', 'down: unflag spam');
END
$$;
