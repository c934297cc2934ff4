CREATE TABLE periods (
    id serial PRIMARY KEY,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    closed_at timestamptz,
    CHECK (ends_on > starts_on)
);

INSERT INTO periods (starts_on, ends_on, closed_at) VALUES
    ('2023-07-01', '2023-10-01', '2023-10-12 09:00:00+00'),
    ('2023-10-01', '2024-01-01', NULL);
INSERT INTO canary (migration, step) VALUES ('20240108090000', 'periods');
