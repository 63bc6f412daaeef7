-- Concurrent imports that must all succeed (issue 8, points 3 and 4): eight sessions (dblink) import
-- colliding exports at once. Every import takes its one lock at its start, before its first write,
-- so exports with users before organizations and with organizations first cannot deadlock (40P01
-- in 4 to 6 of 8 sessions before); each sees what the one before it committed, so shared new
-- emails are found instead of colliding (23505 in 7 of 8 before), and a session that waited for the
-- same import_uuid reuses its chunks (23505 on the chunk table before). REPEATABLE READ and
-- SERIALIZABLE transactions are refused up front: their snapshot predates the lock.
\i test/regress/setup.sql
\set threeorgs `cat test/fixtures/relocate/three-orgs.json`
\set ddl `cat test/schema/sentry.sql`
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public;
DROP TABLE IF EXISTS public.exports;

-- Two orders of one export: three-orgs.json has emails, organizations, users, user emails,
-- members, org auth tokens; "users first" moves the users and their emails ahead of the
-- organizations. Both are in Sentry's dependency order.
CREATE TABLE public.exports AS
SELECT 'organizations first' AS name, :'threeorgs'::text AS export
UNION ALL
SELECT 'users first', (SELECT jsonb_agg(e ORDER BY CASE e->>'model' WHEN 'sentry.email' THEN 0 WHEN 'sentry.user' THEN 1
                                                     WHEN 'sentry.useremail' THEN 2 WHEN 'sentry.organization' THEN 3
                                                     ELSE 4 END, o)
                         FROM jsonb_array_elements(:'threeorgs'::jsonb) WITH ORDINALITY AS t(e, o))::text;
SELECT name, (SELECT string_agg(m, ' < ' ORDER BY first) FROM (SELECT e->>'model' AS m, min(o) AS first FROM jsonb_array_elements(export::jsonb)
              WITH ORDINALITY t(e, o) GROUP BY 1) x) AS model_order
  FROM public.exports ORDER BY name;

-- What a session runs: one import in its own transaction; its outcome as text. "ok" when the
-- summary accounts for every entry of the file.
CREATE OR REPLACE FUNCTION public.try_import(export text, scope text, uuid uuid DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    s record;
    hint text;
BEGIN
    SELECT sum(inserted) AS inserted, sum(existing) AS existing, sum(skipped) AS skipped, sum(reused) AS reused,
           sum(inserted + existing + overwritten + skipped + reused) AS accounted INTO s
      FROM relocate_import(export, scope => scope, import_uuid => uuid);
    IF s.accounted IS DISTINCT FROM jsonb_array_length(export::jsonb) THEN
        RETURN format('%s of %s entries accounted for', s.accounted, jsonb_array_length(export::jsonb));
    END IF;
    RETURN format('ok: %s inserted, %s existing, %s skipped, %s reused', s.inserted, s.existing, s.skipped, s.reused);
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' (hint: ' || nullif(hint, '') || ')', '');
END $$;

-- Waits (at most a minute) until another session whose query is LIKE `pattern` waits for a lock.
CREATE OR REPLACE FUNCTION public.wait_for_waiter(pattern text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    FOR i IN 1..1200 LOOP
        IF EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                    WHERE NOT l.granted AND a.query LIKE pattern AND a.pid <> pg_backend_pid()) THEN
            RETURN true;
        END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN false;
END $$;

-- Eight sessions.
SELECT format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port'), current_database(), current_user) AS connstr \gset
SELECT count(*) AS connected FROM generate_series(1, 8) g, dblink_connect('s' || g, :'connstr') c WHERE c = 'OK';
SELECT count(*) AS set_up FROM generate_series(1, 8) g,
       dblink_exec('s' || g, 'SET search_path = sentry, public; SET client_min_messages = warning; '
                             'SET relocate.password_hash_iterations = 1000; '
                             'SET relocate.url_prefix = ''https://sentry.example.com''') e;
