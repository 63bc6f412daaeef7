-- Relocations: Sentry's relocation pipeline from importing on, run from SQL. Each case names the
-- Sentry test or function it mirrors: tests/sentry/relocation/tasks/test_process.py @ 05e851d3
-- (RelocationTaskTestCase and its ImportingTest, PostprocessingTest, NotifyingUnhideTest,
-- NotifyingUsersTest), src/sentry/relocation/utils.py @ 17e6149b (start_relocation_task,
-- fail_relocation) and src/sentry/relocation/tasks/process.py @ 0751a0d7 (the tasks).
\i test/regress/setup.sql
\set fresh `cat test/fixtures/sentry/fresh-install.json`
\set key `cat test/fixtures/encrypted/test-key.pem`
\set other_key `cat test/fixtures/encrypted/other-key.pem`
\set enc `base64 -w0 test/fixtures/encrypted/fresh-install.tar`

-- RelocationTaskTestCase.setUp: an existing organization "testing" (so that the imported slug
-- collides), owned by existing_org_owner@example.com; the relocation's owner owner@example.com and
-- its creator staff_user@example.com. Ids 1, 2, 3; the organization's id is 1.
CREATE FUNCTION pg_temp.add_people() RETURNS void LANGUAGE sql AS $$
    INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed,
                           is_password_expired, flags, date_joined)
    SELECT 'x', u, '', u, u = 'staff_user@example.com', true, false, false, false, 0, now()
      FROM unnest(ARRAY['existing_org_owner@example.com', 'owner@example.com', 'staff_user@example.com']) AS u;
    INSERT INTO sentry_organization (name, slug, status, date_added, default_role, flags)
    VALUES ('testing', 'testing', 0, now(), 'member', 1);
    INSERT INTO sentry_organizationmember (organization_id, user_id, role, flags, date_added, has_global_access,
                                           invite_status, type)
    VALUES (1, 1, 'owner', 0, now(), true, 0, 50);
$$;
-- A relocation from relocate_relocation_create, renamed to a fixed uuid (...0000000000<n>) so that
-- the NOTICEs of the tasks read the same in every run.
CREATE FUNCTION pg_temp.fix_uuid(u uuid, n int) RETURNS uuid LANGUAGE plpgsql SET search_path = sentry, public AS $$
DECLARE
    fixed uuid := ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid;
BEGIN
    UPDATE relocate_relocation_file SET relocation_uuid = fixed WHERE relocation_uuid = u;
    UPDATE sentry_relocation SET uuid = fixed WHERE uuid = u;
    RETURN fixed;
END $$;
CREATE FUNCTION pg_temp.new_relocation(n int, export bytea, slugs text[] DEFAULT '{testing}', owner bigint DEFAULT 2,
                                       creator bigint DEFAULT 3, provenance text DEFAULT 'self-hosted',
                                       private_key text DEFAULT NULL) RETURNS uuid LANGUAGE sql AS $$
    SELECT pg_temp.fix_uuid(relocate_relocation_create(export, slugs, owner, creator, provenance, private_key), n)
$$;
-- The relocation's row, with Sentry's enum names.
CREATE FUNCTION pg_temp.state(u uuid)
RETURNS TABLE (step text, status text, latest_task text, attempts smallint, failure_reason text, notified smallint,
               want_usernames jsonb)
LANGUAGE sql AS $$
    SELECT (ARRAY['UNKNOWN', 'UPLOADING', 'PREPROCESSING', 'VALIDATING', 'IMPORTING', 'POSTPROCESSING', 'NOTIFYING',
                  'COMPLETED'])[r.step + 1],
           (ARRAY['IN_PROGRESS', 'FAILURE', 'SUCCESS', 'PAUSE'])[r.status + 1],
           r.latest_task, r.latest_task_attempts, r.failure_reason, r.latest_notified, r.want_usernames
      FROM sentry_relocation r WHERE r.uuid = u
$$;
-- What the import with this uuid wrote: its chunk models per silo.
CREATE FUNCTION pg_temp.chunk_models(u uuid) RETURNS TABLE (silo text, models text[]) LANGUAGE sql AS $$
    SELECT silo, array_agg(model ORDER BY model) FROM import_chunks() WHERE import_uuid = u GROUP BY silo ORDER BY silo
$$;
SELECT pg_temp.add_people();

-- ---- relocate_relocation_create: the Relocation, its file, Sentry's preprocessing_scan --------

-- The relocation as Sentry's validation leaves it (_update_relocation_validation_attempt, VALID):
-- IN_PROGRESS, latest_task VALIDATING_COMPLETE, step IMPORTING, want_usernames from
-- preprocessing_scan and its STARTED e-mail (latest_notified 0).
SET client_min_messages = notice;
SELECT pg_temp.new_relocation(1, convert_to(:'fresh', 'UTF8')) AS r1 \gset
SELECT * FROM pg_temp.state(:'r1');
SELECT r.owner_id, r.creator_id, r.provenance, r.want_org_slugs, r.scheduled_pause_at_step, r.scheduled_cancel_at_step
  FROM sentry_relocation r WHERE r.uuid = :'r1';
-- Its RAW_USER_DATA RelocationFile, the File as Sentry's upload writes it (size, SHA-1), and
-- relocate's large object holding the bytes.
CREATE FUNCTION pg_temp.files(u uuid)
RETURNS TABLE (kind smallint, name text, type varchar, headers text, size integer, checksum varchar, kept_size bigint,
               kept_checksum text, bytes bytea) LANGUAGE sql AS $$
    SELECT rf.kind, f.name, f.type, f.headers, f.size, f.checksum, x.size, x.checksum, lo_get(x.data)
      FROM sentry_relocation r JOIN sentry_relocationfile rf ON rf.relocation_id = r.id
      JOIN sentry_file f ON f.id = rf.file_id
      JOIN relocate_relocation_file x ON x.file_id = f.id AND x.relocation_uuid = r.uuid
     WHERE r.uuid = u
$$;
SELECT kind, name, type, headers, size = octet_length(convert_to(:'fresh', 'UTF8')) AS size_ok, kept_size = size AS kept_size,
       kept_checksum = checksum AS kept_checksum, checksum ~ '^[0-9a-f]{40}$' AS sha1_hex,
       bytes = convert_to(:'fresh', 'UTF8') AS bytes_kept
  FROM pg_temp.files(:'r1');

