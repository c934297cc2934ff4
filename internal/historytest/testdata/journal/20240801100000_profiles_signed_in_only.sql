revoke select on table "public"."profiles" from "anon";

drop policy "Profiles are viewable by everyone" on "public"."profiles";

create policy "Profiles are viewable by signed-in users"
on "public"."profiles"
as permissive
for select
to authenticated
using (true);
