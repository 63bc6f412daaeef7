-- Sentry's filters (src/sentry/backup/helpers.py Filter) and import chunks with import_uuid
-- (src/sentry/models/importchunk.py), ported from Sentry's FilterTests, BatchingTests and
-- RpcImportRetryTests (tests/sentry/backup/test_imports.py and test_rpc.py). The fixtures in
-- test/fixtures/relocate reproduce those tests' setups.
\set users `cat test/fixtures/relocate/four-users.json`
\set orgs `cat test/fixtures/relocate/three-orgs.json`
\set counts 'SELECT (SELECT count(*) FROM auth_user) AS users, (SELECT count(*) FROM sentry_useremail) AS useremails, (SELECT count(*) FROM sentry_email) AS emails'

-- test_import_filter_users: only user_2, with its useremail and its email.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'users', scope => 'user', user_filter => ARRAY['user_2']);
:counts;
SELECT username, email FROM auth_user;
SELECT silo, model, min_ordinal, max_ordinal, inserted FROM import_chunks();

-- test_import_filter_users_shared_email: user_4 (b@, like user_2) is left out; two emails.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'users', scope => 'user', user_filter => ARRAY['user_1', 'user_2', 'user_3']);
:counts;
SELECT username FROM auth_user ORDER BY username;
SELECT silo, model, min_ordinal, max_ordinal, inserted FROM import_chunks();

-- test_import_filter_users_empty: an empty filter imports nothing (NULL means no filter); a NULL
-- element of a filter matches no user, and a WARNING says so.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'users', scope => 'user', user_filter => ARRAY[]::text[]);
:counts;
SELECT * FROM relocate_import(:'users', scope => 'config', user_filter => ARRAY[NULL, 'user_4']);
:counts;

-- A user's second address under a user filter: Sentry's email filter keeps the primary addresses'
-- Email rows only (src/sentry/backup/imports.py _import, user_to_email), so the file's row for b@
-- is filtered out, and creating alice's UserEmail for b@ creates its Email row, dated now
-- (src/sentry/receivers/email.py create_email). Without a filter the file's rows are all there, once,
-- and bob's empty address gets no Email row (docs/differences-from-sentry.md).
\set secondary `cat test/fixtures/relocate/secondary-email.json`
\i test/regress/setup.sql
SELECT model, inserted, skipped FROM relocate_import(:'secondary', scope => 'user', user_filter => ARRAY['alice'])
 WHERE model IN ('sentry.email', 'sentry.useremail') ORDER BY model;
SELECT email, date_added = '2023-06-22T00:00:01Z' AS from_the_file, date_added > now() - interval '1 hour' AS dated_now
  FROM sentry_email ORDER BY email;
SELECT u.username, e.email FROM sentry_useremail e JOIN auth_user u ON u.id = e.user_id ORDER BY e.email;
\i test/regress/setup.sql
SELECT sum(inserted) AS inserted FROM relocate_import(:'secondary', scope => 'user');
SELECT email, date_added FROM sentry_email ORDER BY email;

-- A filter value that no entry of the export has admits nothing, as in Sentry, and a WARNING names
-- it (letter case counts: ORG-B is not org-b), rather than a silent, empty import.
\i test/regress/setup.sql
SELECT sum(inserted) AS inserted FROM relocate_import(:'orgs', org_filter => ARRAY['ORG-B', 'org-b', 'nope']);
SELECT slug FROM sentry_organization;
SELECT sum(inserted) AS inserted FROM relocate_import(:'users', scope => 'user', user_filter => ARRAY['user_9']);
-- A NULL element (a subquery that found nothing, say) matches no organization: the WARNING counts it.
\i test/regress/setup.sql
SELECT sum(inserted) AS inserted FROM relocate_import(:'orgs', org_filter => ARRAY[NULL, 'org-b', NULL]);
SELECT slug FROM sentry_organization;
SELECT sum(inserted) AS inserted FROM relocate_import(:'orgs', org_filter => ARRAY[NULL, 'nope']);

