-- migrate:up
-- danger: CLUSTER rewrites the table under ACCESS EXCLUSIVE
-- expect: warning ban-cluster
CLUSTER sensor_readings USING sensor_readings_device_time_idx;

-- migrate:down
SELECT 1;
