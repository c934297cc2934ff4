-- Live updates in the editor when the same journal is open in two tabs.
alter publication supabase_realtime add table "public"."entries";
