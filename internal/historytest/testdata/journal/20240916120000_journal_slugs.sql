alter table "public"."journals" add column "slug" text;

update public.journals
set slug = trim(both '-' from lower(regexp_replace(title, '[^A-Za-z0-9]+', '-', 'g'))) || '-' || id;
INSERT INTO canary (migration, step) VALUES ('20240916120000', 'slugs');

alter table "public"."journals" alter column "slug" set not null;

CREATE UNIQUE INDEX journals_slug_key ON public.journals USING btree (slug);

alter table "public"."journals" add constraint "journals_slug_key" UNIQUE using index "journals_slug_key";
