-- migrate:up
ALTER TABLE comments ADD COLUMN edited_at timestamptz;

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

-- migrate:down
DROP TRIGGER comments_mark_edited ON comments;
DROP FUNCTION mark_comment_edited();
ALTER TABLE comments DROP COLUMN edited_at;
