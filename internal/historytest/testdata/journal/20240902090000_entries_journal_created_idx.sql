drop index if exists "public"."entries_journal_id_idx";

CREATE INDEX entries_journal_id_created_at_idx ON public.entries USING btree (journal_id, created_at DESC);
