alter table "public"."attachments" add column "size_bytes" bigint;

alter table "public"."attachments" add constraint "attachments_size_bytes_check" CHECK (((size_bytes IS NULL) OR (size_bytes <= 26214400))) not valid;

alter table "public"."attachments" validate constraint "attachments_size_bytes_check";
