ALTER TABLE account_balances ADD COLUMN balance_minor bigint NOT NULL DEFAULT 0;

UPDATE account_balances SET balance_minor = (balance * 100)::bigint;
INSERT INTO canary (migration, step) VALUES ('20231002140000', 'balances to minor units');

CREATE OR REPLACE FUNCTION apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_balances (account_id, balance, balance_minor)
    VALUES (NEW.account_id, NEW.amount, NEW.amount_minor)
    ON CONFLICT (account_id) DO UPDATE
        SET balance = account_balances.balance + EXCLUDED.balance,
            balance_minor = account_balances.balance_minor + EXCLUDED.balance_minor,
            updated_at = now();
    RETURN NEW;
END;
$$;
