-- Every journal's author becomes its owner member, so that sharing has one code path.
insert into public.journal_members (journal_id, user_id, role)
select id, user_id, 'owner' from public.journals
on conflict do nothing;
INSERT INTO canary (migration, step) VALUES ('20240715113000', 'owners as members');
