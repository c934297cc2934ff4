insert into public.journals (user_id, title, is_public) values
    ('6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e01', 'Morning pages', false),
    ('6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e01', 'Garden log', true),
    ('6f1e1c9a-3a52-4c1f-9d0e-1b2a3c4d5e02', 'Running', false);
INSERT INTO canary (migration, step) VALUES ('20240318143000', 'journals');

insert into public.entries (journal_id, user_id, body, mood)
select j.id, j.user_id, e.body, e.mood
from (values
    ('Morning pages', 'Woke early. Wrote three pages before the kettle boiled.', 4),
    ('Morning pages', 'Slept badly; the neighbours again.', 2),
    ('Garden log', 'Planted garlic in the north bed, 40 cloves.', 5),
    ('Running', 'Easy 6k along the canal.', 3)
) as e (journal, body, mood)
join public.journals j on j.title = e.journal;
INSERT INTO canary (migration, step) VALUES ('20240318143000', 'entries');
