-- Push to every device of a user; also the cascade from users.
CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id);
