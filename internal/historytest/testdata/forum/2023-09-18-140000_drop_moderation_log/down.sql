CREATE TABLE moderation_actions (
    id SERIAL PRIMARY KEY,
    moderator_id INTEGER NOT NULL REFERENCES users (id),
    comment_id INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    action VARCHAR(20) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT NOW()
);
