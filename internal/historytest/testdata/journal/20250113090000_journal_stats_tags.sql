create or replace view "public"."journal_stats" with (security_invoker = on) as  SELECT j.id AS journal_id,
    j.user_id,
    count(e.id) AS entry_count,
    max(e.created_at) AS last_entry_at,
    count(DISTINCT et.tag_id) AS tag_count
   FROM ((journals j
     LEFT JOIN entries e ON ((e.journal_id = j.id)))
     LEFT JOIN entry_tags et ON ((et.entry_id = e.id)))
  GROUP BY j.id, j.user_id;
