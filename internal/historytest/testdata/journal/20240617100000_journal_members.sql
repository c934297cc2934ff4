create table "public"."journal_members" (
    "journal_id" bigint not null,
    "user_id" uuid not null,
    "role" text not null default 'viewer'::text,
    "added_at" timestamp with time zone not null default now()
);

alter table "public"."journal_members" enable row level security;

CREATE UNIQUE INDEX journal_members_pkey ON public.journal_members USING btree (journal_id, user_id);

alter table "public"."journal_members" add constraint "journal_members_pkey" PRIMARY KEY using index "journal_members_pkey";

alter table "public"."journal_members" add constraint "journal_members_journal_id_fkey" FOREIGN KEY (journal_id) REFERENCES journals(id) ON DELETE CASCADE not valid;

alter table "public"."journal_members" validate constraint "journal_members_journal_id_fkey";

alter table "public"."journal_members" add constraint "journal_members_user_id_fkey" FOREIGN KEY (user_id) REFERENCES profiles(id) ON DELETE CASCADE not valid;

alter table "public"."journal_members" validate constraint "journal_members_user_id_fkey";

alter table "public"."journal_members" add constraint "journal_members_role_check" CHECK ((role = ANY (ARRAY['viewer'::text, 'editor'::text]))) not valid;

alter table "public"."journal_members" validate constraint "journal_members_role_check";

grant delete, insert, select, update on table "public"."journal_members" to "authenticated";

grant all on table "public"."journal_members" to "service_role";

create policy "Members see their memberships"
on "public"."journal_members"
as permissive
for select
to authenticated
using ((auth.uid() = user_id));

create policy "Members read shared journals"
on "public"."journals"
as permissive
for select
to authenticated
using ((EXISTS ( SELECT 1
   FROM journal_members m
  WHERE ((m.journal_id = journals.id) AND (m.user_id = auth.uid())))));
