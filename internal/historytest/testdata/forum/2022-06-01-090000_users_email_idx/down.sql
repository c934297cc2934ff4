DROP INDEX CONCURRENTLY users_lower_email_idx;
