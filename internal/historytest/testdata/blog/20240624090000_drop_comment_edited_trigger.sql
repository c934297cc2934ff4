-- migrate:up
-- The comment editor writes edited_at itself.
DROP TRIGGER comments_mark_edited ON comments;
DROP FUNCTION mark_comment_edited();

-- migrate:down
CREATE FUNCTION mark_comment_edited() RETURNS trigger
    LANGUAGE plpgsql
    AS $fn$
BEGIN
    IF NEW.body IS DISTINCT FROM OLD.body THEN
        NEW.edited_at := now();
    END IF;
    RETURN NEW;
END
$fn$;

CREATE TRIGGER comments_mark_edited
    BEFORE UPDATE OF body ON comments
    FOR EACH ROW EXECUTE FUNCTION mark_comment_edited();
