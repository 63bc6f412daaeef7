-- Values of 1 MiB or more: a batch that has one is written with each value held as few times as it
-- can be (its text freed once the statement's argument holds it, a jsonb value built from the parsed
-- text rather than through jsonb_in). The rows are the same, byte for byte, as those of the cast,
-- and an error on such a row still names its model, source pk and column.
\i test/regress/setup.sql
-- The export of one sentry.option per value, in one batch with a large value first, as JSON text.
CREATE FUNCTION pg_temp.options(variadic vals text[]) RETURNS text LANGUAGE sql AS $$
    SELECT '[' || string_agg(format('{"model": "sentry.option", "pk": %s, "fields": {"key": "k%s", '
                                    '"last_updated": "2023-06-22T00:00:00Z", "value": %s}}', i, i, v), ', ' ORDER BY i)
               || ']'
      FROM unnest(vals) WITH ORDINALITY AS u(v, i)
$$;
-- jsonb: objects, arrays, nesting, every scalar, numbers as numeric_in reads them, escapes, a
-- surrogate pair, duplicate keys (the last one wins), empty containers; a large string in the first.
CREATE TEMP TABLE vals AS SELECT * FROM unnest(ARRAY[
    format('{"blob": "%s", "z": [1, -2.50, 3e2, 1E-3, 12345678901234567890123456789, true, false, null], '
           '"a": {"b": {"c": ["x\"y\\z\n\t\u00e9\ud83d\ude00/", {}, []]}}, "dup": 1, "dup": 2, "": ""}',
           repeat('0123456789abcdef', 70000)),
    '"a string"', '-0.0', '123', 'true', '[null, {"n": null}]', '[]', '{}', '[1, [2, [3, {"k": "v"}]]]',
    format('"%s\\\""', repeat('é', 600000))
]) WITH ORDINALITY AS v(v, i);
SELECT sum(inserted) FROM relocate_import(pg_temp.options(variadic (SELECT array_agg(v ORDER BY i) FROM vals)),
                                          scope => 'config');
SELECT v.i, length(o.value::text) AS length, o.value = v.v::jsonb AS same_as_the_cast,
       o.value::text = v.v::jsonb::text AS same_text, left(o.value::text, 30) AS starts
  FROM vals v JOIN sentry_option o ON o.key = 'k' || v.i ORDER BY v.i;
SELECT value->'z' AS numbers, value->'a' AS nested, value->'dup' AS dup, value->'' AS empty_key
  FROM sentry_option WHERE key = 'k1';
-- A large value updated in place (overwrite_configs): the same, byte for byte.
SELECT sum(overwritten) FROM relocate_import(pg_temp.options(format('{"blob": "%s", "n": 2}', repeat('Zz', 600000)),
                                                             '"small"'),
                                             scope => 'config', overwrite_configs => true);
SELECT key, value = CASE key WHEN 'k1' THEN format('{"blob": "%s", "n": 2}', repeat('Zz', 600000))::jsonb
                             ELSE '"small"' END AS exact, value->'n' AS n
  FROM sentry_option WHERE key IN ('k1', 'k2') ORDER BY key;
-- Rows with small values around a large one in the batch: each run of them is one UPDATE, the large
-- value's row one of its own (three statements here, not five), and every row is the export's.
CREATE TABLE update_statements (n int);
CREATE FUNCTION count_update_statement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO update_statements VALUES (1); RETURN NULL; END $$;
CREATE TRIGGER count_updates AFTER UPDATE ON sentry_option FOR EACH STATEMENT EXECUTE FUNCTION count_update_statement();
SELECT sum(overwritten) FROM relocate_import(pg_temp.options('"s1"', format('"%s"', repeat('Yy', 600000)), '"s3"', '"s4"', '"s5"'),
                                             scope => 'config', overwrite_configs => true);
SELECT count(*) AS update_statements FROM update_statements;
SELECT key, value = CASE key WHEN 'k2' THEN to_jsonb(repeat('Yy', 600000)) ELSE to_jsonb('s' || substr(key, 2)) END AS exact
  FROM sentry_option WHERE key IN ('k1', 'k2', 'k3', 'k4', 'k5') ORDER BY key;
DROP TRIGGER count_updates ON sentry_option;
DROP FUNCTION count_update_statement();
DROP TABLE update_statements;
-- text: a large string with quotes, backslashes, control characters and non-ASCII text, next to
-- small ones in the same batch.
TRUNCATE sentry_option;
SELECT sum(inserted) FROM relocate_import(format('[{"model": "sentry.user", "pk": 5, "fields": {"password": "", "username": "big", '
    '"name": "", "email": "big@example.com", "is_staff": false, "is_active": true, "is_superuser": false, "is_managed": false, '
    '"is_password_expired": false, "date_joined": "2023-06-22T00:00:00Z", "last_active": null, "flags": "0"}}, '
    '{"model": "sentry.apiapplication", "pk": 1, "fields": {"client_id": "c1", "client_secret": "s1", "owner": 5, "name": "big", '
    '"status": 0, "redirect_uris": "", "date_added": "2023-10-16T16:31:20.843Z", "allowed_origins": "%s"}}, '
    '{"model": "sentry.apiapplication", "pk": 2, "fields": {"client_id": "c2", "client_secret": "s2", "owner": 5, "name": "small", '
    '"status": 0, "redirect_uris": "", "date_added": "2023-10-16T16:31:20.843Z", "allowed_origins": "a\"b"}}]',
    repeat('q\"\\\n\tä€😀', 200000)), scope => 'global');
SELECT name, length(allowed_origins),
       allowed_origins = CASE name WHEN 'big' THEN repeat(E'q"\\\n\tä€😀', 200000) ELSE 'a"b' END AS exact
  FROM sentry_apiapplication ORDER BY name;
-- Errors on a large value's row name the model, the source pk and the column: a number jsonb
-- cannot hold (numeric_in's error, as the cast raises it), and a \u0000 escape (refused before the
-- row is built).
TRUNCATE sentry_option;
\set VERBOSITY default
SELECT * FROM relocate_import(pg_temp.options(format('{"blob": "%s", "n": 0.%s1}', repeat('x', 1100000), repeat('0', 20000))),
                              scope => 'config');
SELECT * FROM relocate_import(pg_temp.options('"small"', format('{"blob": "%s", "n": "\u0000"}', repeat('x', 1100000))),
                              scope => 'config');
SELECT count(*) AS options_left FROM sentry_option;
