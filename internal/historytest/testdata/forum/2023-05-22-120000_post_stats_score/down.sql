DROP VIEW post_stats CASCADE;
