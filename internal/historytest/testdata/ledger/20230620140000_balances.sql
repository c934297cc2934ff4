CREATE TABLE account_balances (
    account_id uuid PRIMARY KEY REFERENCES accounts (id),
    balance numeric(20, 4) NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every posting moves its account's running balance.
CREATE FUNCTION apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_balances (account_id, balance)
    VALUES (NEW.account_id, NEW.amount)
    ON CONFLICT (account_id) DO UPDATE
        SET balance = account_balances.balance + EXCLUDED.balance, updated_at = now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER postings_apply AFTER INSERT ON postings
    FOR EACH ROW EXECUTE FUNCTION apply_posting();