-- test_import_filter_orgs_single: org-b only; its members' users (and their emails) come along.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'orgs', org_filter => ARRAY['org-b']);
:counts;
SELECT slug FROM sentry_organization;
SELECT username FROM auth_user ORDER BY username;
SELECT email FROM sentry_email ORDER BY email;
SELECT name FROM sentry_orgauthtoken;
SELECT silo, model, min_ordinal, max_ordinal, inserted FROM import_chunks() WHERE model = 'sentry.organization';

-- test_import_filter_orgs_multiple: org-a and org-c; every user but user_b_only.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'orgs', org_filter => ARRAY['org-a', 'org-c']);
:counts;
SELECT slug FROM sentry_organization ORDER BY slug;
SELECT username FROM auth_user ORDER BY username;
SELECT count(*) AS org_auth_tokens FROM sentry_orgauthtoken;
-- Pending invites keep their inviter (user_all, imported), remapped to the new user.
SELECT o.slug, m.email, u.username AS inviter FROM sentry_organizationmember m
  JOIN sentry_organization o ON o.id = m.organization_id LEFT JOIN auth_user u ON u.id = m.inviter_id
 WHERE m.user_id IS NULL ORDER BY m.email;
SELECT silo, model, min_ordinal, max_ordinal, inserted FROM import_chunks()
 WHERE model IN ('sentry.organization', 'sentry.orgauthtoken');

-- test_import_filter_orgs_empty: nothing at all.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'orgs', org_filter => ARRAY[]::text[]);
:counts;
SELECT (SELECT count(*) FROM sentry_organization) AS orgs, (SELECT count(*) FROM sentry_orgauthtoken) AS tokens;

-- BatchingTests: chunks hold 20 entries (Sentry's MAX_BATCH_SIZE), whatever relocate's own INSERT
-- batches are; references resolve across chunks. n = 2 * 20 and n = 20 + 1 users (pks 100 + i) and
-- as many user options (pks 1000 + i) each pointing at its user.
CREATE FUNCTION pg_temp.batch_export(n int) RETURNS text LANGUAGE sql AS $$
    SELECT jsonb_agg(e ORDER BY ord)::text FROM (
        SELECT 1 AS ord, i, jsonb_build_object('model', 'sentry.user', 'pk', 100 + i, 'fields',
               jsonb_build_object('username', 'user-' || i, 'email', i || '@example.com', 'password', 'fake',
                                  'date_joined', '2023-06-22T22:59:55Z')) AS e
          FROM generate_series(1, n) i
        UNION ALL
        SELECT 2, i, jsonb_build_object('model', 'sentry.useroption', 'pk', 1000 + i, 'fields',
               jsonb_build_object('user', 100 + i, 'key', 'key-' || i, 'value', '"v"', 'project_id', NULL,
                                  'organization_id', NULL))
          FROM generate_series(1, n) i) x
$$;
\i test/regress/setup.sql
SET relocate.batch_size = 7;  -- relocate's INSERT batches do not line up with Sentry's chunks
SELECT * FROM relocate_import(pg_temp.batch_export(40), scope => 'user', import_uuid => 'a7f30c8c-8e5b-4c9d-9d1e-3c3f1b0e2a40');
SELECT silo, model, min_ordinal, max_ordinal, min_source_pk, max_source_pk, inserted, import_uuid FROM import_chunks();
SELECT o.key, u.username FROM sentry_useroption o JOIN auth_user u ON u.id = o.user_id WHERE o.key = 'key-30';
-- Each new user's primary UserEmail and Email (Sentry's signals), held back until the export's own
-- were read and written 7 at a time: one per user, with the user's address.
SELECT count(*) AS users,
       count(*) FILTER (WHERE (SELECT count(*) FROM sentry_useremail e WHERE e.user_id = u.id AND e.email = u.email) = 1) AS with_their_useremail,
       (SELECT count(*) FROM sentry_useremail) AS useremails,
       (SELECT count(DISTINCT email) FROM sentry_email WHERE email IN (SELECT email FROM auth_user)) AS emails
  FROM auth_user u;
