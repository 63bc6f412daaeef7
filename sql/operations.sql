-- What the README promises a DBA, run as written. The psql recipes that upload a large object are
-- one transaction each, so that a failed call leaves no large object behind (without ON_ERROR_STOP,
-- as here, psql goes on and COMMIT rolls back; with ON_ERROR_STOP psql stops and the server rolls
-- back on disconnect). And an import needs no superuser: the role that owns Sentry's tables can run it.
\i test/regress/setup.sql
SELECT count(*) AS large_objects_before FROM pg_largeobject_metadata \gset
\set QUIET on

-- "From a file on the client": the import fails (an unknown scope), nothing is left.
BEGIN;
\lo_import test/fixtures/sentry/fresh-install.json
\set QUIET off
SELECT * FROM relocate_import_large_object(:LASTOID, scope => 'everything');
SELECT lo_unlink(:LASTOID);
COMMIT;
SELECT count(*) = :large_objects_before AS no_large_object_left FROM pg_largeobject_metadata;

-- The same recipe when the import succeeds: the rows are there, the large object is gone.
\set QUIET on
BEGIN;
\lo_import test/fixtures/sentry/fresh-install.json
\set QUIET off
SELECT sum(inserted) > 0 AS imported FROM relocate_import_large_object(:LASTOID, scope => 'global');
SELECT lo_unlink(:LASTOID) AS unlinked;
COMMIT;
SELECT count(*) = :large_objects_before AS no_large_object_left FROM pg_largeobject_metadata;
SELECT count(*) > 0 AS users_imported FROM auth_user;

-- "Relocations", step 1: relocate_relocation_create fails (no user 424242), so neither the
-- relocation nor the uploaded export stays.
\set QUIET on
BEGIN;
\lo_import test/fixtures/encrypted/fresh-install.tar
\set QUIET off
SELECT relocate_relocation_create(:LASTOID, ARRAY['acme'], owner_id => 424242) AS relocation \gset
COMMIT;
SELECT count(*) = :large_objects_before AS no_large_object_left FROM pg_largeobject_metadata;
SELECT count(*) AS relocations FROM sentry_relocation;
SELECT count(*) AS relocation_files FROM relocate_relocation_file;

-- An importing role that is not a superuser: the owner of Sentry's tables (as Sentry's own database
-- user is), with USAGE on their schema. It imports a whole install in Global scope, reset included
-- (TRUNCATE is the owner's), and its temporary tables relocate_pk_map and relocate_report.
SET client_min_messages = warning;
DROP ROLE IF EXISTS relocate_regress_sentry;
CREATE ROLE relocate_regress_sentry;
SELECT public.own_sentry_tables('relocate_regress_sentry');
GRANT USAGE ON SCHEMA sentry TO relocate_regress_sentry;
RESET client_min_messages;
-- The session's temporary tables belong to the role that ran its first import (here the superuser,
-- above): another role cannot empty them, so it imports in a session of its own, as here.
DROP TABLE pg_temp.relocate_pk_map, pg_temp.relocate_report;
SET ROLE relocate_regress_sentry;
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
\set QUIET on
BEGIN;
\lo_import test/fixtures/sentry/fresh-install.json
\set QUIET off
SELECT sum(inserted) > 0 AS imported, sum(skipped) AS skipped
  FROM relocate_import_large_object(:LASTOID, scope => 'global', reset => true,
                                    import_uuid => '00000000-0000-4000-8000-0000000000a1');
SELECT lo_unlink(:LASTOID) AS unlinked;
COMMIT;
SELECT count(*) > 0 AS users_imported FROM auth_user;
SELECT count(*) > 0 AS pk_map_rows, count(*) FILTER (WHERE model = 'sentry.user') AS users_mapped FROM relocate_pk_map;
-- What it may not do without pg_read_server_files: read a file on the server.
SELECT * FROM relocate_import_file('/nonexistent/export.json', scope => 'global');
-- Nor reset a database that has relocations: their export files are relocate's
-- (relocate_relocation_file), which it may not delete; 42501, and nothing is emptied.
INSERT INTO sentry_relocation (date_updated, creator_id, owner_id, uuid, step, status, want_org_slugs, latest_task,
                               latest_task_attempts)
VALUES (now(), 1, 1, '00000000-0000-4000-8000-0000000000a2', 4, 0, '["testing"]', 'IMPORTING', 0);
SELECT count(*) FROM relocate_import('[]', scope => 'global', reset => true);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) > 0 AS users_still_there FROM auth_user;
RESET ROLE;
DROP TABLE pg_temp.relocate_pk_map, pg_temp.relocate_report;
-- A role with no privilege on Sentry's tables cannot take the lock every import waits for by
-- naming temporary tables like Sentry's import chunks (its temporary schema comes first in the
-- search_path): 42809 before the lock, so the next import does not wait for it. (The message
-- names the table in the session's temporary schema, whose number varies.)
SET client_min_messages = warning;
DROP ROLE IF EXISTS relocate_regress_nobody;
RESET client_min_messages;
CREATE ROLE relocate_regress_nobody;
SET ROLE relocate_regress_nobody;
BEGIN;
CREATE TEMP TABLE sentry_regionimportchunk (id bigserial PRIMARY KEY, import_uuid uuid, model text, min_ordinal bigint,
    max_ordinal bigint, min_source_pk bigint, max_source_pk bigint, min_inserted_pk bigint, max_inserted_pk bigint,
    inserted_map jsonb, existing_map jsonb, overwrite_map jsonb, inserted_identifiers jsonb, date_added timestamptz,
    date_updated timestamptz);
CREATE TEMP TABLE sentry_controlimportchunk (LIKE sentry_regionimportchunk INCLUDING ALL);
CREATE TEMP TABLE sentry_controlimportchunkreplica (LIKE sentry_regionimportchunk INCLUDING ALL);
\set VERBOSITY sqlstate
SELECT count(*) FROM relocate_import('[]', scope => 'config');
\set VERBOSITY default
ROLLBACK;
-- Nor by naming a temporary table like Sentry's relocations, for a relocation task.
BEGIN;
CREATE TEMP TABLE sentry_relocation (id bigint, uuid uuid);
\set VERBOSITY sqlstate
SELECT relocate_completed('00000000-0000-4000-8000-0000000000a9');
\set VERBOSITY default
ROLLBACK;
RESET ROLE;
DROP ROLE relocate_regress_nobody;
SET client_min_messages = warning;
DROP SCHEMA sentry CASCADE;
RESET client_min_messages;
DROP ROLE relocate_regress_sentry;
