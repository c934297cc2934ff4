create or replace view "public"."journal_stats" with (security_invoker = on) as  SELECT j.id AS journal_id,
    j.user_id,
    count(e.id) AS entry_count,
    max(e.created_at) AS last_entry_at
   FROM (journals j
     LEFT JOIN entries e ON ((e.journal_id = j.id)))
  GROUP BY j.id, j.user_id;

grant select on table "public"."journal_stats" to "authenticated";

grant select on table "public"."journal_stats" to "service_role";