-- An encrypted export with its private_key: checked now. Without it: the checks wait for
-- importing (want_usernames NULL, no STARTED e-mail yet).
SELECT pg_temp.new_relocation(2, decode(:'enc', 'base64'), private_key => :'key') AS r2 \gset
SELECT * FROM pg_temp.state(:'r2');
SELECT pg_temp.new_relocation(3, decode(:'enc', 'base64')) AS r3 \gset
SELECT * FROM pg_temp.state(:'r3');
-- A plain export with a private_key: the key is ignored.
SELECT pg_temp.new_relocation(4, convert_to(:'fresh', 'UTF8'), private_key => :'key') IS NOT NULL AS created;

-- From a large object (psql: \lo_import), which the relocation keeps; the same one twice is refused.
\set QUIET on
\lo_import test/fixtures/encrypted/fresh-install.tar
\set QUIET off
SELECT pg_temp.fix_uuid(relocate_relocation_create(:LASTOID, ARRAY['testing'], 2, 3, private_key => :'key'), 5) AS r5 \gset
SELECT * FROM pg_temp.state(:'r5');
SELECT x.data = :LASTOID AS kept_as_given FROM relocate_relocation_file x WHERE x.relocation_uuid = :'r5';
\set VERBOSITY sqlstate
SELECT relocate_relocation_create(:LASTOID, ARRAY['testing'], 2);
\set VERBOSITY default

-- From a file on the server (pg_read_server_files, as relocate's key files).
\! install -m 0644 test/fixtures/sentry/fresh-install.json /tmp/relocate-regress-export.json
SELECT pg_temp.fix_uuid(relocate_relocation_create_from_file('/tmp/relocate-regress-export.json', ARRAY['testing'], 2,
                        provenance => 'Self-Hosted'), 6) AS r6 \gset
\set sha1 `sha1sum test/fixtures/sentry/fresh-install.json | cut -c1-40`
\set bytes `stat -c %s test/fixtures/sentry/fresh-install.json`
SELECT s.*, (SELECT creator_id FROM sentry_relocation WHERE uuid = :'r6') FROM pg_temp.state(:'r6') s;
SELECT size = :bytes AS size_ok, checksum = :'sha1' AS sha1_ok, kept_size = :bytes AS kept_size FROM pg_temp.files(:'r6');
SELECT relocate_relocation_create_from_file('relative/export.json', ARRAY['testing'], 2);
SELECT relocate_relocation_create_from_file('/tmp/relocate-regress-no-such-export.json', ARRAY['testing'], 2);
SET client_min_messages = warning;
DROP ROLE IF EXISTS relocate_regress_relocator;
CREATE ROLE relocate_regress_relocator;
SET client_min_messages = notice;
SET ROLE relocate_regress_relocator;
SELECT relocate_relocation_create_from_file('/tmp/relocate-regress-export.json', ARRAY['testing'], 2);
RESET ROLE;
DROP ROLE relocate_regress_relocator;
\! rm -f /tmp/relocate-regress-export.json

-- Arguments that are wrong: nothing is created.
SELECT relocate_relocation_create(convert_to(:'fresh', 'UTF8'), ARRAY['testing'], NULL);
SELECT relocate_relocation_create(convert_to(:'fresh', 'UTF8'), ARRAY['testing', NULL], 2);
SELECT relocate_relocation_create(convert_to(:'fresh', 'UTF8'), ARRAY['testing'], 2, provenance => 'cloud');
SELECT relocate_relocation_create(convert_to(:'fresh', 'UTF8'), ARRAY['testing'], 99);
SELECT relocate_relocation_create(convert_to(:'fresh', 'UTF8'), ARRAY['testing'], 2, 98);
SELECT relocate_relocation_create(decode(:'enc', 'base64'), ARRAY['testing'], 2, private_key => 'not a key');
SELECT count(*) AS relocations FROM sentry_relocation;

-- PreprocessingScanTest's failures: FAILURE at PREPROCESSING_SCAN (step PREPROCESSING) with
-- Sentry's failure_reason and its FAILED e-mail (latest_notified 1).
-- test_fail_invalid_org_slug: the slug check comes first.
SELECT pg_temp.new_relocation(11, convert_to(:'fresh', 'UTF8'), ARRAY['Testing', 'nothere']) AS r \gset
SELECT * FROM pg_temp.state(:'r');
-- test_fail_missing_orgs: sorted, comma-joined.
SELECT pg_temp.new_relocation(12, convert_to(:'fresh', 'UTF8'), ARRAY['zzz', 'testing', 'aaa']) AS r \gset
SELECT failure_reason FROM pg_temp.state(:'r');
-- test_fail_no_users: single-option.json has none.
\set single `cat test/fixtures/sentry/single-option.json`
SELECT pg_temp.new_relocation(13, convert_to(:'single', 'UTF8'), ARRAY[]::text[]) AS r \gset
SELECT status, failure_reason FROM pg_temp.state(:'r');
-- test_fail_invalid_json: invalid-user.json's user has no username (Sentry's KeyError).
\set invalid `cat test/fixtures/sentry/invalid-user.json`
SELECT pg_temp.new_relocation(14, convert_to(:'invalid', 'UTF8'), ARRAY[]::text[]) AS r \gset
SELECT status, failure_reason FROM pg_temp.state(:'r');
-- Malformed JSON: Sentry's scan does not catch it; relocate names the cause.
SELECT pg_temp.new_relocation(15, convert_to('[{"model": ', 'UTF8'), ARRAY[]::text[]) AS r \gset
SELECT status, failure_reason FROM pg_temp.state(:'r');
-- test_fail_too_many_orgs, test_fail_too_many_users: 21 "big" organizations; 2,001 members of one.
SELECT convert_to(jsonb_agg(e ORDER BY n)::text, 'UTF8') AS big FROM (
    SELECT 0 AS n, jsonb_build_object('model', 'sentry.user', 'pk', 1, 'fields', jsonb_build_object('username', 'u1')) AS e
    UNION ALL
    SELECT o, jsonb_build_object('model', 'sentry.organization', 'pk', o, 'fields', jsonb_build_object('slug', 'big'))
      FROM generate_series(1, 21) AS o) x \gset
