-- migrate:up
ALTER TABLE newsletter_subscribers RENAME TO subscribers;
ALTER TABLE subscribers RENAME COLUMN confirmed TO double_opt_in;

-- migrate:down
ALTER TABLE subscribers RENAME COLUMN double_opt_in TO confirmed;
ALTER TABLE subscribers RENAME TO newsletter_subscribers;
