-- Where an export comes from: a bytea or text argument, a server file (relocate_import_file) or a
-- large object (relocate_import_large_object), each plain JSON, gzip/bzip2/xz-compressed JSON or an
-- encrypted tarball; every form imports the same rows. The server reads files and large objects as
-- a stream, never whole. Then every way such a source can be wrong, each with its SQLSTATE.
\i test/regress/setup.sql
\getenv dir PGHOST
\set key `cat test/fixtures/encrypted/test-key.pem`
\set fresh `cat test/fixtures/sentry/fresh-install.json`
\! cp test/fixtures/sentry/fresh-install.json test/fixtures/encrypted/fresh-install.tar "$PGHOST/"
\! gzip -c test/fixtures/sentry/fresh-install.json > "$PGHOST/fresh-install.json.gz"
\! bzip2 -c test/fixtures/sentry/fresh-install.json > "$PGHOST/fresh-install.json.bz2"
\! xz -c test/fixtures/sentry/fresh-install.json > "$PGHOST/fresh-install.json.xz"
\! gzip -c test/fixtures/encrypted/fresh-install.tar > "$PGHOST/fresh-install.tar.gz"
-- Two gzip members, split inside the file (gzip -c a b writes that; gunzip reads both).
\! (head -c 1000 test/fixtures/sentry/fresh-install.json | gzip -c; tail -c +1001 test/fixtures/sentry/fresh-install.json | gzip -1 -c) > "$PGHOST/fresh-install.two-members.json.gz"
\! chmod a+r "$PGHOST"/fresh-install.*
\set ddl `cat test/schema/sentry.sql`
-- Imports a source into a fresh schema and returns a digest of every table (random values left out).
CREATE FUNCTION pg_temp.imported(call text) RETURNS TABLE (tables bigint, row_count bigint, digest text)
LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    PERFORM public.reset_sentry(current_setting('regress.ddl'));
    EXECUTE call;
    RETURN QUERY SELECT count(*), sum(f.row_count)::bigint,
                        md5(string_agg(f.table_name || ':' || f.digest, ',' ORDER BY f.table_name))
                   FROM public.sentry_fingerprint('{password,validation_hash,hash,date_added,date_hash_added,last_password_change,date_updated}') f;
END $$;
SELECT set_config('regress.ddl', :'ddl', false) IS NOT NULL AS ddl_set;
SELECT set_config('regress.dir', :'dir', false) IS NOT NULL AS dir_set;
CREATE TEMP TABLE digests (source text, tables bigint, row_count bigint, digest text);
INSERT INTO digests SELECT 'bytea', * FROM pg_temp.imported(format(
    'SELECT * FROM relocate_import(convert_to(%L, %L), scope => %L, import_uuid => %L)', :'fresh', 'UTF8', 'global',
    '00000000-0000-4000-8000-00000000f001'));
INSERT INTO digests SELECT 'text', * FROM pg_temp.imported(format(
    'SELECT * FROM relocate_import(%L::text, scope => %L, import_uuid => %L)', :'fresh', 'global', '00000000-0000-4000-8000-00000000f001'));
INSERT INTO digests SELECT 'file ' || f, d.* FROM unnest(ARRAY['fresh-install.json', 'fresh-install.json.gz', 'fresh-install.two-members.json.gz',
                                                          'fresh-install.json.bz2', 'fresh-install.json.xz']) f,
    LATERAL pg_temp.imported(format('SELECT * FROM relocate_import_file(%L, scope => %L, import_uuid => %L)',
                                    current_setting('regress.dir') || '/' || f, 'global', '00000000-0000-4000-8000-00000000f001')) d;
INSERT INTO digests SELECT 'file ' || f, d.* FROM unnest(ARRAY['fresh-install.tar', 'fresh-install.tar.gz']) f,
    LATERAL pg_temp.imported(format('SELECT * FROM relocate_import_file(%L, scope => %L, import_uuid => %L, private_key => %L)',
                                    current_setting('regress.dir') || '/' || f, 'global', '00000000-0000-4000-8000-00000000f001', :'key')) d;
-- A gzip-compressed plain export as bytea is plain JSON too (not "encrypted").
INSERT INTO digests SELECT 'bytea gzip', * FROM pg_temp.imported(format(
    'SELECT * FROM relocate_import(pg_read_binary_file(%L), scope => %L, import_uuid => %L)',
    current_setting('regress.dir') || '/fresh-install.json.gz', 'global', '00000000-0000-4000-8000-00000000f001'));
-- A large object, as psql's \lo_import uploads one from the client.
\set QUIET on
\lo_import test/fixtures/sentry/fresh-install.json
\set plain_lo :LASTOID
\lo_import test/fixtures/encrypted/fresh-install.tar
\set encrypted_lo :LASTOID
\set QUIET off
INSERT INTO digests SELECT 'large object', * FROM pg_temp.imported(format(
    'SELECT * FROM relocate_import_large_object(%s, scope => %L, import_uuid => %L)', :plain_lo, 'global', '00000000-0000-4000-8000-00000000f001'));
INSERT INTO digests SELECT 'large object, encrypted', * FROM pg_temp.imported(format(
    'SELECT * FROM relocate_import_large_object(%s, scope => %L, import_uuid => %L, private_key => %L)', :encrypted_lo, 'global',
    '00000000-0000-4000-8000-00000000f001', :'key'));
SELECT source, tables, row_count, digest = (SELECT digest FROM digests WHERE source = 'bytea') AS same_rows FROM digests ORDER BY source;

