INSERT INTO accounts (code, name, kind) VALUES
    ('1000', 'cash', 'asset'),
    ('1100', 'bank: operating', 'asset'),
    ('1200', 'accounts receivable', 'asset'),
    ('2000', 'accounts payable', 'liability'),
    ('3000', 'owner equity', 'equity'),
    ('4000', 'sales', 'income'),
    ('6000', 'rent', 'expense'),
    ('6100', 'software', 'expense');
INSERT INTO canary (migration, step) VALUES ('20230605090000', 'chart of accounts');
