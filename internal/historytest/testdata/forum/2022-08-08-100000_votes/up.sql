CREATE TABLE votes (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    value SMALLINT NOT NULL CHECK (value IN (-1, 1)),
    PRIMARY KEY (user_id, post_id)
);

ALTER TABLE posts ADD COLUMN score INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION update_post_score() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE posts SET score = score - OLD.value WHERE id = OLD.post_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE posts SET score = score + NEW.value WHERE id = NEW.post_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER votes_score AFTER INSERT OR UPDATE OR DELETE ON votes
    FOR EACH ROW EXECUTE FUNCTION update_post_score();
