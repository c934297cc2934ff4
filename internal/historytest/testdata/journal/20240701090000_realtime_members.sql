alter publication supabase_realtime drop table "public"."entries";

alter publication supabase_realtime add table "public"."journal_members";
