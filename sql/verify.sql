-- relocate_verify: the database compared with an export through the import chunks of an import
-- (Sentry's validate/compare step). No rows when they match; one row per difference otherwise:
-- (model, old_pk, new_pk, field, expected, found). Read-only.
\i test/regress/setup.sql
\set VERBOSITY default
SET TimeZone = 'UTC';
\getenv dir PGHOST
\set fresh `cat test/fixtures/sentry/fresh-install.json`
\set op `cat test/fixtures/sentry/org-and-project.json`
\set key `cat test/fixtures/encrypted/test-key.pem`
\! cp test/fixtures/sentry/fresh-install.json test/fixtures/encrypted/fresh-install.tar "$PGHOST/"
\! gzip -c test/fixtures/sentry/org-and-project.json > "$PGHOST/org-and-project.json.gz"
\! chmod a+r "$PGHOST"/fresh-install.* "$PGHOST"/org-and-project.json.gz

-- fresh-install.json in Global scope, org-and-project.json in Organization scope on top of it (its
-- organization, team and project get new ids and a renamed slug).
SELECT sum(inserted) AS inserted FROM relocate_import(:'fresh', scope => 'global',
    import_uuid => '00000000-0000-4000-8000-00000000a001');
SELECT sum(inserted) AS inserted FROM relocate_import(:'op', scope => 'organization',
    import_uuid => '00000000-0000-4000-8000-00000000a002');

-- Right after the imports, both match: no rows.
SELECT * FROM relocate_verify(:'fresh', '00000000-0000-4000-8000-00000000a001');
SELECT * FROM relocate_verify(:'op', '00000000-0000-4000-8000-00000000a002');
-- Every form of the export: bytea, text, a server file (plain, compressed, encrypted), a large object.
\set QUIET on
\lo_import test/fixtures/sentry/org-and-project.json
\set op_lo :LASTOID
\set QUIET off
SELECT (SELECT count(*) FROM relocate_verify(convert_to(:'op', 'UTF8'), '00000000-0000-4000-8000-00000000a002')) AS bytea,
       (SELECT count(*) FROM relocate_verify(:'op'::text, '00000000-0000-4000-8000-00000000a002')) AS text,
       (SELECT count(*) FROM relocate_verify_file(:'dir' || '/org-and-project.json.gz',
                                                  '00000000-0000-4000-8000-00000000a002')) AS gzip_file,
       (SELECT count(*) FROM relocate_verify_file(:'dir' || '/fresh-install.tar',
                                                  '00000000-0000-4000-8000-00000000a001', :'key')) AS encrypted_file,
       (SELECT count(*) FROM relocate_verify_large_object(:op_lo, '00000000-0000-4000-8000-00000000a002')) AS large_object;

-- It writes nothing: no transaction id is assigned (no row, not even of a session table, is
-- written), and the session's pk map and report are those the last import left.
SELECT count(*) AS pk_map_rows FROM relocate_pk_map;
BEGIN;
SELECT count(*) AS differences FROM relocate_verify(:'fresh', '00000000-0000-4000-8000-00000000a001');
SELECT pg_current_xact_id_if_assigned() IS NULL AS wrote_nothing;
COMMIT;
SELECT count(*) AS pk_map_rows FROM relocate_pk_map;

-- The new pk of an entry, from the chunks of an import.
CREATE FUNCTION pg_temp.new_pk(import_uuid uuid, model text, old_pk bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT (c.inserted_map ->> old_pk::text)::bigint FROM (
        SELECT import_uuid, model, inserted_map FROM sentry_regionimportchunk
        UNION ALL SELECT import_uuid, model, inserted_map FROM sentry_controlimportchunk) c
     WHERE c.import_uuid = $1 AND c.model = $2 AND c.inserted_map ? old_pk::text
$$;

-- What Sentry's rules write is not a difference: a user's password and flags, an organization's slug.
UPDATE auth_user SET password = 'changed', is_unclaimed = NOT is_unclaimed
 WHERE id = pg_temp.new_pk('00000000-0000-4000-8000-00000000a001', 'sentry.user', 1);
UPDATE sentry_organization SET slug = 'another-slug'
 WHERE id = pg_temp.new_pk('00000000-0000-4000-8000-00000000a002', 'sentry.organization', 1);
SELECT * FROM relocate_verify(:'fresh', '00000000-0000-4000-8000-00000000a001');
SELECT * FROM relocate_verify(:'op', '00000000-0000-4000-8000-00000000a002');

-- A changed column, a changed timestamp, a reference to another row (compared after mapping the
-- export's pk through the chunks: the team of the export is fresh-install's team, new pk 1), and a
-- deleted row: each is named.
UPDATE sentry_project SET name = 'Renamed'
 WHERE id = pg_temp.new_pk('00000000-0000-4000-8000-00000000a002', 'sentry.project', 1);
UPDATE auth_user SET date_joined = date_joined + interval '1 second'
 WHERE id = pg_temp.new_pk('00000000-0000-4000-8000-00000000a001', 'sentry.user', 2);
UPDATE sentry_projectteam SET team_id = pg_temp.new_pk('00000000-0000-4000-8000-00000000a002', 'sentry.team', 1)
 WHERE id = pg_temp.new_pk('00000000-0000-4000-8000-00000000a001', 'sentry.projectteam', 1);
DELETE FROM sentry_projectoptions
 WHERE id = pg_temp.new_pk('00000000-0000-4000-8000-00000000a001', 'sentry.projectoption', 4);
SELECT * FROM relocate_verify(:'fresh', '00000000-0000-4000-8000-00000000a001');
SELECT * FROM relocate_verify(:'op', '00000000-0000-4000-8000-00000000a002');
-- The chunks' view of the changed and deleted rows.
SELECT pg_temp.new_pk('00000000-0000-4000-8000-00000000a001', 'sentry.projectteam', 1) AS projectteam,
       pg_temp.new_pk('00000000-0000-4000-8000-00000000a002', 'sentry.team', 1) AS op_team,
       pg_temp.new_pk('00000000-0000-4000-8000-00000000a001', 'sentry.projectoption', 4) AS projectoption;

-- A different export under an import's uuid. org-and-project.json under fresh-install's import:
-- the entries both have (same model and pk) are compared, and every entry the chunks map that
-- this export lacks is named (expected 'not in the export', found the row's kind).
SELECT * FROM relocate_verify(:'op', '00000000-0000-4000-8000-00000000a001')
 ORDER BY model, old_pk, field NULLS FIRST;
-- org-and-project.json with 20 more teams after its team: team ordinals 2 to 20 are in the chunk of
-- ordinals 1 to 20, which does not map them (the import skipped them, as far as the chunks can
-- tell), and the 21st team is at ordinals no chunk of sentry.team covers: not covered.
SELECT jsonb_agg(e ORDER BY ord)::text AS more_teams FROM (
    SELECT e, ord::numeric FROM jsonb_array_elements(:'op'::jsonb) WITH ORDINALITY AS t(e, ord)
    UNION ALL
    SELECT jsonb_set(jsonb_set(e, '{pk}', to_jsonb(100 + i)), '{fields,slug}', to_jsonb('team-' || i)),
           ord + i / 100.0
      FROM jsonb_array_elements(:'op'::jsonb) WITH ORDINALITY AS t(e, ord), generate_series(1, 20) i
     WHERE e ->> 'model' = 'sentry.team') x \gset
SELECT * FROM relocate_verify(:'more_teams', '00000000-0000-4000-8000-00000000a002');

-- An error while reading rows back (here: a role without SELECT on sentry_project) has a context
-- naming the model, the rows and the table, as an import's insert errors do.
CREATE ROLE relocate_regress_verifier;
GRANT USAGE ON SCHEMA sentry TO relocate_regress_verifier;
GRANT SELECT ON ALL TABLES IN SCHEMA sentry TO relocate_regress_verifier;
REVOKE SELECT ON sentry_project FROM relocate_regress_verifier;
SELECT set_config('relocate_test.op', :'op', false) IS NOT NULL AS export_set;
SET ROLE relocate_regress_verifier;
DO $$
DECLARE
    state text;
    context text;
BEGIN
    PERFORM * FROM relocate_verify(current_setting('relocate_test.op'), '00000000-0000-4000-8000-00000000a002');
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, context = PG_EXCEPTION_CONTEXT;
    RAISE WARNING 'SQLSTATE %, context: %', state,
        substring(context FROM 'relocate: verifying [^\n]*');
END
$$;
RESET ROLE;
DROP OWNED BY relocate_regress_verifier;
DROP ROLE relocate_regress_verifier;

-- An import_uuid without chunks, and NULL arguments.
SELECT * FROM relocate_verify(:'op', '00000000-0000-4000-8000-0000000000ff');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_verify(:'op', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_verify(NULL::bytea, '00000000-0000-4000-8000-00000000a002');
\echo :LAST_ERROR_SQLSTATE
-- An encrypted export without its key.
SELECT * FROM relocate_verify_file(:'dir' || '/fresh-install.tar', '00000000-0000-4000-8000-00000000a001');
\echo :LAST_ERROR_SQLSTATE
SELECT lo_unlink(:op_lo);

-- An Existing row is one the import did not write (it used the row that was there): only that it
-- still exists is checked. fresh-install.json again, in Organization scope with merge_users: its
-- users are merged into the users of the first import (Existing).
SELECT sum(inserted) AS inserted, sum(existing) AS existing FROM relocate_import(:'fresh', scope => 'organization',
    merge_users => true, import_uuid => '00000000-0000-4000-8000-00000000a003');
UPDATE auth_user SET first_name = 'Not from this export'
 WHERE id = (SELECT (existing_map ->> '1')::bigint FROM sentry_controlimportchunk
              WHERE import_uuid = '00000000-0000-4000-8000-00000000a003' AND model = 'sentry.user');
SELECT * FROM relocate_verify(:'fresh', '00000000-0000-4000-8000-00000000a003');