-- Bad sources: each a clear ERROR with its SQLSTATE, nothing written.
CREATE FUNCTION pg_temp.outcome(call text) RETURNS text LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    EXECUTE call;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || regexp_replace(replace(SQLERRM, current_setting('regress.dir'), '<dir>'),
                                              'large object [0-9]+', 'large object <oid>');
END $$;
\i test/regress/setup.sql
SELECT set_config('regress.dir', :'dir', false) IS NOT NULL AS dir_set;
\! printf '[]' > "$PGHOST/unreadable.json" && chmod 000 "$PGHOST/unreadable.json"
SELECT f AS file, pg_temp.outcome(format('SELECT * FROM relocate_import_file(%L)',
                                          replace(f, '<dir>', current_setting('regress.dir')))) AS outcome
  FROM unnest(ARRAY['<dir>/does-not-exist.json', '<dir>', '<dir>/unreadable.json', 'fresh-install.json', NULL]) f;
SELECT pg_temp.outcome(format('SELECT * FROM relocate_import_file(%L)', current_setting('regress.dir') || '/fresh-install.tar')) AS no_key;
-- A gzip-compressed export is checked against each member's trailer (CRC-32 and length), and
-- nothing but another member may follow one: libarchive's gzip reader checks neither, so relocate
-- decompresses gzip with zlib (src/core/gunzip.cpp). Here a zeroed CRC-32, and bytes appended.
\! f="$PGHOST/bad-crc.json.gz"; gzip -c test/fixtures/sentry/fresh-install.json > "$f" && printf '\000\000\000\000' | dd of="$f" bs=1 seek=$(( $(stat -c %s "$f") - 8 )) conv=notrunc 2>/dev/null
\! (gzip -c test/fixtures/sentry/fresh-install.json; printf GARBAGE) > "$PGHOST/trailing.json.gz"
\! chmod a+r "$PGHOST/bad-crc.json.gz" "$PGHOST/trailing.json.gz"
SELECT f AS file, pg_temp.outcome(format('SELECT * FROM relocate_import_file(%L)', current_setting('regress.dir') || '/' || f)) AS outcome
  FROM unnest(ARRAY['bad-crc.json.gz', 'trailing.json.gz']) f;
SELECT count(*) AS users, (SELECT count(*) FROM sentry_organization) AS organizations FROM auth_user;
SELECT pg_temp.outcome('SELECT * FROM relocate_import_large_object(4294967295)') AS missing_large_object;
SELECT pg_temp.outcome(format('SELECT * FROM relocate_import_large_object(%s)', :encrypted_lo)) AS large_object_without_key;
SELECT pg_temp.outcome('SELECT * FROM relocate_import_large_object(NULL)') AS null_large_object;
-- A role without pg_read_server_files may not read server files, nor a large object it has no
-- SELECT on.
CREATE ROLE relocate_regress_reader;
GRANT USAGE ON SCHEMA sentry TO relocate_regress_reader;
SET ROLE relocate_regress_reader;
SELECT pg_temp.outcome(format('SELECT * FROM relocate_import_file(%L)', current_setting('regress.dir') || '/fresh-install.json')) AS without_pg_read_server_files;
SELECT pg_temp.outcome(format('SELECT * FROM relocate_import_large_object(%s)', :plain_lo)) AS without_select_on_the_large_object;
RESET ROLE;
DROP OWNED BY relocate_regress_reader;
DROP ROLE relocate_regress_reader;
-- A file that changes while it is read (here: rewritten by a trigger when the organization is
-- inserted, before the reader reaches the file's end). The reader reads at most about 2 MB ahead of
-- the import (src/core/parse_ahead.cpp), so 8 MB of whitespace after the first user (line 103 of
-- the fixture) are still unread when the organization's batch is written.
\! f="$PGHOST/changing.json"; sed -n '1,103p' test/fixtures/sentry/fresh-install.json > "$f" && head -c 8388608 /dev/zero | tr '\0' ' ' >> "$f" && sed '1,103d' test/fixtures/sentry/fresh-install.json >> "$f" && chmod a+rw "$f"
CREATE FUNCTION pg_temp.rewrite_export() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o oid := lo_from_bytea(0, '[]'::bytea);
BEGIN
    PERFORM lo_export(o, current_setting('regress.dir') || '/changing.json');
    PERFORM lo_unlink(o);
    RETURN NULL;
END $$;
CREATE TRIGGER rewrite_export AFTER INSERT ON sentry_organization FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.rewrite_export();
SELECT pg_temp.outcome(format('SELECT * FROM relocate_import_file(%L, scope => %L)', current_setting('regress.dir') || '/changing.json', 'global')) AS changing_file;
SELECT (SELECT count(*) FROM auth_user) AS users, (SELECT count(*) FROM sentry_organization) AS organizations;
SELECT lo_unlink(:plain_lo), lo_unlink(:encrypted_lo);
-- A batch with a value of 1 MiB or more is written by INSERT ... SELECT unnest(...) without ROWS
-- FROM's tuplestore (one copy less of the value): the same rows, byte for byte.
\i test/regress/setup.sql
SELECT sum(inserted) FROM relocate_import(format('[{"model": "sentry.option", "pk": 1, "fields": {"key": "big", "last_updated": "2023-06-22T00:00:00Z", "value": {"blob": "%s", "n": 1}}}, {"model": "sentry.option", "pk": 2, "fields": {"key": "small", "last_updated": "2023-06-22T00:00:00Z", "value": "%s"}}]', repeat('ab', 600000), repeat('c', 10)), scope => 'config');
SELECT key, length(value::text), value = format('{"n": 1, "blob": "%s"}', repeat('ab', 600000))::jsonb AS big_is_exact,
       left(value::text, 20) AS starts FROM sentry_option ORDER BY key;