\i test/regress/setup.sql
SELECT * FROM relocate_import(pg_temp.batch_export(21), scope => 'user', import_uuid => 'a7f30c8c-8e5b-4c9d-9d1e-3c3f1b0e2a21');
SELECT silo, model, min_ordinal, max_ordinal, min_source_pk, max_source_pk, inserted FROM import_chunks();
SELECT o.key, u.username FROM sentry_useroption o JOIN auth_user u ON u.id = o.user_id WHERE o.key = 'key-21';
RESET relocate.batch_size;

-- A chunk is written only for a group that wrote something: skipped entries still count as
-- ordinals (here options 1 to 9 point at users that are not in the file).
\i test/regress/setup.sql
SELECT * FROM relocate_import(regexp_replace(pg_temp.batch_export(25), '"user": 10([0-9]),', '"user": 999\1,', 'g'),
                              scope => 'user', import_uuid => 'a7f30c8c-8e5b-4c9d-9d1e-3c3f1b0e2a25');
SELECT silo, model, min_ordinal, max_ordinal, min_source_pk, max_source_pk, inserted FROM import_chunks();

-- test_good_local_retry_idempotent: the same import_uuid again is a no-op that rebuilds the same
-- mapping; nothing is written twice, and the summary says so: what the first run wrote is reused,
-- not inserted (a NOTICE says the run is a replay). A different uuid imports again.
\i test/regress/setup.sql
\set fresh `cat test/fixtures/sentry/fresh-install.json`
CREATE TEMP TABLE first_summary AS
    SELECT * FROM relocate_import(:'fresh', scope => 'global', import_uuid => '0b1d2c3e-4f50-4617-8829-3a4b5c6d7e8f');
CREATE TEMP TABLE first_map AS SELECT * FROM relocate_pk_map;
SELECT count(*) AS chunks, sum(inserted) AS mapped FROM import_chunks();
SET client_min_messages = notice;
CREATE TEMP TABLE replay_summary AS
    SELECT * FROM relocate_import(:'fresh', scope => 'global', import_uuid => '0b1d2c3e-4f50-4617-8829-3a4b5c6d7e8f');
RESET client_min_messages;
SELECT sum(inserted) AS inserted, sum(existing) AS existing, sum(reused) AS reused FROM replay_summary;
-- Model by model: what the first run wrote is what the replay reuses; skipped stays skipped.
SELECT model, f.inserted + f.existing + f.overwritten AS first_written, r.reused, f.skipped, r.skipped AS replay_skipped
  FROM first_summary f JOIN replay_summary r USING (model)
 WHERE f.inserted + f.existing + f.overwritten IS DISTINCT FROM r.reused OR f.skipped IS DISTINCT FROM r.skipped
    OR r.inserted + r.existing + r.overwritten <> 0;
SELECT action, count(*) FROM relocate_report GROUP BY action ORDER BY action;
SELECT (SELECT count(*) FROM relocate_pk_map) AS mapped,
       (SELECT count(*) FROM (SELECT * FROM relocate_pk_map EXCEPT SELECT * FROM first_map) d) AS different;
SELECT (SELECT count(*) FROM auth_user) AS users, (SELECT count(*) FROM sentry_organization) AS orgs,
       (SELECT count(*) FROM import_chunks()) AS chunks;
SELECT current_setting('relocate.last_import_uuid') AS last_import_uuid;
-- The uuid's hex spelling (Sentry's uuid4().hex) is the same uuid.
SELECT sum(inserted) AS inserted, sum(reused) AS reused FROM relocate_import(:'fresh', scope => 'global', import_uuid => '0b1d2c3e4f50461788293a4b5c6d7e8f');
SELECT count(*) AS users FROM auth_user;
DROP TABLE first_summary, first_map, replay_summary;

-- A minted import_uuid is reported (NOTICE, and relocate.last_import_uuid), and all chunks of one
-- import share it (Sentry's ScopingTests).
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'fresh', scope => 'global') WHERE inserted = 0;
SELECT count(DISTINCT import_uuid) AS uuids, bool_and(import_uuid = current_setting('relocate.last_import_uuid')::uuid) AS reported
  FROM import_chunks();
SELECT silo, model, min_ordinal, max_ordinal, inserted, identifiers FROM import_chunks() ORDER BY silo, model;
