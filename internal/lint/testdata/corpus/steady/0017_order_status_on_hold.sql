-- Added alone: the next migration may use it.
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'on_hold';
