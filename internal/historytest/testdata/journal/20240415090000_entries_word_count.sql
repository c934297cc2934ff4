alter table "public"."entries" add column "word_count" integer generated always as (array_length(regexp_split_to_array(btrim(body), '\s+'::text), 1)) stored;
