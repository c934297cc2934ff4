INSERT INTO tags (name) VALUES ('announcements'), ('rust'), ('go'), ('help');
INSERT INTO canary (migration, step) VALUES ('20230821100000', 'tags');

INSERT INTO post_tags (post_id, tag_id)
SELECT p.id, t.id
FROM (VALUES ('Welcome to the forum', 'announcements'), ('Borrow checker tips', 'rust'), ('Borrow checker tips', 'help')) AS v (post, tag)
JOIN posts p ON p.title = v.post
JOIN tags t ON t.name = v.tag;
INSERT INTO canary (migration, step) VALUES ('20230821100000', 'post tags');
