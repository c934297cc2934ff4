create index concurrently if not exists entries_body_search_idx on public.entries using gin (to_tsvector('english'::regconfig, body));
