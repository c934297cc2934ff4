DROP VIEW post_stats;
