-- Progress while an import runs (issue #10): another session sees it in relocate_progress (and in
-- pg_stat_progress_copy, as COPY FROM CALLBACK): here an import of 40 users hashing their
-- passwords at Django's full count, watched from this session, then cancelled.
\i test/regress/setup.sql
SELECT jsonb_agg(jsonb_build_object('model', 'sentry.user', 'pk', g, 'fields', jsonb_build_object(
         'password', 'pbkdf2_sha256$720000$s$h', 'username', 'user' || g, 'name', '', 'email', 'user' || g || '@example.com',
         'is_staff', false, 'is_active', true, 'is_superuser', false, 'is_managed', false, 'is_password_expired', false,
         'date_joined', '2023-06-22T00:00:00Z', 'last_active', null, 'flags', '0')))::text AS users
  FROM generate_series(1, 40) g \gset

-- No import runs: no row.
SELECT count(*) AS running FROM relocate_progress;

CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('importer', format('host=%s port=%s dbname=%s user=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
       current_database(), current_user));
SELECT dblink_exec('importer', 'SET search_path = sentry, public');
SELECT dblink_exec('importer', 'SET relocate.password_hash_iterations = 720000');
SELECT pid AS importer_pid FROM dblink('importer', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT dblink_send_query('importer', format('SELECT sum(inserted) FROM relocate_import(%L, scope => %L)', :'users', 'organization'));
-- Wait (at most 60 s) until the import hashes the users' passwords (the backends' status is read
-- once per transaction unless the snapshot is cleared).
DO $$
BEGIN
    FOR i IN 1..600 LOOP
        PERFORM pg_stat_clear_snapshot();
        EXIT WHEN EXISTS (SELECT FROM relocate_progress WHERE phase = 'hashing');
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT pid = :importer_pid AS the_importer, datname = current_database() AS datname, phase, model,
       entries_read, rows_written, skipped, bytes_read <= bytes_total AS bytes_read_of_total,
       bytes_total = octet_length(:'users') AS bytes_total_is_the_export, elapsed > interval '0' AS elapsed,
       rows_per_second >= 0 AS rate
  FROM relocate_progress;
SELECT command, type, bytes_total = octet_length(:'users') AS bytes_total_is_the_export
  FROM pg_stat_progress_copy WHERE pid = :importer_pid;
SELECT pg_cancel_backend(:importer_pid);
SELECT * FROM dblink_get_result('importer') AS r(inserted numeric);
SELECT * FROM dblink_get_result('importer') AS r(inserted numeric); -- the end of the results
-- The cancelled import is gone from the view, and the session goes on.
SELECT count(*) AS running FROM relocate_progress;
SELECT * FROM dblink('importer', 'SELECT count(*) FROM auth_user') AS t(users bigint);

-- A finished import leaves no row either.
SELECT * FROM dblink('importer', format('SELECT sum(inserted) FROM relocate_import(%L, scope => %L)',
                                        (SELECT jsonb_path_query_array(:'users'::jsonb, '$[0 to 1]'))::text, 'global'))
    AS t(inserted numeric);
SELECT count(*) AS running FROM relocate_progress;

-- relocate_importing shows from its start, before its import: here while it waits for the import
-- lock that this session holds (it then checks its export's SHA-1 and imports).
\set fresh `cat test/fixtures/sentry/fresh-install.json`
SELECT relocate_relocation_create(convert_to(:'fresh', 'UTF8'), ARRAY['testing'], (SELECT min(id) FROM auth_user))
    AS relocation \gset
BEGIN;
LOCK TABLE relocate_import_lock IN SHARE UPDATE EXCLUSIVE MODE;
SELECT dblink_send_query('importer', format('SELECT count(*) FROM relocate_importing(%L)', :'relocation'));
DO $$
BEGIN
    FOR i IN 1..600 LOOP
        PERFORM pg_stat_clear_snapshot();
        EXIT WHEN EXISTS (SELECT FROM pg_stat_activity WHERE query LIKE '%relocate_importing%' AND wait_event_type = 'Lock');
        PERFORM pg_sleep(0.1);
    END LOOP;
END $$;
SELECT pid = :importer_pid AS the_importer, phase, model, entries_read, rows_written, bytes_read, bytes_total
  FROM relocate_progress;
COMMIT;
SELECT * FROM dblink_get_result('importer') AS r(organizations bigint);
SELECT * FROM dblink_get_result('importer') AS r(organizations bigint); -- the end of the results
SELECT count(*) AS running FROM relocate_progress;
SELECT latest_task, status FROM sentry_relocation WHERE uuid = :'relocation';
-- The relocation's file (the extension's table and the large object it made) goes, for the suites after this one.
SELECT count(lo_unlink(data)) AS files_removed FROM relocate_relocation_file WHERE relocation_uuid = :'relocation';
DELETE FROM relocate_relocation_file WHERE relocation_uuid = :'relocation';
SELECT dblink_disconnect('importer');

-- relocate.progress_interval: milliseconds (a unit is accepted), 0 turns the NOTICEs off.
SET relocate.progress_interval = '2s';
SHOW relocate.progress_interval;
SET relocate.progress_interval = 0;
SHOW relocate.progress_interval;
RESET relocate.progress_interval;
SHOW relocate.progress_interval;
