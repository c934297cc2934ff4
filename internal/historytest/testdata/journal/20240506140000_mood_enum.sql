-- Moods as words: the app stopped showing numbers.
create type "public"."mood" as enum ('awful', 'bad', 'okay', 'good', 'great');

alter table "public"."entries" add column "mood_label" mood;

update public.entries set mood_label = (array['awful', 'bad', 'okay', 'good', 'great']::mood[])[mood] where mood is not null;
INSERT INTO canary (migration, step) VALUES ('20240506140000', 'mood labels');

alter table "public"."entries" drop constraint "entries_mood_check";

alter table "public"."entries" drop column "mood";

alter table "public"."entries" rename column "mood_label" to "mood";