SET relocate.url_prefix = 'https://sentry.example.com'; -- org auth tokens that collide are minted anew
-- Sends `query` (with %s for the session number) to every session while this one holds the import
-- lock, waits until `waiters` of them wait for it, then lets them all go at once.
CREATE OR REPLACE FUNCTION pg_temp.start_all(query text, waiters int DEFAULT 8) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    waiting bigint;
BEGIN
    LOCK TABLE relocate_import_lock IN SHARE UPDATE EXCLUSIVE MODE;
    PERFORM dblink_send_query('s' || g, format(query, g)) FROM generate_series(1, 8) g;
    FOR i IN 1..1200 LOOP
        SELECT count(*) INTO waiting FROM pg_locks WHERE relation = 'relocate_import_lock'::regclass AND NOT granted;
        EXIT WHEN waiting = waiters;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RETURN waiting; -- the lock is released when this statement's transaction commits
END $$;
-- The sessions' outcomes: how many had each (which session went first is up to the lock).
CREATE OR REPLACE FUNCTION pg_temp.outcomes() RETURNS TABLE (outcome text, sessions bigint) LANGUAGE sql AS $$
    SELECT r, count(*) FROM generate_series(1, 8) g, dblink_get_result('s' || g) AS t(r text) GROUP BY r ORDER BY r
$$;
CREATE OR REPLACE FUNCTION pg_temp.finish() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM generate_series(1, 8) g, dblink_get_result('s' || g) AS t(r text)
$$;

-- One import alone first: what it writes to each table.
SELECT public.try_import(export, 'organization') FROM public.exports WHERE name = 'organizations first';
CREATE TEMP TABLE single AS SELECT table_name, row_count FROM public.sentry_fingerprint();
SELECT public.reset_sentry(:'ddl');

-- 1. Eight colliding imports at once, in READ COMMITTED: sessions 1, 3, 5, 7 import users before
-- organizations, 2, 4, 6, 8 the reverse; every username, slug and email is the same in all eight,
-- and the emails are new to the database.
SELECT pg_temp.start_all('SELECT public.try_import(export, ''organization'') FROM public.exports WHERE name = '
                         '(CASE WHEN %s %% 2 = 1 THEN ''users first'' ELSE ''organizations first'' END)') AS waiting;
