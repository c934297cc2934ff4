-- Which orders 051 cancelled is not recorded: the down restores the state, not the stock.
DO $$
BEGIN
    UPDATE orders SET status = 'pending'
    WHERE status = 'cancelled' AND created_at < now() - interval '30 days';
    INSERT INTO canary (migration, step) VALUES ('51', 'down: reopen stale orders');
END
$$;
