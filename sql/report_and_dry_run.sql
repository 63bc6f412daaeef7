-- The operator's view of an import (issue #10): the per-entry report relocate_report, skipped
-- counts by reason, dry runs, honest replays, and message levels.

-- Every entry that is not inserted as it is in the file has a row in relocate_report: here the
-- organization-scope import of a whole install skips what is out of scope, and the summary says
-- why in skipped_reasons.
\i test/regress/setup.sql
\set fresh `cat test/fixtures/sentry/fresh-install.json`
CREATE TEMP TABLE s AS SELECT * FROM relocate_import(:'fresh', import_uuid => '00000000-0000-4000-8000-0000000000e1');
SELECT model, inserted, skipped, skipped_reasons FROM s WHERE skipped > 0 ORDER BY model;
SELECT model, action, detail, count(*) FROM relocate_report GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- Every skipped entry is in the report, once, and nothing inserted as it is.
SELECT (SELECT count(*) FROM relocate_report WHERE action = 'skipped') AS reported_skipped,
       (SELECT sum(skipped) FROM s) AS skipped,
       (SELECT count(DISTINCT (model, old_pk)) FROM relocate_report WHERE action = 'skipped') AS distinct_entries;
DROP TABLE s;

-- The same export again, under another import_uuid: the users and the organization collide with
-- the first run's, so they are renamed; the report says from what to what, and a NOTICE counts them.
SET client_min_messages = notice;
SELECT sum(inserted) AS inserted FROM relocate_import(:'fresh', import_uuid => '00000000-0000-4000-8000-0000000000e2');
SET client_min_messages = warning;
SELECT r.model, r.old_pk, r.detail ~ '^(username|slug) "[^"]+" -> "[^"]+": taken on this install$' AS names_both,
       coalesce(u.username, o.slug) = substring(r.detail from '-> "([^"]+)"') AS new_name_is_in_the_table
  FROM relocate_report r
  LEFT JOIN auth_user u ON r.model = 'sentry.user' AND u.id = r.new_pk
  LEFT JOIN sentry_organization o ON r.model = 'sentry.organization' AND o.id = r.new_pk
 WHERE r.action = 'renamed' ORDER BY r.model, r.old_pk;

-- Why an organization's slug is not the export's, as Organization.save and unique_db_instance
-- (src/sentry/models/organization.py, src/sentry/db/models/utils.py) change it: normalized,
-- reserved, digits only, made from the name, taken (here by an earlier entry of the same file).
\i test/regress/setup.sql
\set slugs '[{"model": "sentry.organization", "pk": 1, "fields": {"name": "A", "slug": "Acme_Co", "date_added": "2023-06-22T00:00:00Z"}}, {"model": "sentry.organization", "pk": 2, "fields": {"name": "B", "slug": "admin", "date_added": "2023-06-22T00:00:00Z"}}, {"model": "sentry.organization", "pk": 3, "fields": {"name": "C", "slug": "2024", "date_added": "2023-06-22T00:00:00Z"}}, {"model": "sentry.organization", "pk": 4, "fields": {"name": "Made Here", "slug": "", "date_added": "2023-06-22T00:00:00Z"}}, {"model": "sentry.organization", "pk": 5, "fields": {"name": "E", "slug": "ACME_CO", "date_added": "2023-06-22T00:00:00Z"}}, {"model": "sentry.organization", "pk": 6, "fields": {"name": "F", "slug": "kept", "date_added": "2023-06-22T00:00:00Z"}}]'
SELECT sum(inserted) AS inserted FROM relocate_import(:'slugs', import_uuid => '00000000-0000-4000-8000-0000000000e3');
SELECT r.old_pk, regexp_replace(r.detail, ' -> "[^"]*"', ' -> <final>') AS detail,
       r.detail LIKE '%-> "' || o.slug || '"%' AS names_final_slug
  FROM relocate_report r JOIN sentry_organization o ON o.id = r.new_pk
 WHERE r.action = 'renamed' ORDER BY r.old_pk;