SELECT * FROM pg_temp.outcomes();
SELECT pg_temp.finish();
-- Eight times what one import writes, but one Email per address (Sentry's get-or-create by email):
-- no row lost, none twice.
SELECT s.table_name, s.row_count AS alone, coalesce(a.row_count, 0) AS eight_at_once
  FROM single s LEFT JOIN public.sentry_fingerprint() a USING (table_name)
 WHERE coalesce(a.row_count, 0) <> s.row_count * CASE s.table_name WHEN 'sentry_email' THEN 1 ELSE 8 END
 ORDER BY 1;
SELECT (SELECT count(*) FROM auth_user) AS users, (SELECT count(DISTINCT lower(username)) FROM auth_user) AS distinct_usernames,
       (SELECT count(*) FROM sentry_organization) AS organizations, (SELECT count(DISTINCT slug) FROM sentry_organization) AS distinct_slugs,
       (SELECT count(*) FROM sentry_email) AS emails, (SELECT count(DISTINCT lower(email)) FROM sentry_email) AS distinct_emails;
-- One PRIMARY slug reservation per organization, with its slug.
SELECT count(*) AS organizations,
       count(*) FILTER (WHERE (SELECT count(*) FROM sentry_organizationslugreservation r WHERE r.organization_id = o.id) = 1
                          AND EXISTS (SELECT 1 FROM sentry_organizationslugreservation r
                                       WHERE r.organization_id = o.id AND r.slug = o.slug AND r.reservation_type = 0))
           AS with_one_reservation
  FROM sentry_organization o;
SELECT public.reset_sentry(:'ddl');

-- 2. The same import_uuid in eight sessions: one writes, the seven that waited for it find its
-- chunks (committed after their statements began) and reuse them: what the first inserted, they
-- count as reused.
SELECT pg_temp.start_all('SELECT public.try_import(export, ''organization'', ''00000000-0000-4000-8000-0000000c0c01'') '
                         'FROM public.exports WHERE name = ''organizations first'' AND %s > 0') AS waiting;
SELECT * FROM pg_temp.outcomes();
SELECT pg_temp.finish();
SELECT s.table_name, s.row_count AS alone, coalesce(a.row_count, 0) AS same_uuid_eight_times
  FROM single s LEFT JOIN public.sentry_fingerprint() a USING (table_name)
 WHERE coalesce(a.row_count, 0) <> s.row_count ORDER BY 1;
SELECT public.reset_sentry(:'ddl');

-- 3. REPEATABLE READ (sessions 1 to 4) and SERIALIZABLE (5 to 8): refused up front, nothing
-- written; an explicit READ COMMITTED transaction imports.
SELECT count(*) AS begun FROM generate_series(1, 8) g,
       dblink_exec('s' || g, CASE WHEN g <= 4 THEN 'BEGIN ISOLATION LEVEL REPEATABLE READ'
                                  ELSE 'BEGIN ISOLATION LEVEL SERIALIZABLE' END) e;
SELECT pg_temp.start_all('SELECT public.try_import(export, ''organization'') FROM public.exports '
                         'WHERE name = ''users first'' AND %s > 0', waiters => 0) AS waiting;
SELECT * FROM pg_temp.outcomes();
SELECT pg_temp.finish();
SELECT count(*) AS rolled_back FROM generate_series(1, 8) g, dblink_exec('s' || g, 'ROLLBACK') e;
SELECT (SELECT count(*) FROM auth_user) AS users, (SELECT count(*) FROM sentry_organization) AS organizations;
SELECT dblink_exec('s1', 'BEGIN ISOLATION LEVEL READ COMMITTED');
SELECT * FROM dblink('s1', 'SELECT public.try_import(export, ''organization'') FROM public.exports WHERE name = ''users first''')
    AS t(outcome text);
SELECT dblink_exec('s1', 'COMMIT');
SELECT public.reset_sentry(:'ddl');

-- 4. A writer that is not an import (Sentry itself, say) adds an email after the import looked for
-- it: the import's INSERT waits for that transaction and then collides. That is a serialization
-- failure (40001: what the import read changed under it), which clients and relocate_importing
-- retry; the hint says what happened, not that Sentry has no rule for emails.
BEGIN;
INSERT INTO sentry_email (email, date_added) VALUES ('late@example.com', now());
SELECT dblink_send_query('s1', 'SELECT public.try_import(''[{"model": "sentry.email", "pk": 1, "fields": '
                               '{"email": "late@example.com", "date_added": "2023-06-22T00:00:00Z"}}]'', ''user'')');
SELECT public.wait_for_waiter('%late@example.com%');
COMMIT;
SELECT * FROM dblink_get_result('s1') AS t(outcome text);
SELECT * FROM dblink_get_result('s1') AS t(outcome text);

-- 5. reset => true while another session uses a Sentry table (Sentry's web process in a
-- transaction, say): the reset does not queue its TRUNCATE behind it (which would hold up every
-- query after it) but fails at once, 55P03, naming the table, and nothing is emptied.
SELECT public.reset_sentry(:'ddl');
INSERT INTO sentry_option (key, value, last_updated) VALUES ('kept', '1', now());
SELECT dblink_exec('s1', 'BEGIN');
SELECT * FROM dblink('s1', 'SELECT count(*) FROM sentry.sentry_option') AS t(options bigint);
\set VERBOSITY default
SELECT * FROM relocate_import('[]', scope => 'global', reset => true);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY terse
SELECT dblink_exec('s1', 'COMMIT');
SELECT count(*) AS options_kept FROM sentry_option;
SELECT count(*) AS rows_after_reset FROM relocate_import('[]', scope => 'global', reset => true);
SELECT count(*) AS options_after_reset FROM sentry_option;

-- 6. The same race on a row relocate derives: Sentry reserves the slug "race" (uncommitted) after
-- the import found it free; the import's slug reservation waits, then collides: 40001, naming the
-- reservation made for the organization's entry.
BEGIN;
INSERT INTO sentry_organizationslugreservation (slug, organization_id, user_id, region_name, reservation_type, date_added)
VALUES ('race', 999, NULL, '--monolith--', 0, now());
SELECT dblink_send_query('s1', 'SELECT public.try_import(''[{"model": "sentry.organization", "pk": 5, "fields": '
                               '{"name": "Race", "slug": "race", "date_added": "2023-06-22T00:00:00Z"}}]'', ''organization'')');
SELECT public.wait_for_waiter('%"slug": "race"%');
COMMIT;
SELECT * FROM dblink_get_result('s1') AS t(outcome text);
SELECT * FROM dblink_get_result('s1') AS t(outcome text);
SELECT count(*) AS organizations FROM sentry_organization;

-- 7. A relocation task in one session, and in another a transaction that imported and then runs a
-- task of the same relocation: a task takes the import lock before its relocation's row, as an
-- import takes it before anything else, so the first waits for the import lock without holding the
-- row, and neither waits for the other in the opposite order (40P01 in one of them before).
SELECT public.reset_sentry(:'ddl');
INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed,
                       is_password_expired, flags, date_joined)
