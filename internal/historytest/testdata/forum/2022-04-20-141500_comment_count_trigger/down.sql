DROP TRIGGER comments_count ON comments;
DROP FUNCTION update_comment_count();
ALTER TABLE posts DROP COLUMN comment_count;
