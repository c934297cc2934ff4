-- danger: REINDEX INDEX blocks every query that uses the token index (every request)
-- expect: warning require-concurrent-reindex
REINDEX INDEX sessions_token_idx;
