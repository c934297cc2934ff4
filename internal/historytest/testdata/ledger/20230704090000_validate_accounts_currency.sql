ALTER TABLE accounts VALIDATE CONSTRAINT accounts_currency_fkey;
