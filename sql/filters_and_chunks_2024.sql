-- The suite filters_and_chunks again, into the schema of a self-hosted Sentry 24.8.0
-- (test/schema/sentry-2024.sql): the same rules must give the same rows against the older schema.
\set schema_file test/schema/sentry-2024.sql
-- The fixtures come from current Sentry (users carry is_suspended, migration 1075): fields the
-- older schema lacks are dropped, as asked (each reported in a NOTICE where NOTICEs are shown).
SET relocate.ignore_unknown_fields = on;
\i sql/filters_and_chunks.sql
