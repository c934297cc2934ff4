CREATE TABLE journal_entries (
    id bigserial PRIMARY KEY,
    posted_at timestamptz NOT NULL DEFAULT now(),
    memo text
);

CREATE TABLE postings (
    id bigserial PRIMARY KEY,
    entry_id bigint NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts (id),
    amount numeric(20, 4) NOT NULL
);
