alter table "public"."journal_members" drop constraint "journal_members_role_check";

alter table "public"."journal_members" add constraint "journal_members_role_check" CHECK ((role = ANY (ARRAY['viewer'::text, 'editor'::text, 'owner'::text]))) not valid;

alter table "public"."journal_members" validate constraint "journal_members_role_check";
