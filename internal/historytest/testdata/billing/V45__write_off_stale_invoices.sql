-- Year-end clean-up: drafts nobody sent are void, and open invoices of subscriptions paused for
-- more than 90 days past due are written off with a ledger adjustment.
DO $$
DECLARE
    r record;
    voided bigint;
    written_off integer := 0;
BEGIN
    UPDATE invoices SET status = 'void' WHERE status = 'draft' AND created_at < now() - interval '60 days';
    GET DIAGNOSTICS voided = ROW_COUNT;

    FOR r IN
        SELECT i.id, i.customer_id, i.amount_due - i.amount_paid AS owed
        FROM invoices i
        JOIN subscriptions s ON s.id = i.subscription_id
        WHERE i.status = 'open'
          AND s.status = 'paused'
          AND i.due_at < now() - interval '90 days'
        ORDER BY i.id
    LOOP
        UPDATE invoices SET status = 'uncollectible' WHERE id = r.id;
        INSERT INTO ledger_entries (customer_id, invoice_id, kind, amount)
        VALUES (r.customer_id, r.id, 'adjustment', -r.owed);
        written_off := written_off + 1;
    END LOOP;

    RAISE NOTICE 'voided % drafts, wrote off % invoices', voided, written_off;
    INSERT INTO canary (migration, step) VALUES ('45', 'void drafts and write off invoices');
END
$$;
