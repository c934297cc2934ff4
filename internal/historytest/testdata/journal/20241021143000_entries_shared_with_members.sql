drop policy "Owners manage their entries" on "public"."entries";

create policy "Authors write their entries"
on "public"."entries"
as permissive
for all
to authenticated
using ((auth.uid() = user_id))
with check ((auth.uid() = user_id));

create policy "Members read entries of shared journals"
on "public"."entries"
as permissive
for select
to authenticated
using ((EXISTS ( SELECT 1
   FROM journal_members m
  WHERE ((m.journal_id = entries.journal_id) AND (m.user_id = auth.uid())))));
