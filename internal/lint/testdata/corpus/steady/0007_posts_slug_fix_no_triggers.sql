-- Skip the audit trigger for this mass fix.
ALTER TABLE posts DISABLE TRIGGER posts_audit;
-- danger: every post rewritten while the trigger's SHARE ROW EXCLUSIVE lock blocks writers, rows skip the audit
-- expect: warning backfill-in-ddl-transaction
UPDATE posts SET slug = lower(slug);
ALTER TABLE posts ENABLE TRIGGER posts_audit;
