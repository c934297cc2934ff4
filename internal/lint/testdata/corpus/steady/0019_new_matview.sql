CREATE MATERIALIZED VIEW daily_signups AS
    SELECT date_trunc('day', created_at) AS day, count(*) AS signups FROM users GROUP BY 1;
CREATE UNIQUE INDEX daily_signups_day_key ON daily_signups (day);
REFRESH MATERIALIZED VIEW daily_signups;
