-- The landing page uses screenshots now: the demo journals' entries go.
delete from public.entries e
using public.journals j
where j.id = e.journal_id and j.user_id in ('6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e01', '6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e02')
  and e.created_at < now();
INSERT INTO canary (migration, step) VALUES ('20241118110000', 'purge demo entries');
