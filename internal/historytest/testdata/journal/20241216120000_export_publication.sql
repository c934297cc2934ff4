-- The nightly export reads journals and entries through logical replication.
create publication journal_export for table "public"."journals", "public"."entries" with (publish = 'insert, update');

alter publication supabase_realtime add table "public"."journals";
