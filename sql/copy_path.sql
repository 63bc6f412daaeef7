-- The batches' COPY path (src/pg/copy_insert.cpp): a batch is written through COPY FROM where COPY
-- writes it as the INSERT would, and through the INSERT where it would not (row-level security,
-- rules, a missing privilege): the same rows, triggers and errors either way.
\i test/regress/setup.sql
\set VERBOSITY default
\set options_json '[{"model": "sentry.option", "pk": 1, "fields": {"key": "public.a", "value": 1, "last_updated": "2023-06-22T00:00:00Z"}}, {"model": "sentry.option", "pk": 2, "fields": {"key": "private.b", "value": 2, "last_updated": "2023-06-22T00:00:00Z"}}]'

-- Values with the bytes COPY's text format escapes (backslash, tab, newline, carriage return),
-- "\N" (COPY's NULL) and "\." (its end of data) as text, an empty string and a JSON null arrive
-- as they were.
SELECT model, inserted FROM relocate_import($$[
  {"model": "sentry.option", "pk": 1, "fields": {"key": "back\\slash\ttab\nnewline\rreturn", "value": "\\N", "last_updated": "2023-06-22T00:00:00Z"}},
  {"model": "sentry.option", "pk": 2, "fields": {"key": "\\.", "value": {"a": "\t\\\n"}, "last_updated": "2023-06-22T00:00:00Z"}},
  {"model": "sentry.option", "pk": 3, "fields": {"key": "\\N", "value": "", "last_updated": "2023-06-22T00:00:00Z"}},
  {"model": "sentry.option", "pk": 4, "fields": {"key": "null", "value": null, "last_updated": "2023-06-22T00:00:00Z"}}]$$,
  scope => 'config');
SELECT key = E'back\\slash\ttab\nnewline\rreturn' AS escaped_key, value = '"\\N"'::jsonb AS escaped_value
  FROM sentry_option WHERE key LIKE 'back%';
SELECT replace(replace(key, E'\t', '<tab>'), E'\n', '<nl>') AS key, value, value IS NULL AS value_is_null
  FROM sentry_option WHERE key NOT LIKE 'back%' ORDER BY id;

-- An error of a batch: PostgreSQL's message and detail, and the batch's context line, not COPY's
-- (which would quote the row).
TRUNCATE sentry_option;
ALTER TABLE sentry_option ADD CONSTRAINT no_private CHECK (key NOT LIKE 'private.%');
SELECT * FROM relocate_import(:'options_json', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
-- Through COPY FROM (a BEFORE ROW trigger keeps the batch off relocate's own multi-insert): the
-- message names the entry COPY was at, and the column whose value it was converting.
CREATE FUNCTION pg_temp.pass() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER pass BEFORE INSERT ON sentry_option FOR EACH ROW EXECUTE FUNCTION pg_temp.pass();
SELECT * FROM relocate_import(:'options_json', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER pass ON sentry_option;
CREATE TRIGGER pass BEFORE INSERT ON sentry_snubaquery FOR EACH ROW EXECUTE FUNCTION pg_temp.pass();
\set long_group_by `cat test/fixtures/relocate/long-group-by.json`
SELECT * FROM relocate_import(:'long_group_by');
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER pass ON sentry_snubaquery;
ALTER TABLE sentry_option DROP CONSTRAINT no_private;
-- A message raised while a value is converted (here a NOTICE of a domain's check) does not stay
-- with the batch: the CHECK violation of the next row names that row, and no column, on both paths.
CREATE FUNCTION sentry.noisy(v text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE NOTICE 'checking a key';
    RETURN true;
END $$;
CREATE DOMAIN sentry.noisy_key AS varchar(128) CHECK (sentry.noisy(VALUE));
ALTER TABLE sentry_option ALTER COLUMN key TYPE sentry.noisy_key;
ALTER TABLE sentry_option ADD CONSTRAINT no_private CHECK (key::text NOT LIKE 'private.%');
SET client_min_messages = notice; -- a message below it is not raised at all
SELECT * FROM relocate_import(:'options_json', scope => 'config', import_uuid => '00000000-0000-4000-8000-0000000000f1');
CREATE TRIGGER pass BEFORE INSERT ON sentry_option FOR EACH ROW EXECUTE FUNCTION pg_temp.pass();
SELECT * FROM relocate_import(:'options_json', scope => 'config', import_uuid => '00000000-0000-4000-8000-0000000000f2');
DROP TRIGGER pass ON sentry_option;
SET client_min_messages = warning;
ALTER TABLE sentry_option DROP CONSTRAINT no_private;
ALTER TABLE sentry_option ALTER COLUMN key TYPE varchar(128);
DROP DOMAIN sentry.noisy_key;
DROP FUNCTION sentry.noisy(text);
-- An AFTER ROW trigger fires at the end of COPY, when its line is the last one whatever row the
-- trigger was queued for: its error (here about pk 1, the first row) names no row.
CREATE FUNCTION sentry.refuse_public() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.key LIKE 'public.%' THEN RAISE EXCEPTION 'public options are refused' USING ERRCODE = 'check_violation'; END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER refuse_public AFTER INSERT ON sentry_option FOR EACH ROW EXECUTE FUNCTION sentry.refuse_public();
SELECT * FROM relocate_import(:'options_json', scope => 'config');
DROP TRIGGER refuse_public ON sentry_option;
DROP FUNCTION sentry.refuse_public();

-- A BEFORE ROW trigger sees and changes every row, as it does for the INSERT.
CREATE FUNCTION pg_temp.upper_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.key := upper(NEW.key);
    RETURN NEW;
END $$;
CREATE TRIGGER upper_key BEFORE INSERT ON sentry_option FOR EACH ROW EXECUTE FUNCTION pg_temp.upper_key();
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config');
SELECT key FROM sentry_option ORDER BY id;
DROP TRIGGER upper_key ON sentry_option;

-- A table with a rule takes the INSERT (COPY applies no rules): the rule runs.
TRUNCATE sentry_option;
CREATE TABLE option_log (key text);
CREATE RULE log_option AS ON INSERT TO sentry_option DO ALSO INSERT INTO option_log VALUES (NEW.key);
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config');
SELECT key FROM option_log ORDER BY key;
DROP RULE log_option ON sentry_option;
DROP TABLE option_log;

-- An id that is an identity column GENERATED ALWAYS gets its ids from the identity's sequence and
-- is written as the INSERT's OVERRIDING SYSTEM VALUE writes it.
TRUNCATE sentry_option;
ALTER TABLE sentry_option ALTER COLUMN id DROP DEFAULT;
DROP SEQUENCE sentry_option_id_seq;
ALTER TABLE sentry_option ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config');
SELECT o.key, o.id = m.new_pk AS mapped_id FROM sentry_option o JOIN relocate_pk_map m ON m.model = 'sentry.option'
   AND m.old_pk = CASE o.key WHEN 'public.a' THEN 1 ELSE 2 END ORDER BY o.id;

-- A role that is not a superuser: the owner of Sentry's tables.
TRUNCATE sentry_option;
SET client_min_messages = warning;
DROP ROLE IF EXISTS relocate_regress_copy;
CREATE ROLE relocate_regress_copy;
SELECT public.own_sentry_tables('relocate_regress_copy');
GRANT USAGE ON SCHEMA sentry TO relocate_regress_copy;
DROP TABLE pg_temp.relocate_pk_map, pg_temp.relocate_report;
SET ROLE relocate_regress_copy;

-- Row-level security that applies to the role: the batch takes the INSERT, whose policy refuses
-- the row that the policy does not allow (COPY FROM would refuse the table).
ALTER TABLE sentry_option ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY public_only ON sentry_option USING (true) WITH CHECK (key LIKE 'public.%');
SELECT * FROM relocate_import(:'options_json', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT model, inserted FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {"key": "public.a", "value": 1, "last_updated": "2023-06-22T00:00:00Z"}}]', scope => 'config');
SELECT key FROM sentry_option;
DROP POLICY public_only ON sentry_option;
ALTER TABLE sentry_option DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY;

-- Without INSERT on the table the batch takes the INSERT, which raises PostgreSQL's error; INSERT
-- on the columns the batch writes is enough.
TRUNCATE sentry_option;
REVOKE INSERT ON sentry_option FROM relocate_regress_copy;
SELECT * FROM relocate_import(:'options_json', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
GRANT INSERT (id, key, value, last_updated) ON sentry_option TO relocate_regress_copy;
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config');
SELECT key, last_updated_by FROM sentry_option ORDER BY id;

RESET ROLE;
DROP TABLE pg_temp.relocate_pk_map, pg_temp.relocate_report;

-- Sentry's import chunks go through the COPY path too: the same rows as the INSERT wrote (their
-- dates the transaction's start, as pg_catalog.now() gives), and an error of theirs has the chunk
-- batch's context line without the INSERT's "SQL statement" line.
TRUNCATE sentry_option, sentry_regionimportchunk;
BEGIN;
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config', import_uuid => '00000000-0000-4000-8000-0000000c0b1e');
SELECT import_uuid, model, min_ordinal, max_ordinal, min_source_pk, max_source_pk,
       min_inserted_pk = (SELECT min(id) FROM sentry_option) AS min_inserted,
       max_inserted_pk = (SELECT max(id) FROM sentry_option) AS max_inserted,
       inserted_map = (SELECT jsonb_object_agg(pk::text, id) FROM (SELECT row_number() OVER (ORDER BY id) AS pk, id FROM sentry_option) o) AS inserted_map,
       existing_map, overwrite_map, inserted_identifiers,
       date_added = now() AS added_now, date_updated = now() AS updated_now
  FROM sentry_regionimportchunk;
COMMIT;
TRUNCATE sentry_option, sentry_regionimportchunk;
ALTER TABLE sentry_regionimportchunk ADD CONSTRAINT no_options CHECK (model <> 'sentry.option');
CREATE FUNCTION pg_temp.chunk_error(export text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    context text;
BEGIN
    PERFORM * FROM relocate_import(export, scope => 'config');
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, context = PG_EXCEPTION_CONTEXT;
    RETURN state || ': ' || split_part(context, E'\n', 1) ||
           CASE WHEN context LIKE '%SQL statement "INSERT%' THEN ' (and the INSERT''s SQL statement line)' ELSE '' END;
END $$;
SELECT pg_temp.chunk_error(:'options_json');
ALTER TABLE sentry_regionimportchunk DROP CONSTRAINT no_options;

-- The foreign keys of the rows relocate writes itself (src/pg/foreign_key_checks.cpp) are checked
-- once, at the end of the import, instead of by PostgreSQL's RI trigger per row at the commit. A
-- key that refers to nothing is relocate_import's error (23503, naming the model, the source pk
-- and the column), not the commit's; the rows referred to are locked FOR KEY SHARE, as RI locks
-- them, so that no other session can delete them before the import commits; the check runs as the
-- referenced table's owner, as RI's does; where RI would not fire (session_replication_role =
-- replica) there is no check either. owner_id is not in the export: its default fills it.
TRUNCATE sentry_option;
CREATE TABLE public.option_owner (id bigint PRIMARY KEY);
ALTER TABLE sentry_option ADD COLUMN owner_id bigint DEFAULT 7
    CONSTRAINT option_owner_fk REFERENCES public.option_owner (id) DEFERRABLE INITIALLY DEFERRED;
BEGIN;
SELECT * FROM relocate_import(:'options_json', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS options FROM sentry_option;
SET session_replication_role = replica;
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config');
RESET session_replication_role;
SELECT key, owner_id FROM sentry_option ORDER BY id;
TRUNCATE sentry_option;
INSERT INTO public.option_owner VALUES (7), (8);
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s user=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
       current_database(), current_user));
SELECT dblink_exec('other', 'SET lock_timeout = ''200ms''');
BEGIN;
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config');
SELECT dblink_exec('other', 'DELETE FROM public.option_owner WHERE id = 7', false) AS delete_referenced,
       dblink_error_message('other') AS error;
SELECT dblink_exec('other', 'DELETE FROM public.option_owner WHERE id = 8', false) AS delete_other;
COMMIT;
SELECT key, owner_id FROM sentry_option ORDER BY id;
SELECT id FROM public.option_owner;
SELECT dblink_disconnect('other');
TRUNCATE sentry_option;
DROP TABLE pg_temp.relocate_pk_map, pg_temp.relocate_report;
SET ROLE relocate_regress_copy;
SELECT has_table_privilege('public.option_owner', 'SELECT') AS may_read_option_owner;
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config');
RESET ROLE;
DROP TABLE pg_temp.relocate_pk_map, pg_temp.relocate_report;
SELECT key, owner_id FROM sentry_option ORDER BY id;
ALTER TABLE sentry_option DROP COLUMN owner_id;
DROP TABLE public.option_owner;

-- A key that refers to a row of the same import needs no lookup; the first id past the import's
-- own is looked up (and missing). The ids are the sequence's next two, 42 and 43.
TRUNCATE sentry_option;
SELECT setval('sentry_option_id_seq', 41) AS last_id;
ALTER TABLE sentry_option ADD COLUMN owner_id bigint DEFAULT 43
    CONSTRAINT option_owner_fk REFERENCES sentry_option (id) DEFERRABLE INITIALLY DEFERRED;
SELECT model, inserted FROM relocate_import(:'options_json', scope => 'config');
SELECT id, key, owner_id FROM sentry_option ORDER BY id;
TRUNCATE sentry_option;
SELECT setval('sentry_option_id_seq', 41) AS last_id;
ALTER TABLE sentry_option ALTER COLUMN owner_id SET DEFAULT 44;
SELECT * FROM relocate_import(:'options_json', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE sentry_option DROP COLUMN owner_id;

-- A deferrable unique constraint rechecks its rows by a trigger: such a table keeps COPY FROM, and
-- two rows with the same value fail at the commit as they would with COPY or the INSERT (written
-- without the recheck, both rows would stay). Sentry has no rule for a value: both are inserted.
TRUNCATE sentry_option;
ALTER TABLE sentry_option ADD CONSTRAINT one_of_each_value UNIQUE (value) DEFERRABLE INITIALLY DEFERRED;
BEGIN;
SELECT model, inserted FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {"key": "a", "value": 1, "last_updated": "2023-06-22T00:00:00Z"}}, {"model": "sentry.option", "pk": 2, "fields": {"key": "b", "value": 1, "last_updated": "2023-06-22T00:00:00Z"}}]', scope => 'config');
COMMIT;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS options FROM sentry_option;
ALTER TABLE sentry_option DROP CONSTRAINT one_of_each_value;

-- The error names the Sentry field when the column is one of the model's foreign keys. A merged
-- user (Global scope, merge_users; Sentry's test_colliding_user_with_merging_*) keeps the existing
-- user's id, so the authenticator refers to a row the import did not write, and the end of the
-- import looks it up; a trigger on the authenticator's import chunk (written before the check)
-- deletes that user, as another transaction could have before the import locked it: a row the
-- import found and used, so 40001 (run it again), not 23503 (concurrency.sql case 8 does it from
-- another session).
\set owner `cat test/fixtures/relocate/owner.json`
INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed,
                       is_password_expired, flags, date_joined)
VALUES ('x', 'owner', '', 'existing@example.com', false, true, false, false, false, 0, now());
CREATE FUNCTION pg_temp.delete_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sentry.auth_user WHERE username = 'owner';
    RETURN NULL;
END $$;
CREATE TRIGGER delete_owner AFTER INSERT ON sentry_controlimportchunk
    FOR EACH ROW WHEN (NEW.model = 'sentry.authenticator') EXECUTE FUNCTION pg_temp.delete_owner();
BEGIN;
SELECT * FROM relocate_import(:'owner', scope => 'global', merge_users => true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS authenticators, (SELECT count(*) FROM auth_user) AS users FROM auth_authenticator;
-- Without the trigger the same import attaches the authenticator to the existing user.
DROP TRIGGER delete_owner ON sentry_controlimportchunk;
SELECT model, inserted, existing FROM relocate_import(:'owner', scope => 'global', merge_users => true)
 WHERE model IN ('sentry.user', 'sentry.authenticator');
SELECT u.username FROM auth_authenticator a JOIN auth_user u ON u.id = a.user_id;

-- A row an earlier run of the same import found is restored from that run's chunk by a retry, not
-- looked up again (Sentry's import chunk replay trusts the chunk's existing_map): deleted since,
-- the reference to it is 23503, not 40001, since running the import again would restore the same
-- key. Here the first run merged the user and its authenticator's chunk is gone, as if that batch
-- had not committed (Sentry commits a chunk per batch); then the existing user goes too.
DELETE FROM auth_authenticator;
DELETE FROM sentry_controlimportchunk;
SELECT model, inserted, existing FROM relocate_import(:'owner', scope => 'global', merge_users => true,
                                                      import_uuid => '00000000-0000-4000-8000-0000000000c7')
 WHERE model IN ('sentry.user', 'sentry.authenticator');
DELETE FROM auth_authenticator;
DELETE FROM sentry_controlimportchunk WHERE model = 'sentry.authenticator';
DELETE FROM auth_user WHERE username = 'owner';
BEGIN;
SELECT * FROM relocate_import(:'owner', scope => 'global', merge_users => true,
                              import_uuid => '00000000-0000-4000-8000-0000000000c7');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT count(*) AS authenticators FROM auth_authenticator;

SET client_min_messages = warning;
DROP SCHEMA sentry CASCADE;
RESET client_min_messages;
DROP ROLE relocate_regress_copy;
