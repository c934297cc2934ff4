set check_function_bodies = off;

CREATE OR REPLACE FUNCTION public.entry_count(journal bigint)
 RETURNS integer
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select count(*)::integer from public.entries where journal_id = journal;
$function$
;

revoke execute on function "public"."entry_count"(bigint) from public;

revoke execute on function "public"."entry_count"(bigint) from "anon";

grant execute on function "public"."entry_count"(bigint) to "authenticated";

grant execute on function "public"."entry_count"(bigint) to "service_role";