SELECT pg_temp.new_relocation(16, :'big', ARRAY['big']) AS r \gset
SELECT status, failure_reason FROM pg_temp.state(:'r');
SELECT convert_to(jsonb_agg(e ORDER BY n)::text, 'UTF8') AS big FROM (
    SELECT u AS n, jsonb_build_object('model', 'sentry.user', 'pk', u, 'fields', jsonb_build_object('username', 'u' || u)) AS e
      FROM generate_series(1, 2001) AS u
    UNION ALL SELECT 3000, '{"model": "sentry.organization", "pk": 1, "fields": {"slug": "big"}}'
    UNION ALL
    SELECT 4000 + u, jsonb_build_object('model', 'sentry.organizationmember', 'pk', u,
                                        'fields', jsonb_build_object('organization', 1, 'user_id', u))
      FROM generate_series(1, 2001) AS u) x \gset
SELECT pg_temp.new_relocation(17, :'big', ARRAY['big']) AS r \gset
SELECT status, failure_reason FROM pg_temp.state(:'r');
-- test_fail_decryption_failure: another key; test_fail_unwrap_tarball: a damaged tarball.
SELECT pg_temp.new_relocation(18, decode(:'enc', 'base64'), private_key => :'other_key') AS r \gset
SELECT step, status, latest_task, failure_reason FROM pg_temp.state(:'r');
SELECT pg_temp.new_relocation(19, substring(decode(:'enc', 'base64') FROM 1 FOR 700), private_key => :'key') AS r \gset
SELECT status, failure_reason FROM pg_temp.state(:'r');
SET client_min_messages = warning;

-- ---- relocate_importing: ImportingTest ------------------------------------------------------

-- test_success_self_hosted: one more "testing*" organization, pending approval; the region chunks
-- of Sentry's test, and the control chunks with their replica (relocate also imports the file's
-- sentry.email rows, which Sentry's org-filtered import never does: docs/differences-from-sentry.md).
\i test/regress/setup.sql
SELECT pg_temp.add_people();
SELECT pg_temp.new_relocation(21, convert_to(:'fresh', 'UTF8')) AS r \gset
-- In a REPEATABLE READ transaction the step is refused before its gate (imports must see what the
-- one before them committed): nothing changes, no attempt is spent.
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM relocate_importing(:'r');
ROLLBACK;
SELECT latest_task, attempts FROM pg_temp.state(:'r');
SET client_min_messages = notice;
SELECT organization_id, slug ~ '^testing-[a-z0-9]+$' AS renamed FROM relocate_importing(:'r');
SET client_min_messages = warning;
SELECT * FROM pg_temp.state(:'r');
SELECT count(*) AS testing_orgs, count(*) FILTER (WHERE status = 3) AS pending FROM sentry_organization
 WHERE slug LIKE 'testing%';
SELECT * FROM pg_temp.chunk_models(:'r');
SELECT count(*) AS users, (SELECT count(*) FROM sentry_organizationmember) AS members FROM auth_user;

-- A re-run after success: the gate lets the same task run again (attempt 2), and the import
-- chunks of the relocation's uuid make it a no-op that returns the same organizations.
SELECT organization_id FROM relocate_importing(:'r');
SELECT latest_task, attempts FROM pg_temp.state(:'r');
SELECT count(*) AS orgs, (SELECT count(*) FROM auth_user) AS users, (SELECT count(*) FROM import_chunks()) AS chunks
  FROM sentry_organization;

-- Once postprocessing is recorded, importing is redundant: nothing changes, a NOTICE says why.
UPDATE sentry_relocation SET latest_task = 'POSTPROCESSING', latest_task_attempts = 1, step = 5 WHERE uuid = :'r';
SET client_min_messages = notice;
SELECT * FROM relocate_importing(:'r');
SET client_min_messages = warning;
SELECT step, status, latest_task, attempts FROM pg_temp.state(:'r');

