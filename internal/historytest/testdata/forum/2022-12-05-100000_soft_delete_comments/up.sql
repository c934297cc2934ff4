ALTER TABLE comments ADD COLUMN deleted_at TIMESTAMP;

-- A soft-deleted comment no longer counts.
CREATE OR REPLACE FUNCTION update_comment_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.deleted_at IS NULL THEN
        UPDATE posts SET comment_count = comment_count + 1 WHERE id = NEW.post_id;
    ELSIF TG_OP = 'DELETE' AND OLD.deleted_at IS NULL THEN
        UPDATE posts SET comment_count = comment_count - 1 WHERE id = OLD.post_id;
    ELSIF TG_OP = 'UPDATE' AND OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
        UPDATE posts SET comment_count = comment_count - 1 WHERE id = NEW.post_id;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER comments_count ON comments;
CREATE TRIGGER comments_count AFTER INSERT OR DELETE OR UPDATE OF deleted_at ON comments
    FOR EACH ROW EXECUTE FUNCTION update_comment_count();
