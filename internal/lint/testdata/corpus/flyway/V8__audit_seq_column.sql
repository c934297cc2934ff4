-- danger: a bigserial column fills every existing row from the sequence: a full rewrite
-- expect: warning adding-field-with-default
ALTER TABLE audit_events ADD COLUMN seq bigserial;