VALUES ('x', 'owner@example.com', '', 'owner@example.com', false, true, false, false, false, 0, now());
SELECT relocate_relocation_create(convert_to(:'threeorgs', 'UTF8'), ARRAY['org-a'], 1) AS r \gset
CREATE OR REPLACE FUNCTION public.try_importing(relocation uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    SELECT count(*) INTO n FROM relocate_importing(relocation);
    RETURN format('ok: %s organizations', n);
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
BEGIN;
SELECT count(*) AS models FROM relocate_import('[]', scope => 'user'); -- holds the import lock
SELECT dblink_send_query('s1', format('SELECT public.try_importing(%L)', :'r'));
SELECT public.wait_for_waiter('%try_importing%');
SELECT public.try_importing(:'r') AS here;
COMMIT;
SELECT * FROM dblink_get_result('s1') AS t(other_session text);
SELECT * FROM dblink_get_result('s1') AS t(other_session text);
SELECT step, status, latest_task_attempts FROM sentry_relocation;
SELECT slug FROM sentry_organization ORDER BY slug;
SELECT count(lo_unlink(data)) AS files_removed FROM relocate_relocation_file WHERE relocation_uuid = :'r';
DELETE FROM relocate_relocation_file WHERE relocation_uuid = :'r';
DROP FUNCTION public.try_importing(uuid);

-- 8. Sentry deletes a user after the import merged an entry into it (merge_users): the rows that
-- refer to it (here its memberships) fail the import's foreign key check. That row was there when
-- the import looked, so it is a serialization failure (40001, retried by clients and
-- relocate_importing), not a 23503 as for a reference to a row the database never had.
SELECT public.reset_sentry(:'ddl');
INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed,
                       is_password_expired, flags, date_joined)
VALUES ('x', 'user_all', '', 'shared@example.com', false, true, false, false, false, 0, now());
CREATE OR REPLACE FUNCTION public.try_merge(export text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    SELECT sum(existing) INTO n FROM relocate_import(export, scope => 'organization', merge_users => true);
    RETURN format('ok: %s existing', n);
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '(= |pk )[0-9]+', '\1<n>', 'g');
END $$;
BEGIN;
LOCK TABLE sentry_organizationmember IN SHARE MODE; -- the import waits here, after it found the user
SELECT dblink_send_query('s1', 'SELECT public.try_merge(export) FROM public.exports WHERE name = ''organizations first''');
SELECT public.wait_for_waiter('%try_merge%');
DELETE FROM auth_user WHERE username = 'user_all';
COMMIT;
SELECT * FROM dblink_get_result('s1') AS t(outcome text);
SELECT * FROM dblink_get_result('s1') AS t(outcome text);
SELECT count(*) AS users, (SELECT count(*) FROM sentry_organizationmember) AS members FROM auth_user;
DROP FUNCTION public.try_merge(text);

SELECT count(*) AS disconnected FROM generate_series(1, 8) g, dblink_disconnect('s' || g) d;
DROP FUNCTION public.try_import(text, text, uuid);
DROP FUNCTION public.wait_for_waiter(text);
DROP TABLE public.exports;
