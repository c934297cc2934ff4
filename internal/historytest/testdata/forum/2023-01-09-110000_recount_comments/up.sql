-- Counts drifted while the old trigger ignored soft deletes.
UPDATE posts SET comment_count = (
    SELECT count(*) FROM comments c WHERE c.post_id = posts.id AND c.deleted_at IS NULL
);
INSERT INTO canary (migration, step) VALUES ('20230109110000', 'recount');
