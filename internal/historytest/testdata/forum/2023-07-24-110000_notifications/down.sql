DROP TRIGGER comments_notify ON comments;
DROP FUNCTION notify_post_author();
DROP TABLE notifications;
