create table "public"."attachments" (
    "id" uuid not null default gen_random_uuid(),
    "entry_id" bigint not null,
    "user_id" uuid not null default auth.uid(),
    "object_path" text not null,
    "created_at" timestamp with time zone not null default now()
);

alter table "public"."attachments" enable row level security;

CREATE UNIQUE INDEX attachments_pkey ON public.attachments USING btree (id);

CREATE INDEX attachments_entry_id_idx ON public.attachments USING btree (entry_id);

alter table "public"."attachments" add constraint "attachments_pkey" PRIMARY KEY using index "attachments_pkey";

alter table "public"."attachments" add constraint "attachments_entry_id_fkey" FOREIGN KEY (entry_id) REFERENCES entries(id) ON DELETE CASCADE not valid;

alter table "public"."attachments" validate constraint "attachments_entry_id_fkey";

grant delete, insert, select on table "public"."attachments" to "authenticated";

grant all on table "public"."attachments" to "service_role";

create policy "Owners manage their attachments"
on "public"."attachments"
as permissive
for all
to authenticated
using ((auth.uid() = user_id))
with check ((auth.uid() = user_id));
