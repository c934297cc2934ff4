-- migrate:up
CREATE TABLE newsletter_subscribers (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    author_id bigint REFERENCES authors (id) ON DELETE SET NULL,
    confirmed boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT newsletter_subscribers_email_key UNIQUE (email)
);

-- Every author follows their own newsletter.
INSERT INTO newsletter_subscribers (email, author_id, confirmed)
SELECT handle || '@blog.example.com', id, true FROM authors;
INSERT INTO canary (migration, step) VALUES ('20240513113000', 'authors subscribe');

-- migrate:down
DROP TABLE newsletter_subscribers;
