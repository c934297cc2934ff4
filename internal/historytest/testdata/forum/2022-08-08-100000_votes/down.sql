DROP TRIGGER votes_score ON votes;
DROP FUNCTION update_post_score();
ALTER TABLE posts DROP COLUMN score;
DROP TABLE votes;
