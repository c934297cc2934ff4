-- migrate:up
ALTER TABLE reviews ADD CONSTRAINT reviews_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;

-- migrate:down
ALTER TABLE reviews DROP CONSTRAINT reviews_user_id_fkey;
