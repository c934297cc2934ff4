-- Audit of every data statement in this history: one row per statement, so that a statement
-- run twice shows up as a count of 2.
CREATE TABLE canary (
    id bigserial PRIMARY KEY,
    migration text NOT NULL,
    step text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);

create table "public"."profiles" (
    "id" uuid not null,
    "username" text,
    "display_name" text,
    "created_at" timestamp with time zone not null default now()
);

alter table "public"."profiles" enable row level security;

CREATE UNIQUE INDEX profiles_pkey ON public.profiles USING btree (id);

CREATE UNIQUE INDEX profiles_username_key ON public.profiles USING btree (username);

alter table "public"."profiles" add constraint "profiles_pkey" PRIMARY KEY using index "profiles_pkey";

alter table "public"."profiles" add constraint "profiles_username_key" UNIQUE using index "profiles_username_key";

alter table "public"."profiles" add constraint "profiles_id_fkey" FOREIGN KEY (id) REFERENCES auth.users(id) ON DELETE CASCADE not valid;

alter table "public"."profiles" validate constraint "profiles_id_fkey";

grant select on table "public"."profiles" to "anon";

grant delete on table "public"."profiles" to "authenticated";

grant insert on table "public"."profiles" to "authenticated";

grant select on table "public"."profiles" to "authenticated";

grant update on table "public"."profiles" to "authenticated";

grant delete on table "public"."profiles" to "service_role";

grant insert on table "public"."profiles" to "service_role";

grant select on table "public"."profiles" to "service_role";

grant update on table "public"."profiles" to "service_role";

create policy "Profiles are viewable by everyone"
on "public"."profiles"
as permissive
for select
to public
using (true);

create policy "Users can update their own profile"
on "public"."profiles"
as permissive
for update
to authenticated
using ((auth.uid() = id));
