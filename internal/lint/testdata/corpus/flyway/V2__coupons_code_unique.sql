-- danger: ADD CONSTRAINT UNIQUE builds its index under ACCESS EXCLUSIVE
-- expect: warning disallowed-unique-constraint
ALTER TABLE coupons ADD CONSTRAINT coupons_code_key UNIQUE (code);
