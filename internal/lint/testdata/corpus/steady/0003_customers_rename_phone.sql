-- danger: the running release still writes customers.phone and fails once this commits
-- expect: warning renaming-column
ALTER TABLE customers RENAME COLUMN phone TO phone_number;
