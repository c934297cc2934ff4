CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT NOW()
);

-- The post's author hears of every comment but their own.
CREATE FUNCTION notify_post_author() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    author INTEGER;
BEGIN
    SELECT user_id INTO author FROM posts WHERE id = NEW.post_id;
    IF author IS DISTINCT FROM NEW.user_id THEN
        INSERT INTO notifications (user_id, comment_id) VALUES (author, NEW.id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER comments_notify AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION notify_post_author();