-- test_success_saas_to_saas: the existing "testing" organization exported and imported again
-- with provenance saas-to-saas, which merges users: the user count does not change, the existing
-- owner is a member of both organizations, and the only control chunk is sentry.user (the
-- merged user's UserEmail is not written).
\set saas '[{"model": "sentry.user", "pk": 1, "fields": {"password": "x", "last_login": null, "username": "existing_org_owner@example.com", "name": "", "email": "existing_org_owner@example.com", "is_staff": false, "is_active": true, "is_superuser": false, "is_managed": false, "is_sentry_app": null, "is_password_expired": false, "is_unclaimed": false, "last_password_change": null, "flags": "0", "session_nonce": null, "date_joined": "2023-06-22T22:59:55.488Z", "last_active": null, "avatar_type": 0, "avatar_url": null}}, {"model": "sentry.useremail", "pk": 1, "fields": {"user": 1, "email": "existing_org_owner@example.com", "validation_hash": "mCnWesSVvYQcq7qXQ36AZHwosAd6cghE", "date_hash_added": "2023-06-22T22:59:55.521Z", "is_verified": true}}, {"model": "sentry.organization", "pk": 1, "fields": {"name": "testing", "slug": "testing", "status": 0, "date_added": "2023-06-22T22:54:28.773Z", "default_role": "member", "is_test": false, "flags": "1"}}, {"model": "sentry.organizationmember", "pk": 1, "fields": {"organization": 1, "user_id": 1, "email": null, "role": "owner", "flags": "0", "token": null, "date_added": "2023-06-22T22:59:55.561Z", "token_expires_at": null, "has_global_access": true, "inviter_id": null, "invite_status": 0, "type": 50, "user_is_active": true, "user_email": "existing_org_owner@example.com"}}]'
\i test/regress/setup.sql
SELECT pg_temp.add_people();
SELECT pg_temp.new_relocation(22, convert_to(:'saas', 'UTF8'), provenance => 'SAAS-TO-SAAS') AS r \gset
SELECT want_usernames FROM pg_temp.state(:'r');
SELECT count(*) AS imported FROM relocate_importing(:'r');
SELECT count(*) AS users, (SELECT count(*) FROM sentry_organizationmember WHERE user_id = 1) AS owner_memberships,
       (SELECT count(*) FROM sentry_organization WHERE slug LIKE 'testing%' AND status = 3) AS pending
  FROM auth_user;
SELECT * FROM pg_temp.chunk_models(:'r');

-- An encrypted export whose checks ran at creation, imported with its key.
SELECT pg_temp.new_relocation(23, decode(:'enc', 'base64'), private_key => :'key') AS r \gset
SELECT count(*) AS imported FROM relocate_importing(:'r', private_key => :'key');
SELECT latest_task, status FROM pg_temp.state(:'r');

-- An encrypted export whose checks were deferred: they run first, then the import.
SELECT pg_temp.new_relocation(24, decode(:'enc', 'base64')) AS r \gset
SELECT count(*) AS imported FROM relocate_importing(:'r', :'key');
SELECT * FROM pg_temp.state(:'r');
-- ... and a deferred check that fails: Sentry's preprocessing text, nothing imported.
SELECT pg_temp.new_relocation(25, decode(:'enc', 'base64'), ARRAY['nothere']) AS r \gset
SET client_min_messages = notice;
SELECT count(*) AS imported FROM relocate_importing(:'r', :'key');
SET client_min_messages = warning;
SELECT step, status, latest_task, failure_reason FROM pg_temp.state(:'r');

-- ---- the gate (start_relocation_task) at importing -------------------------------------------

\i test/regress/setup.sql
SELECT pg_temp.add_people();
SET client_min_messages = notice;
-- A relocation that does not exist: nothing, and a NOTICE.
SELECT * FROM relocate_importing('00000000-0000-4000-8000-00000000dead');

-- test_pause: a pause scheduled at IMPORTING, reached from VALIDATING (as in Sentry's test):
-- PAUSE at step IMPORTING, the schedule cleared, latest_task IMPORTING, nothing imported.
SELECT pg_temp.new_relocation(31, convert_to(:'fresh', 'UTF8')) AS r \gset
UPDATE sentry_relocation SET step = 3, scheduled_pause_at_step = 4 WHERE uuid = :'r';
SELECT * FROM relocate_importing(:'r');
SELECT step, status, latest_task, attempts, (SELECT scheduled_pause_at_step FROM sentry_relocation WHERE uuid = :'r')
  FROM pg_temp.state(:'r');
-- A paused relocation stays paused (Sentry's unpause sets IN_PROGRESS, then runs the task).
SELECT * FROM relocate_importing(:'r');
SELECT status, attempts FROM pg_temp.state(:'r');
UPDATE sentry_relocation SET status = 0 WHERE uuid = :'r';
SELECT count(*) AS imported FROM relocate_importing(:'r');
SELECT status, latest_task, attempts FROM pg_temp.state(:'r');

-- A cancel scheduled at IMPORTING: FAILURE with Sentry's text, both schedules cleared, no e-mail.
SELECT pg_temp.new_relocation(32, convert_to(:'fresh', 'UTF8')) AS r \gset
UPDATE sentry_relocation SET step = 3, scheduled_cancel_at_step = 4, scheduled_pause_at_step = 5 WHERE uuid = :'r';
SELECT * FROM relocate_importing(:'r');
SELECT s.*, r.scheduled_pause_at_step, r.scheduled_cancel_at_step
  FROM pg_temp.state(:'r') s, sentry_relocation r WHERE r.uuid = :'r';

-- Wrong order: the last task recorded is earlier than VALIDATING_COMPLETE: FAILURE (Sentry's
-- newest gate fails it, with no reason; relocate records the gate's log line).
SELECT pg_temp.new_relocation(33, convert_to(:'fresh', 'UTF8')) AS r \gset
UPDATE sentry_relocation SET latest_task = 'PREPROCESSING_SCAN', step = 2 WHERE uuid = :'r';
SELECT * FROM relocate_importing(:'r');
SELECT * FROM pg_temp.state(:'r');

-- Attempts exhausted: IMPORTING already ran 5 times (MAX_SLOW_TASK_ATTEMPTS).
SELECT pg_temp.new_relocation(34, convert_to(:'fresh', 'UTF8')) AS r \gset
UPDATE sentry_relocation SET latest_task = 'IMPORTING', latest_task_attempts = 5 WHERE uuid = :'r';
SELECT * FROM relocate_importing(:'r');
SELECT * FROM pg_temp.state(:'r');

-- A finished relocation (SUCCESS or FAILURE): nothing happens.
UPDATE sentry_relocation SET status = 2, failure_reason = NULL WHERE uuid = :'r';
SELECT * FROM relocate_importing(:'r');
SELECT status, attempts FROM pg_temp.state(:'r');

-- A latest_task that is not an OrderedTask name (Sentry: an unhandled KeyError): an ERROR.
SELECT pg_temp.new_relocation(35, convert_to(:'fresh', 'UTF8')) AS r \gset
UPDATE sentry_relocation SET latest_task = '' WHERE uuid = :'r';
SELECT * FROM relocate_importing(:'r');
SELECT latest_task, attempts FROM pg_temp.state(:'r');
SELECT count(*) AS orgs FROM sentry_organization;
SET client_min_messages = warning;

-- ---- failures of the import -----------------------------------------------------------------

\i test/regress/setup.sql
SELECT pg_temp.add_people();
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s user=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
       current_database(), current_user));
SELECT dblink_exec('other', 'SET search_path = sentry, public');
SET client_min_messages = notice;

-- test_retry_if_attempts_left: a transient error (here a lock timeout: another session holds the
-- projects table) leaves the relocation IN_PROGRESS without a failure_reason, the attempt
-- counted; nothing of the import is kept. The next call imports.
SELECT pg_temp.new_relocation(41, convert_to(:'fresh', 'UTF8')) AS r \gset
SELECT dblink_exec('other', 'BEGIN');
SELECT dblink_exec('other', 'LOCK TABLE sentry_project IN ACCESS EXCLUSIVE MODE');
SET lock_timeout = '200ms';
SELECT * FROM relocate_importing(:'r');
RESET lock_timeout;
SELECT * FROM pg_temp.state(:'r');
SELECT count(*) AS users, (SELECT count(*) FROM sentry_organization) AS orgs, (SELECT count(*) FROM import_chunks()) AS chunks
  FROM auth_user;
SELECT dblink_exec('other', 'COMMIT');
SELECT count(*) AS imported FROM relocate_importing(:'r');
SELECT status, latest_task, attempts, failure_reason FROM pg_temp.state(:'r');

-- test_fail_if_no_attempts_left: the same error on the fifth attempt fails the relocation, with
-- the cause instead of Sentry's bare "Internal error while importing.".
SELECT pg_temp.new_relocation(42, convert_to(:'fresh', 'UTF8')) AS r \gset
UPDATE sentry_relocation SET latest_task = 'IMPORTING', latest_task_attempts = 4 WHERE uuid = :'r';
SELECT dblink_exec('other', 'BEGIN');
SELECT dblink_exec('other', 'LOCK TABLE sentry_project IN ACCESS EXCLUSIVE MODE');
SET lock_timeout = '200ms';
SELECT * FROM relocate_importing(:'r');
RESET lock_timeout;
SELECT dblink_exec('other', 'COMMIT');
SELECT * FROM pg_temp.state(:'r');

-- An error that a retry would hit again fails the relocation at once (Sentry would retry four
-- more times, then fail): no partial rows, the failure record kept.
CREATE FUNCTION sentry.refuse_projects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'projects are refused here' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER refuse BEFORE INSERT ON sentry_project FOR EACH ROW EXECUTE FUNCTION sentry.refuse_projects();
SELECT pg_temp.new_relocation(43, convert_to(:'fresh', 'UTF8')) AS r \gset
SELECT count(*) AS users_before FROM auth_user;
SELECT * FROM relocate_importing(:'r');
SELECT * FROM pg_temp.state(:'r');
SELECT count(*) AS users_after, (SELECT count(*) FROM import_chunks() WHERE import_uuid = :'r') AS chunks FROM auth_user;
-- A cause longer than failure_reason's 256 characters is cut at a character boundary, with "…".
CREATE OR REPLACE FUNCTION sentry.refuse_projects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'projects are refused here: %', repeat('é', 300) USING ERRCODE = 'check_violation';
END $$;
SELECT pg_temp.new_relocation(40, convert_to(:'fresh', 'UTF8')) AS r \gset
SET client_min_messages = warning;
SELECT count(*) FROM relocate_importing(:'r');
SET client_min_messages = notice;
SELECT status, char_length(failure_reason) AS characters, octet_length(failure_reason) AS bytes,
       left(failure_reason, 78) AS starts, right(failure_reason, 3) AS ends
  FROM pg_temp.state(:'r');
DROP TRIGGER refuse ON sentry_project;
-- FAILURE is final: a retry does nothing.
SELECT * FROM relocate_importing(:'r');

-- Bad input. A relocation without its RAW_USER_DATA file:
SELECT pg_temp.new_relocation(44, convert_to(:'fresh', 'UTF8')) AS r \gset
DELETE FROM sentry_relocationfile WHERE relocation_id = (SELECT id FROM sentry_relocation WHERE uuid = :'r');
SELECT * FROM relocate_importing(:'r');
SELECT status, latest_task, attempts, failure_reason FROM pg_temp.state(:'r');
-- A File whose contents relocate does not have (Sentry keeps an upload's bytes in its filestore):
SELECT pg_temp.new_relocation(45, convert_to(:'fresh', 'UTF8')) AS r \gset
DELETE FROM relocate_relocation_file WHERE relocation_uuid = :'r';
SELECT * FROM relocate_importing(:'r');
SELECT status, failure_reason FROM pg_temp.state(:'r');
-- A file that is not an export (its large object's contents replaced):
SELECT pg_temp.new_relocation(46, convert_to(:'fresh', 'UTF8')) AS r \gset
-- (its recorded size and SHA-1 with it: the file the relocation has, only not an export)
\set not_export_sha1 `printf 'this is not an export' | sha1sum | cut -c1-40`
UPDATE relocate_relocation_file SET data = lo_from_bytea(0, 'this is not an export'), size = 21,
                                    checksum = :'not_export_sha1'
 WHERE relocation_uuid = :'r';
SELECT * FROM relocate_importing(:'r');
SELECT status, failure_reason FROM pg_temp.state(:'r');
-- The wrong key (the checks passed at creation with the right one):
SELECT pg_temp.new_relocation(47, decode(:'enc', 'base64'), private_key => :'key') AS r \gset
SELECT * FROM relocate_importing(:'r', :'other_key');
SELECT status, failure_reason FROM pg_temp.state(:'r');
-- No key for an encrypted export, or a key argument that cannot be read: an ERROR, and the
-- relocation as it was (no attempt spent).
SELECT pg_temp.new_relocation(48, decode(:'enc', 'base64'), private_key => :'key') AS r \gset
SELECT * FROM relocate_importing(:'r');
SELECT * FROM relocate_importing(:'r', 'relative/key.pem');
SELECT * FROM relocate_importing(:'r', '/tmp/relocate-regress-no-such-key.pem');
SELECT status, latest_task, attempts FROM pg_temp.state(:'r');
-- The wrong key when the checks were deferred: Sentry's decryption text.
SELECT pg_temp.new_relocation(49, decode(:'enc', 'base64')) AS r \gset
SELECT * FROM relocate_importing(:'r', :'other_key');
SELECT status, failure_reason FROM pg_temp.state(:'r');
SELECT count(*) AS users, (SELECT count(*) FROM sentry_organization) AS orgs FROM auth_user;

-- Two sessions on one relocation: the second waits for the first's row lock, then sees what it
-- committed (its attempt, its chunks): the second run is attempt 2, and a no-op.
SELECT pg_temp.new_relocation(50, convert_to(:'fresh', 'UTF8')) AS r \gset
SET client_min_messages = warning;
BEGIN;
SELECT count(*) AS imported FROM relocate_importing(:'r');
SELECT dblink_send_query('other', format('SELECT count(*) FROM relocate_importing(%L)', :'r'));
SELECT pg_sleep(0.5);
SELECT dblink_is_busy('other') AS other_session_waits;
COMMIT;
SELECT * FROM dblink_get_result('other') AS t(imported bigint);
SELECT * FROM dblink_get_result('other') AS t(imported bigint);
SELECT status, latest_task, attempts, failure_reason FROM pg_temp.state(:'r');
SELECT count(*) AS testing_orgs FROM sentry_organization WHERE slug LIKE 'testing%';
-- The same for two imports with one import_uuid (relocate_import's advisory lock): the second
-- finds the first's chunks once it may go on, and writes nothing.
SELECT count(*) AS orgs_before FROM sentry_organization;
BEGIN;
SELECT sum(inserted) AS inserted FROM relocate_import(:'fresh', import_uuid => '00000000-0000-4000-8000-0000000000d1');
SELECT dblink_send_query('other', format('SELECT sum(inserted), sum(reused) FROM relocate_import(%L::text, import_uuid => %L)',
                                         :'fresh', '00000000-0000-4000-8000-0000000000d1'));
SELECT pg_sleep(0.5);
SELECT dblink_is_busy('other') AS other_session_waits;
COMMIT;
SELECT * FROM dblink_get_result('other') AS t(inserted numeric, reused numeric);
SELECT * FROM dblink_get_result('other') AS t(inserted numeric, reused numeric);
SELECT count(*) AS orgs_after FROM sentry_organization;
SELECT dblink_disconnect('other');

-- ---- ControlImportChunkReplica --------------------------------------------------------------

-- Every import writes the replica of its control chunks, the same rows (not only relocations).
\i test/regress/setup.sql
SELECT count(*) > 0 AS imported FROM relocate_import(:'fresh', import_uuid => '00000000-0000-4000-8000-0000000000c1');
SELECT c.model, c.min_ordinal, c.inserted_map = r.inserted_map AS same_map, c.existing_map = r.existing_map AS same_existing,
       c.inserted_identifiers = r.inserted_identifiers AS same_identifiers
  FROM sentry_controlimportchunk c FULL JOIN sentry_controlimportchunkreplica r USING (import_uuid, model, min_ordinal)
 ORDER BY 1, 2;
-- A re-run with the same uuid writes the replicas the chunks lack (e.g. chunks of relocate 0.1.0).
DELETE FROM sentry_controlimportchunkreplica;
SELECT count(*) > 0 AS rerun FROM relocate_import(:'fresh', import_uuid => '00000000-0000-4000-8000-0000000000c1');
SELECT count(*) AS replicas FROM sentry_controlimportchunkreplica;
-- A target without the replica table (an older Sentry): the chunks without it, and one NOTICE.
\i test/regress/setup.sql
SELECT pg_temp.add_people();
DROP TABLE sentry_controlimportchunkreplica;
SET client_min_messages = notice;
SELECT count(*) > 0 AS imported FROM relocate_import(:'fresh', import_uuid => '00000000-0000-4000-8000-0000000000c2');
SET client_min_messages = warning;
SELECT count(*) AS control_chunks FROM sentry_controlimportchunk WHERE import_uuid = '00000000-0000-4000-8000-0000000000c2';
-- ... where notifying_users cannot find the imported users: it fails, saying why.
SELECT pg_temp.new_relocation(51, convert_to(:'fresh', 'UTF8')) AS r \gset
SELECT task, outcome FROM relocate_relocation_run(:'r');
SELECT step, status, latest_task, failure_reason FROM pg_temp.state(:'r');

-- ---- after importing: postprocessing, notifying_unhide, notifying_users, notifying_owner, completed

\i test/regress/setup.sql
SELECT pg_temp.add_people();
SELECT pg_temp.new_relocation(61, convert_to(:'fresh', 'UTF8')) AS r \gset
SELECT organization_id AS org FROM relocate_importing(:'r') \gset
-- PostprocessingTest.test_success: one owner member with global access before, two after; the
-- relocation's owner is one of them.
SELECT count(*) AS owners, count(*) FILTER (WHERE user_id = 2) AS relocation_owner FROM sentry_organizationmember
 WHERE organization_id = :org AND role = 'owner' AND has_global_access;
SELECT organization_id = :org AS org, slug ~ '^testing-' AS slug, member_id IS NOT NULL AS member, member_added
  FROM relocate_postprocessing(:'r');
SELECT count(*) AS owners, count(*) FILTER (WHERE user_id = 2) AS relocation_owner FROM sentry_organizationmember
 WHERE organization_id = :org AND role = 'owner' AND has_global_access;
SELECT m.role, m.flags, m.invite_status, m.type, m.email, m.inviter_id, m.token, m.user_is_active
  FROM sentry_organizationmember m WHERE m.organization_id = :org AND m.user_id = 2;
SELECT step, status, latest_task, attempts FROM pg_temp.state(:'r');
-- Run again: redundant once notifying_unhide ran; before that, attempt 2 adds nobody twice.
SELECT member_added FROM relocate_postprocessing(:'r');
SELECT count(*) AS owner_memberships FROM sentry_organizationmember WHERE organization_id = :org AND user_id = 2;

-- NotifyingUnhideTest.test_success: pending approval (3) becomes ACTIVE (0).
SELECT status AS before FROM sentry_organization WHERE id = :org;
SELECT organization_id = :org AS org, status FROM relocate_notifying_unhide(:'r');
SELECT step, latest_task FROM pg_temp.state(:'r');

-- NotifyingUsersTest.test_success: the two imported users, with their claim hash and the
-- imported organization; latest_unclaimed_emails_sent_at is set.
SELECT user_id, username, email, length(claim_hash) AS hash_length, claim_hash ~ '^[A-Za-z0-9]{32}$' AS hash_ok,
       organization_slugs = ARRAY[(SELECT slug FROM sentry_organization WHERE id = :org)::text] AS orgs_ok
  FROM relocate_notifying_users(:'r');
SELECT latest_unclaimed_emails_sent_at IS NOT NULL AS sent_at, latest_task FROM sentry_relocation WHERE uuid = :'r';
SELECT count(*) AS hashes, count(*) FILTER (WHERE h.hash = u.claim_hash) AS listed
  FROM sentry_lostpasswordhash h JOIN relocate_relocation_users(:'r') u ON u.user_id = h.user_id;

-- notifying_owner: the owner, then the creator (another user); latest_notified SUCCEEDED.
SELECT user_id, email, cardinality(organization_slugs) AS orgs FROM relocate_notifying_owner(:'r');
SELECT step, latest_task, notified FROM pg_temp.state(:'r');
-- completed: SUCCESS at step COMPLETED; then every task does nothing.
SELECT relocate_completed(:'r');
SELECT * FROM pg_temp.state(:'r');
SET client_min_messages = notice;
SELECT * FROM relocate_postprocessing(:'r');
SELECT relocate_completed(:'r');
SELECT relocate_completed('00000000-0000-4000-8000-00000000dead') IS NULL AS missing;
SET client_min_messages = warning;

-- postprocessing keeps an existing membership as it is (add_organization_member); a scheduled
-- pause at POSTPROCESSING stops it (PostprocessingTest.test_pause).
SELECT pg_temp.new_relocation(62, convert_to(:'fresh', 'UTF8'), owner => 1) AS r \gset
UPDATE sentry_relocation SET scheduled_pause_at_step = 5 WHERE uuid = :'r';
SELECT organization_id AS org FROM relocate_importing(:'r') \gset
INSERT INTO sentry_organizationmember (organization_id, user_id, role, flags, date_added, has_global_access, invite_status, type)
VALUES (:org, 1, 'member', 0, now(), false, 0, 50);
SET client_min_messages = notice;
SELECT * FROM relocate_postprocessing(:'r');
SET client_min_messages = warning;
SELECT step, status, latest_task, (SELECT scheduled_pause_at_step FROM sentry_relocation WHERE uuid = :'r')
  FROM pg_temp.state(:'r');
UPDATE sentry_relocation SET status = 0 WHERE uuid = :'r';
SELECT member_added FROM relocate_postprocessing(:'r');
SELECT role, has_global_access FROM sentry_organizationmember WHERE organization_id = :org AND user_id = 1;

-- The sanity check of postprocessing: an imported organization whose slug starts with none of
-- want_org_slugs fails the relocation (Sentry's assert; relocate does not retry it).
SELECT pg_temp.new_relocation(63, convert_to(:'fresh', 'UTF8')) AS r \gset
SELECT organization_id AS org FROM relocate_importing(:'r') \gset
UPDATE sentry_organization SET slug = 'renamed' WHERE id = :org;
SELECT * FROM relocate_postprocessing(:'r');
SELECT step, status, latest_task, failure_reason FROM pg_temp.state(:'r');
SELECT count(*) AS owner_memberships FROM sentry_organizationmember WHERE organization_id = :org AND user_id = 2;

-- The claim hash's hour (LostPasswordHash.get_or_create): a hash made within the hour is kept,
-- an older one renewed. (Each case below starts from a fresh schema, so that the imported
-- usernames get no collision suffix.)
\i test/regress/setup.sql
SELECT pg_temp.add_people();
SELECT pg_temp.new_relocation(64, convert_to(:'fresh', 'UTF8')) AS r \gset
SELECT count(*) FROM relocate_importing(:'r');
SELECT count(*) FROM relocate_postprocessing(:'r');
SELECT count(*) FROM relocate_notifying_unhide(:'r');
CREATE TEMP TABLE hashes_before AS SELECT h.user_id, h.hash FROM sentry_lostpasswordhash h;
UPDATE sentry_lostpasswordhash SET date_added = now() - interval '2 hours'
 WHERE user_id = (SELECT (inserted_map->>'2')::bigint FROM sentry_controlimportchunkreplica WHERE import_uuid = :'r' AND model = 'sentry.user');
SELECT username, claim_hash = (SELECT b.hash FROM hashes_before b WHERE b.user_id = n.user_id) AS kept
  FROM relocate_notifying_users(:'r') n;
DROP TABLE hashes_before;

-- NotifyingUsersTest.test_success_ignore_manually_claimed_users: a user claimed since the
-- import gets no claim e-mail.
\i test/regress/setup.sql
SELECT pg_temp.add_people();
SELECT pg_temp.new_relocation(65, convert_to(:'fresh', 'UTF8')) AS r \gset
SELECT count(*) FROM relocate_importing(:'r');
SELECT count(*) FROM relocate_postprocessing(:'r');
SELECT count(*) FROM relocate_notifying_unhide(:'r');
UPDATE auth_user SET is_unclaimed = false
 WHERE id = (SELECT (inserted_map->>'1')::bigint FROM sentry_controlimportchunkreplica WHERE import_uuid = :'r' AND model = 'sentry.user');
SELECT username FROM relocate_notifying_users(:'r');

-- NotifyingUsersTest.test_fail_if_no_attempts_left: want_usernames that match no imported user
-- fail the sanity check (Sentry retries it; it would fail the same way).
SELECT pg_temp.new_relocation(68, convert_to(:'fresh', 'UTF8')) AS r \gset
SELECT count(*) FROM relocate_importing(:'r');
SELECT count(*) FROM relocate_postprocessing(:'r');
SELECT count(*) FROM relocate_notifying_unhide(:'r');
UPDATE sentry_relocation SET want_usernames = '["doesnotexist"]' WHERE uuid = :'r';
SELECT * FROM relocate_notifying_users(:'r');
SELECT status, latest_task, failure_reason FROM pg_temp.state(:'r');

-- ---- relocate_relocation_run: importing to completed in one call ------------------------------

\i test/regress/setup.sql
SELECT pg_temp.add_people();
SELECT pg_temp.new_relocation(66, decode(:'enc', 'base64')) AS r \gset
SELECT * FROM relocate_relocation_run(:'r', :'key');
SELECT * FROM pg_temp.state(:'r');
SELECT slug ~ '^testing-' AS imported, status FROM sentry_organization ORDER BY id;
SELECT count(*) AS owner_memberships FROM sentry_organizationmember WHERE user_id = 2 AND role = 'owner';
SELECT username, email, claim_hash IS NOT NULL AS has_hash FROM relocate_relocation_users(:'r');
-- Run again: nothing to do.
SELECT * FROM relocate_relocation_run(:'r');
-- Stopped by a pause at NOTIFYING, then resumed after the unpause.
SELECT pg_temp.new_relocation(67, convert_to(:'fresh', 'UTF8')) AS r \gset
UPDATE sentry_relocation SET scheduled_pause_at_step = 6 WHERE uuid = :'r';
SELECT * FROM relocate_relocation_run(:'r');
UPDATE sentry_relocation SET status = 0 WHERE uuid = :'r';
SELECT * FROM relocate_relocation_run(:'r');
SELECT step, status, latest_task FROM pg_temp.state(:'r');
SELECT * FROM relocate_relocation_run('00000000-0000-4000-8000-00000000dead');

-- ---- a hostile search_path ------------------------------------------------------------------

-- A schema ahead of pg_catalog with its own = (and <>) on every type the statements compare:
-- none of them may be called.
\i test/regress/setup.sql
SELECT pg_temp.add_people();
CREATE SCHEMA hostile;
DO $$
DECLARE
    t text;
    i int := 0;
BEGIN
    FOREACH t IN ARRAY ARRAY['bigint', 'integer', 'smallint', 'text', 'uuid', 'oid', '"char"', 'name', 'boolean',
                             'jsonb', 'timestamptz', 'bytea', 'character varying'] LOOP
        i := i + 1;
        EXECUTE format('CREATE FUNCTION hostile.refuse%s(%s, %s) RETURNS boolean LANGUAGE plpgsql AS '
                       '$f$BEGIN RAISE EXCEPTION ''hostile operator called on %s''; END$f$', i, t, t, t);
        EXECUTE format('CREATE OPERATOR hostile.= (LEFTARG = %s, RIGHTARG = %s, FUNCTION = hostile.refuse%s)', t, t, i);
        EXECUTE format('CREATE OPERATOR hostile.<> (LEFTARG = %s, RIGHTARG = %s, FUNCTION = hostile.refuse%s)', t, t, i);
    END LOOP;
END $$;
-- The hostile operators are really found first:
SET search_path = hostile, pg_catalog, sentry, public;
SELECT 1::bigint = 1::bigint;
SET search_path = hostile, pg_catalog, sentry, public;
SELECT pg_temp.fix_uuid(relocate_relocation_create(decode(:'enc', 'base64'), ARRAY['testing'], 2, 3,
                                                   private_key => :'key'), 71) AS r \gset
SELECT * FROM relocate_relocation_run(:'r', :'key');
SELECT count(*) AS users_to_notify FROM relocate_relocation_users(:'r');
SELECT pg_temp.fix_uuid(relocate_relocation_create(convert_to(:'fresh', 'UTF8'), ARRAY['testing'], 2, 3), 72) AS r \gset
SELECT count(*) AS imported FROM relocate_importing(:'r');
SELECT count(*) FROM relocate_postprocessing(:'r');
SELECT count(*) FROM relocate_notifying_unhide(:'r');
SELECT count(*) FROM relocate_notifying_users(:'r');
SELECT count(*) FROM relocate_notifying_owner(:'r');
SELECT relocate_completed(:'r');
SET search_path = sentry, public;
SELECT r.uuid, s.status, s.latest_task, s.failure_reason FROM sentry_relocation r, pg_temp.state(r.uuid) s ORDER BY 1;
DROP SCHEMA hostile CASCADE;

-- ---- reset => true and the relocations' export files --------------------------------------------
-- A reset empties every Sentry table, sentry_relocation and sentry_file among them; the export files
-- relocate keeps for those relocations (relocate_relocation_file, one large object each) go too,
-- rather than stay behind naming sentry_file ids that the restarted sequence hands out again. (The
-- files of relocations that are not in this sentry_relocation, here those of the setups above, are
-- left alone: they may be another Sentry schema's.)
\set QUIET on
CREATE TEMP TABLE kept_files AS
    SELECT data FROM relocate_relocation_file WHERE relocation_uuid IN (SELECT uuid FROM sentry_relocation);
CREATE TEMP TABLE other_files AS
    SELECT data FROM relocate_relocation_file WHERE relocation_uuid NOT IN (SELECT uuid FROM sentry_relocation);
\set QUIET off
SELECT count(*) > 0 AS has_files,
       count(*) = (SELECT count(*) FROM pg_largeobject_metadata WHERE oid IN (SELECT data FROM kept_files)) AS each_a_large_object
  FROM kept_files;
-- One of them already unlinked by its owner: the reset removes its row all the same.
SELECT count(lo_unlink(data)) AS unlinked_by_owner FROM (SELECT data FROM kept_files LIMIT 1) f;
SET client_min_messages = notice;
SELECT count(*) AS rows FROM relocate_import('[]', scope => 'global', reset => true,
                                             import_uuid => '00000000-0000-4000-8000-000000000081');
SET client_min_messages = warning;
SELECT (SELECT count(*) FROM sentry_relocation) AS relocations, (SELECT count(*) FROM sentry_file) AS files,
       (SELECT count(*) FROM relocate_relocation_file WHERE data IN (SELECT data FROM kept_files)) AS relocation_files,
       (SELECT count(*) FROM pg_largeobject_metadata WHERE oid IN (SELECT data FROM kept_files)) AS large_objects,
       (SELECT count(*) FROM relocate_relocation_file WHERE data IN (SELECT data FROM other_files))
           = (SELECT count(*) FROM other_files) AS others_kept;
DROP TABLE kept_files, other_files;
-- A reset in the transaction that created a relocation: its foreign key checks are still pending, so
-- PostgreSQL cannot TRUNCATE; a 55006 that says so, and nothing is emptied.
BEGIN;
SELECT pg_temp.add_people();
SELECT pg_temp.new_relocation(80, convert_to(:'fresh', 'UTF8')) IS NOT NULL AS created;
SAVEPOINT before_reset;
SELECT count(*) FROM relocate_import('[]', scope => 'global', reset => true);
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO before_reset;
SELECT count(*) AS relocations,
       (SELECT count(*) FROM relocate_relocation_file WHERE relocation_uuid IN (SELECT uuid FROM sentry_relocation))
           AS relocation_files
  FROM sentry_relocation;
ROLLBACK;

-- ---- The export's large object changed after the relocation was created ------------------------
-- relocate_relocation_create keeps the caller's large object; its owner can still write it. The
-- importing step reads it only if it is still the file the checks passed (the size and SHA-1 in
-- relocate_relocation_file): here another organization's name was written over it.
\i test/regress/setup.sql
SELECT pg_temp.add_people();
SELECT lo_from_bytea(0, convert_to(:'fresh', 'UTF8')) AS tampered \gset
SELECT pg_temp.fix_uuid(relocate_relocation_create(:tampered, ARRAY['testing'], 2, 3), 90) AS r \gset
SELECT lo_put(:tampered, position('"name": "testing"' IN :'fresh') + 8, convert_to('PWNED!!', 'UTF8'));
SELECT count(*) AS imported FROM relocate_importing(:'r');
SELECT * FROM pg_temp.state(:'r');
SELECT count(*) AS organizations, count(*) FILTER (WHERE name LIKE 'PWNED%') AS tampered FROM sentry_organization;
SELECT lo_unlink(:tampered) AS unlinked;
