-- The price list and the customers billed by hand so far, from the finance team's export.
INSERT INTO plans (code, name, amount_cents, currency, interval, trial_days, active) VALUES
    ('starter_monthly', 'Starter', 1900, 'usd', 'month', 0, true),
    ('starter_yearly', 'Starter (yearly)', 19000, 'usd', 'year', 0, true),
    ('growth_monthly', 'Growth', 7900, 'USD', 'month', 0, true),
    ('growth_yearly', 'Growth (yearly)', 79000, 'USD', 'year', 0, true),
    ('legacy_basic', 'Basic (2019)', 900, 'USD', 'month', 0, false),
    ('legacy_pro', 'Pro (2019)', 4900, 'USD', 'month', 0, false);
INSERT INTO canary (migration, step) VALUES ('1.1', 'plans');

INSERT INTO customers (external_ref, name, email, country, tax_id, created_at) VALUES
    ('cus_0001', 'Brightside Dental', 'accounts@brightside.example', 'US', NULL, '2019-06-03 15:00:00+00'),
    ('cus_0002', 'Müller & Söhne GmbH', 'buchhaltung@mueller-soehne.example', 'DE', 'de 123456789', '2020-02-11 09:30:00+00'),
    ('cus_0003', 'Kite & Key Ltd', 'billing@kiteandkey.example', 'GB', 'GB 123 4567 89', '2020-09-28 12:00:00+00'),
    ('cus_0004', 'Orbital Coffee', NULL, 'US', NULL, '2019-08-19 17:45:00+00'),
    ('cus_0005', 'Nordlys AS', 'faktura@nordlys.example', 'NO', 'NO 987654321 MVA', '2022-04-25 08:10:00+00'),
    ('cus_0006', 'Papeterie Lumière', 'compta@lumiere.example', 'FR', 'fr 12 345678901', '2021-01-14 10:20:00+00');
INSERT INTO canary (migration, step) VALUES ('1.1', 'customers');
