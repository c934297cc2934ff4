DELETE FROM comments;
DELETE FROM posts;
DELETE FROM users;
