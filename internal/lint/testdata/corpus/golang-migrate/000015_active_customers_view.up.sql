CREATE OR REPLACE VIEW active_customers AS
    SELECT id, email, created_at FROM customers WHERE deleted_at IS NULL;
