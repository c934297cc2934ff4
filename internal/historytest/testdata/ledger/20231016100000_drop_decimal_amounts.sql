CREATE OR REPLACE FUNCTION apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_balances (account_id, balance)
    VALUES (NEW.account_id, NEW.amount_minor)
    ON CONFLICT (account_id) DO UPDATE
        SET balance = account_balances.balance + EXCLUDED.balance, updated_at = now();
    RETURN NEW;
END;
$$;

ALTER TABLE postings DROP COLUMN amount;
ALTER TABLE postings ALTER COLUMN amount_minor SET NOT NULL;

ALTER TABLE account_balances DROP COLUMN balance;
ALTER TABLE account_balances RENAME COLUMN balance_minor TO balance;