SELECT slug FROM sentry_organization WHERE slug IN ('acme-co', 'made-here', 'kept') ORDER BY slug;
-- Why a username is not the export's (User.write_relocation_import, src/sentry/users/models/user.py:
-- an existing user has it exactly; Sentry's serializer: case-insensitively): taken by an earlier
-- entry of the same file (pk 2 exactly, pk 3 in another case), or by a user the install had (pk 4).
\set carol '[{"model": "sentry.user", "pk": 9, "fields": {"username": "carol", "password": "", "date_joined": "2023-06-22T22:59:55.488Z"}}]'
SELECT sum(inserted) AS inserted FROM relocate_import(:'carol', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000e5');
\set users '[{"model": "sentry.user", "pk": 1, "fields": {"username": "bob", "password": "", "date_joined": "2023-06-22T22:59:55.488Z"}}, {"model": "sentry.user", "pk": 2, "fields": {"username": "bob", "password": "", "date_joined": "2023-06-22T22:59:55.488Z"}}, {"model": "sentry.user", "pk": 3, "fields": {"username": "BOB", "password": "", "date_joined": "2023-06-22T22:59:55.488Z"}}, {"model": "sentry.user", "pk": 4, "fields": {"username": "carol", "password": "", "date_joined": "2023-06-22T22:59:55.488Z"}}, {"model": "sentry.user", "pk": 5, "fields": {"username": "Carol2", "password": "", "date_joined": "2023-06-22T22:59:55.488Z"}}]'
SELECT sum(inserted) AS inserted FROM relocate_import(:'users', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000e6');
SELECT r.old_pk, regexp_replace(r.detail, ' -> "[^"]*"', ' -> <final>') AS detail,
       r.detail LIKE '%-> "' || u.username || '"%' AS names_final_username
  FROM relocate_report r JOIN auth_user u ON u.id = r.new_pk
 WHERE r.action = 'renamed' ORDER BY r.old_pk;
SELECT count(*) AS users, count(DISTINCT upper(username)) AS distinct_usernames FROM auth_user;
-- The same one row per batch: an entry of an earlier batch is found in the table, and is still
-- the export's.
\i test/regress/setup.sql
SELECT sum(inserted) AS inserted FROM relocate_import(:'carol', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000e5');
SET relocate.batch_size = 1;
SELECT sum(inserted) AS inserted FROM relocate_import(:'users', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000e6');
RESET relocate.batch_size;
SELECT r.old_pk, regexp_replace(r.detail, ' -> "[^"]*"', ' -> <final>') AS detail
  FROM relocate_report r WHERE r.action = 'renamed' ORDER BY r.old_pk;
-- dry_run: the whole import, rolled back. Same summary as the real import, the same report and pk
-- map left in the session tables, and not a row written.
\i test/regress/setup.sql
CREATE TEMP TABLE real_summary AS SELECT * FROM relocate_import(:'fresh', scope => 'global');
CREATE TEMP TABLE real_counts AS SELECT action, count(*) FROM relocate_report GROUP BY action;
\i test/regress/setup.sql
SET client_min_messages = notice;
CREATE TEMP TABLE dry_summary AS SELECT * FROM relocate_import(:'fresh', scope => 'global', dry_run => true,
                                                          import_uuid => '00000000-0000-4000-8000-0000000000e4');
SET client_min_messages = warning;
SELECT count(*) AS differences FROM (SELECT * FROM real_summary EXCEPT SELECT * FROM dry_summary) d;
SELECT (SELECT sum(inserted) FROM dry_summary) AS would_insert, (SELECT count(*) FROM relocate_pk_map) AS mapped,
       (SELECT count(*) FROM (SELECT action, count(*) FROM relocate_report GROUP BY action
                              EXCEPT SELECT * FROM real_counts) d) AS report_differences;
SELECT (SELECT count(*) FROM auth_user) AS users, (SELECT count(*) FROM sentry_organization) AS orgs,
       (SELECT count(*) FROM sentry_regionimportchunk) + (SELECT count(*) FROM sentry_controlimportchunk) AS chunks,
       (SELECT count(*) FROM sentry_organizationslugreservation) AS reservations;
-- The pk map's primary key is there after a dry run too.
SELECT count(*) AS pk_map_indexes FROM pg_index WHERE indrelid = 'pg_temp.relocate_pk_map'::regclass AND indisprimary;
-- A dry run with reset (Global scope) empties nothing: the first real import is still there.
SELECT sum(inserted) FROM relocate_import(:'fresh', scope => 'global');
SELECT sum(inserted) AS would_insert FROM relocate_import(:'fresh', scope => 'global', reset => true, dry_run => true);
SELECT count(*) AS users FROM auth_user;
DROP TABLE real_summary, real_counts, dry_summary;

-- A dry run that fails is an error like the real import's, and rolls its own subtransaction back:
-- a PL/pgSQL exception block around it catches it, and the transaction goes on.
DO $$
BEGIN
    PERFORM * FROM relocate_import('[{"model": "sentry.user", "pk": 1, "fields": {"nonsense": 1}}]', dry_run => true);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'caught % (%)', SQLSTATE, SQLERRM;
END $$;
SELECT count(*) AS users FROM auth_user;

-- Honest replays: the same import_uuid again reuses what the first run wrote (a NOTICE says so);
-- another export under that uuid is an error naming the model, the pk and the ordinals, never a
-- silent skip of its new rows.
\i test/regress/setup.sql
SELECT sum(inserted) FROM relocate_import(:'fresh', import_uuid => '00000000-0000-4000-8000-0000000000e3');
SET client_min_messages = notice;
SELECT sum(inserted) AS inserted, sum(reused) AS reused
  FROM relocate_import(:'fresh', import_uuid => '00000000-0000-4000-8000-0000000000e3');
SET client_min_messages = warning;
SELECT action, count(*) FROM relocate_report GROUP BY action ORDER BY action;
-- One more team at ordinals the first run's team chunk covers.
SELECT jsonb_agg(e ORDER BY n, extra)::text AS more
  FROM (SELECT e, n, 0 AS extra FROM jsonb_array_elements(:'fresh'::jsonb) WITH ORDINALITY AS a(e, n)
        UNION ALL
        SELECT jsonb_set(jsonb_set(e, '{pk}', '999'), '{fields,slug}', '"another-team"'), n, 1
          FROM jsonb_array_elements(:'fresh'::jsonb) WITH ORDINALITY AS a(e, n) WHERE e->>'model' = 'sentry.team') x \gset
\set VERBOSITY verbose
SELECT * FROM relocate_import(:'more', import_uuid => '00000000-0000-4000-8000-0000000000e3');
\set VERBOSITY default
SELECT count(*) AS teams FROM sentry_team;

-- Message levels: what the import leaves out is a WARNING (seen with client_min_messages =
-- warning); errors from the engine carry no source location (VERBOSITY verbose shows none).
\i test/regress/setup.sql
\set orgproj `cat test/fixtures/sentry/org-and-project.json`
\set VERBOSITY verbose
SELECT * FROM relocate_import(jsonb_set(:'orgproj'::jsonb, '{0,fields,no_such_field}', '1')::text);
\set VERBOSITY default
SET client_min_messages = warning;
SET relocate.ignore_unknown_fields = on;
SELECT sum(inserted) > 0 AS imported FROM relocate_import(
    (SELECT jsonb_agg(CASE WHEN e->>'model' = 'sentry.organization' THEN jsonb_set(e, '{fields,no_such_field}', '1') ELSE e END)
       FROM jsonb_array_elements(:'orgproj'::jsonb) e)::text);
RESET relocate.ignore_unknown_fields;
SELECT model, action, detail FROM relocate_report WHERE action = 'field_dropped';
