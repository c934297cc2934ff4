-- Leads get an owner among the business's users.
ALTER TABLE leads
    ADD COLUMN owner_user_id bigint;

ALTER TABLE leads
    ADD CONSTRAINT leads_owner_user_fk FOREIGN KEY (owner_user_id) REFERENCES users (id) ON DELETE SET NULL;
