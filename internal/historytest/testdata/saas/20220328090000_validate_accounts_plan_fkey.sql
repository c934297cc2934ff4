-- +goose Up
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_plan_fkey;

-- +goose Down
ALTER TABLE accounts DROP CONSTRAINT accounts_plan_fkey;
ALTER TABLE accounts
    ADD CONSTRAINT accounts_plan_fkey FOREIGN KEY (plan) REFERENCES plans (code) NOT VALID;
