-- An import cancelled in the middle of a users batch, while it hashes their passwords at Django's
-- full count (statement_timeout, and pg_cancel_backend from another session), stops within
-- seconds, leaves no row behind, and the session goes on. relocate checks for interrupts between
-- every chunk it reads and while worker threads hash; the bound below is generous for a loaded
-- machine (without those checks the cancel waits for all 40 hashes, 10 s or more here).
\i test/regress/setup.sql
SELECT jsonb_agg(jsonb_build_object('model', 'sentry.user', 'pk', g, 'fields', jsonb_build_object(
         'password', 'pbkdf2_sha256$720000$s$h', 'username', 'user' || g, 'name', '', 'email', 'user' || g || '@example.com',
         'is_staff', false, 'is_active', true, 'is_superuser', false, 'is_managed', false, 'is_password_expired', false,
         'date_joined', '2023-06-22T00:00:00Z', 'last_active', null, 'flags', '0')))::text AS users
  FROM generate_series(1, 40) g \gset
SET relocate.password_hash_iterations = 720000;

-- statement_timeout during the batch of 40 users.
SELECT clock_timestamp() AS started \gset
SET statement_timeout = '1s';
SELECT * FROM relocate_import(:'users', scope => 'organization', import_uuid => '00000000-0000-4000-8000-0000000000a1');
RESET statement_timeout;
SELECT clock_timestamp() - :'started'::timestamptz < interval '6 seconds' AS stopped_within_seconds;
SELECT (SELECT count(*) FROM auth_user) AS users, (SELECT count(*) FROM sentry_useremail) AS useremails,
       (SELECT count(*) FROM sentry_lostpasswordhash) AS lost_password_hashes,
       (SELECT count(*) FROM sentry_controlimportchunk) AS chunks;
SELECT 1 AS session_goes_on;

-- pg_cancel_backend from another session, in the middle of the same batch.
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('importer', format('host=%s port=%s dbname=%s user=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
       current_database(), current_user));
SELECT dblink_exec('importer', 'SET search_path = sentry, public');
SELECT dblink_exec('importer', 'SET relocate.password_hash_iterations = 720000');
SELECT pid AS importer_pid FROM dblink('importer', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT dblink_send_query('importer', format('SELECT sum(inserted) FROM relocate_import(%L, scope => %L)', :'users', 'organization'));
SELECT pg_sleep(1);
SELECT clock_timestamp() AS cancelled \gset
SELECT pg_cancel_backend(:importer_pid);
SELECT * FROM dblink_get_result('importer') AS r(inserted numeric);
SELECT clock_timestamp() - :'cancelled'::timestamptz < interval '5 seconds' AS stopped_within_seconds;
SELECT * FROM dblink_get_result('importer') AS r(inserted numeric); -- the end of the results
SELECT * FROM dblink('importer', 'SELECT count(*) FROM auth_user') AS t(users bigint);

-- pg_terminate_backend in the middle of the same batch: the backend exits (FATAL) from inside the
-- import, without unwinding it; its hash workers are stopped and joined before the process exits
-- (src/core/threads.hpp), the server does not restart (a backend that crashed on its way out would
-- restart it, and end this session too), and the import's transaction leaves nothing.
SELECT pg_postmaster_start_time() AS server_started \gset
-- (The same session, its settings as above.)
SELECT dblink_send_query('importer', format('SELECT sum(inserted) FROM relocate_import(%L, scope => %L)', :'users', 'organization'));
SELECT pg_sleep(1);
SELECT pg_terminate_backend(:importer_pid, 10000) AS exited_within_seconds;
SELECT pg_postmaster_start_time() = :'server_started'::timestamptz AS server_did_not_restart;
SELECT count(*) AS users FROM auth_user;
SELECT dblink_disconnect('importer');
RESET relocate.password_hash_iterations;
