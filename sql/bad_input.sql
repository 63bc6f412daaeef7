-- Every error a user can cause: an ERROR with a fitting SQLSTATE and a message naming the model,
-- the source pk and the field (the byte offset for parse errors). Nothing the failing call wrote
-- survives, and the backend keeps serving.
\i test/regress/setup.sql
-- The SQLSTATE of each error is echoed after it.
\set VERBOSITY default

-- Malformed JSON: the byte offset of the error.
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 1, "fields": {]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {}} ');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[] trailing');
\echo :LAST_ERROR_SQLSTATE
-- A NUL byte after a complete document ("[]", NUL, "x"): not silently treated as the end.
SELECT * FROM relocate_import('\x5b5d0078'::bytea);
\echo :LAST_ERROR_SQLSTATE
-- Invalid UTF-8 (bytes C3 28).
SELECT * FROM relocate_import('\x5b7b226d6f64656c223a2022c328227d5d'::bytea);
\echo :LAST_ERROR_SQLSTATE
-- The line is named with the byte offset: here line 3.
SELECT * FROM relocate_import(E'[\n{"model": "sentry.option", "pk": 1, "fields": {}},\n{"model": }]');
\echo :LAST_ERROR_SQLSTATE

-- A file cut short says so, and where: after the last complete entry (a comma, then nothing), ...
SELECT * FROM relocate_import(E'[{"model": "sentry.option", "pk": 1, "fields": {}},\n {"model": "sentry.option", "pk": 2, "fields": {}},\n');
\echo :LAST_ERROR_SQLSTATE
-- ... or inside an entry, named with what is known of it.
SELECT * FROM relocate_import(E'[{"model": "sentry.option", "pk": 1, "fields": {}},\n {"model": "sentry.option", "pk": 2, "fields": {"key": "a", "val');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[');
\echo :LAST_ERROR_SQLSTATE

-- A UTF-8 byte order mark at the start is skipped (Sentry refuses it: docs/differences-from-sentry.md);
-- offsets still count its three bytes. (A file with one imports: below.)
SELECT * FROM relocate_import('\xefbbbf'::bytea || convert_to('[{"model": "sentry.option", "pk": 1}]', 'UTF8'));
\echo :LAST_ERROR_SQLSTATE
-- Anywhere else it is not JSON.
SELECT * FROM relocate_import(convert_to(' ', 'UTF8') || '\xefbbbf'::bytea || convert_to('[]', 'UTF8'));
\echo :LAST_ERROR_SQLSTATE

-- A compressed stream must hold a JSON export or a tarball: a gzipped zip file is named for what it
-- holds. (A gzip-compressed plain export imports: import_sources.sql.) A compressed export cut
-- short is a truncated export.
\set gz `printf 'PK\003\004\024\000\000\000export.json' | gzip -c | base64 -w0`
SELECT * FROM relocate_import(decode(:'gz', 'base64'));
\echo :LAST_ERROR_SQLSTATE
\set gz `printf '[{"model": "sentry.option", "pk": 1, "fields": {}},' | gzip -c | base64 -w0`
SELECT * FROM relocate_import(decode(:'gz', 'base64'));
\echo :LAST_ERROR_SQLSTATE

-- Not an array of model entries.
SELECT * FROM relocate_import('{"model": "sentry.user"}');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('42');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[1]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[[]]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"pk": 1, "fields": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "fields": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": "1", "fields": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1.5, "fields": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 9223372036854775808, "fields": {}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": []}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {}, "extra": 1}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {"key": "a", "key": "b"}}]');
\echo :LAST_ERROR_SQLSTATE

-- An unknown model (Sentry would drop it silently; relocate refuses to guess).
SELECT * FROM relocate_import('[{"model": "sites.site", "pk": 1, "fields": {"domain": "example.com"}}]');
\echo :LAST_ERROR_SQLSTATE

-- An unknown field: invalid-user.json carries "doesnotexist" (and no username).
\set invalid `cat test/fixtures/sentry/invalid-user.json`
SELECT * FROM relocate_import(:'invalid', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
-- Allowed to drop unknown fields, the same file then fails on its missing username.
SET relocate.ignore_unknown_fields = on;
SELECT * FROM relocate_import(:'invalid', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
RESET relocate.ignore_unknown_fields;

-- Text the database cannot store (issue 8): a \uXXXX escape of a lone UTF-16 surrogate decodes to
-- bytes that are not UTF-8. Refused wherever a string is decoded, naming the model, pk and field:
-- a plain value, a string and a key in a JSON value, JSON held in a string, a list in a string, a
-- field name, the model name, and a value given before the pk.
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {"key": "k\udc00",
    "last_updated": "2023-06-22T00:00:00Z", "value": 1}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 2, "fields": {"key": "k",
    "last_updated": "2023-06-22T00:00:00Z", "value": {"a": ["x", "\udfff"]}}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 3, "fields": {"key": "k",
    "last_updated": "2023-06-22T00:00:00Z", "value": {"\udc00": 1}}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 4, "fields": {"key": "k",
    "last_updated": "2023-06-22T00:00:00Z", "value": "{\"a\": \"\\udc00\"}"}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.userrole", "pk": 5, "fields": {"name": "r",
    "permissions": "[\"users.admin\", \"\\udc00\"]", "date_added": "2023-06-22T00:00:00Z",
    "date_updated": "2023-06-22T00:00:00Z"}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 6, "fields": {"key\udc00": "k"}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option\udc00", "pk": 7, "fields": {}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.option", "fields": {"key": "\udc00"}, "pk": 8}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
-- A surrogate pair is one character (U+1F600), and is kept.
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 9, "fields": {"key": "k\ud83d\ude00",
    "last_updated": "2023-06-22T00:00:00Z", "value": {"\ud83d\ude00": "\ud83d\ude00"}}}]', scope => 'config');
SELECT key, value, key = 'k' || chr(128512) AS key_is_u1f600 FROM sentry_option;
DELETE FROM sentry_option;

-- Values that do not fit their columns.
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"username": "'
    || repeat('x', 129) || '", "password": "", "date_joined": "2023-06-22T22:59:55.488Z"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"username": "a", "password": "",
    "date_joined": "2023-02-30T10:00:00Z"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"username": "a", "password": "",
    "date_joined": "2023-06-22T22:59:55Z", "avatar_type": 40000}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"username": "a", "password": "",
    "date_joined": "2023-06-22T22:59:55Z", "flags": "lots"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"username": "a", "password": "",
    "date_joined": "2023-06-22T22:59:55Z", "is_staff": "maybe"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"username": {"first": "a"}, "password": ""}}]',
    scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"username": "a\u0000b", "password": ""}}]',
    scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"username": null, "password": ""}}]',
    scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.userrole", "pk": 1, "fields": {"name": "r", "permissions": "not a list",
    "date_updated": "2023-06-22T22:59:55Z"}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 1, "fields": {"username": "a", "password": "",
    "date_joined": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.userip", "pk": 1, "fields": {"user": 1, "ip_address": "0.1.2.3.4.5.6.7.8.9.abc.def",
    "first_seen": "2023-06-22T22:59:55Z", "last_seen": "2023-06-22T22:59:55Z"}}]', scope => 'global');
\echo :LAST_ERROR_SQLSTATE
-- A user option Sentry's validation refuses (Sentry's test_bad_invalid_user_option).
\set minpriv `cat test/fixtures/sentry/user-with-minimum-privileges.json`
SELECT * FROM relocate_import(replace(:'minpriv', 'Europe/Vienna', 'MiddleEarth/Gondor'), scope => 'user');
\echo :LAST_ERROR_SQLSTATE
-- A reference that is not an integer.
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 1, "fields": {"username": "a", "password": "",
    "date_joined": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.useremail", "pk": 1, "fields": {"user": "1", "email": "a@example.com"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
-- A reference beyond bigint is out of range, not a dangling reference.
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 1, "fields": {"username": "a", "password": "",
    "date_joined": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.useremail", "pk": 1, "fields": {"user": 18446744073709551616, "email": "a@example.com"}}]',
  scope => 'user');
\echo :LAST_ERROR_SQLSTATE
-- The same pk twice for one model.
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {"key": "a", "value": 1}},
                                {"model": "sentry.option", "pk": 1, "fields": {"key": "b", "value": 2}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE

-- Deep nesting is parsed without recursion: an error, never a crashed backend.
SELECT * FROM relocate_import(repeat('[', 1000000));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model":"sentry.userrole","pk":1,"fields":{"name":"k","permissions":"'
    || repeat('[', 100000) || repeat(']', 100000) || '"}}]', scope => 'config');
\echo :LAST_ERROR_SQLSTATE

-- An error PostgreSQL raises while writing a batch (here a CHECK constraint) keeps its SQLSTATE
-- and detail, and the context names the model, the rows' source pks and the table.
SELECT * FROM relocate_import('[{"model": "sentry.organization", "pk": 5, "fields": {"name": "N", "slug": "n",
    "status": -1, "date_added": "2023-06-22T22:59:55Z"}}]');
\echo :LAST_ERROR_SQLSTATE
-- In a batch of several rows, the message names the entry that failed, and the column whose value
-- PostgreSQL's input function refused (an element of a varchar(200)[] longer than 200 characters,
-- which the core passes on).
SELECT * FROM relocate_import('[{"model": "sentry.organization", "pk": 4, "fields": {"name": "M", "slug": "m",
    "date_added": "2023-06-22T22:59:55Z"}}, {"model": "sentry.organization", "pk": 5, "fields": {"name": "N", "slug": "n",
    "status": -1, "date_added": "2023-06-22T22:59:55Z"}}, {"model": "sentry.organization", "pk": 6, "fields": {"name": "O",
    "slug": "o", "date_added": "2023-06-22T22:59:55Z"}}]');
\echo :LAST_ERROR_SQLSTATE
\set long_group_by `cat test/fixtures/relocate/long-group-by.json`
SELECT * FROM relocate_import(:'long_group_by');
\echo :LAST_ERROR_SQLSTATE

-- A duplicate the export itself brings, on a key no rule settles (one membership per user and
-- organization), is 23505 naming the entry, not a race to retry: here in two batches.
SET relocate.batch_size = 1;
SELECT * FROM relocate_import('[{"model": "sentry.organization", "pk": 1, "fields": {"name": "D", "slug": "dup", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.user", "pk": 1, "fields": {"username": "dup", "password": "", "date_joined": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organizationmember", "pk": 1, "fields": {"organization": 1, "user_id": 1, "role": "member", "flags": "0",
   "date_added": "2023-06-22T22:59:55Z", "has_global_access": true, "type": 50}},
  {"model": "sentry.organizationmember", "pk": 2, "fields": {"organization": 1, "user_id": 1, "role": "owner", "flags": "0",
   "date_added": "2023-06-22T22:59:55Z", "has_global_access": true, "type": 50}}]');
\echo :LAST_ERROR_SQLSTATE
RESET relocate.batch_size;
-- A dependency after its dependent: useremail refers to user, which comes later.
SELECT * FROM relocate_import('[{"model": "sentry.useremail", "pk": 1, "fields": {"user": 1, "email": "a@example.com"}},
  {"model": "sentry.user", "pk": 1, "fields": {"username": "a", "password": "", "date_joined": "2023-06-22T22:59:55Z"}}]',
  scope => 'user');
\echo :LAST_ERROR_SQLSTATE

-- The fresh-install export with a UTF-8 byte order mark imports.
\set fresh `cat test/fixtures/sentry/fresh-install.json`
BEGIN;
SELECT sum(inserted) AS inserted FROM relocate_import('\xefbbbf'::bytea || convert_to(:'fresh', 'UTF8'), scope => 'global');
ROLLBACK;

-- A Sentry older than its import-chunk tables (November 2023): the error says which release has them.
BEGIN;
ALTER TABLE sentry_controlimportchunk RENAME TO sentry_controlimportchunk_moved;
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 1, "fields": {"username": "a", "password": "", "date_joined": "2023-06-22T22:59:55Z"}}]',
  scope => 'user');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- sentry.rule's data is JSON inside a string, read by Sentry's Rule.pre_save
-- (src/sentry/models/rule.py). Text that is not JSON (kept as a JSON string, as Sentry's JSON field
-- keeps it), a JSON array, an "actions" that is not a list of objects, a lone surrogate: each error
-- names the rule, its pk and field, and where the entry is; nothing is written.
\set rule_data_is '[{"model": "sentry.organization", "pk": 1, "fields": {"name": "R", "slug": "bad-rules", "date_added": "2023-06-22T00:00:00Z"}},\n {"model": "sentry.project", "pk": 3, "fields": {"slug": "p", "name": "P", "organization": 1, "date_added": "2023-06-22T00:00:00Z"}},\n {"model": "sentry.rule", "pk": 7, "fields": {"project": 3, "label": "L", "date_added": "2023-06-22T00:00:00Z", "data": '
SELECT count(*) AS organizations_before FROM sentry_organization;
SELECT * FROM relocate_import(:'rule_data_is' || E'"{\\"actions\\": [}"}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import(:'rule_data_is' || E'"[1]"}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import(:'rule_data_is' || E'"{\\"actions\\": \\"notify\\"}"}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import(:'rule_data_is' || E'"{\\"label\\": \\"\\\\udc00\\"}"}}]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS organizations_after, (SELECT count(*) FROM sentry_rule) AS rules_after FROM sentry_organization;

-- A missing target table.
DROP TABLE sentry_relayusage;
SELECT * FROM relocate_import(:'fresh', scope => 'config');
\echo :LAST_ERROR_SQLSTATE

-- A failure late in the file rolls back everything the call wrote before it.
SELECT count(*) AS users_before FROM auth_user;
SELECT * FROM relocate_import(:'fresh', scope => 'global');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS users_after, (SELECT count(*) FROM sentry_option) AS options_after FROM auth_user;

-- Arguments.
SELECT * FROM relocate_import(NULL::bytea);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[]', scope => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[]', scope => 'everything');
\echo :LAST_ERROR_SQLSTATE
-- A flag passed as NULL is refused, not read as false: a NULL dry_run would write. Nothing is written.
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {"key": "k", "value": 1}}]',
                              scope => 'config', dry_run => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[]', merge_users => NULL);
SELECT * FROM relocate_import('[]', overwrite_configs => NULL);
SELECT * FROM relocate_import('[]', hide_organizations => NULL);
SELECT * FROM relocate_import('[]', scope => 'global', reset => NULL);
SELECT count(*) AS options_after_null_flags FROM sentry_option;
SELECT * FROM relocate_import('[]', scope => 'organization', reset => true);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[]', scope => 'global', org_filter => ARRAY['acme']);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[]', scope => 'organization', user_filter => ARRAY['admin']);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[]', merge_users => false, overwrite_configs => false);

-- An import started while another runs in the session (from a trigger the running import fires)
-- is refused before it touches the session's pk map; the outer import fails and writes nothing,
-- and the next import runs as usual.
CREATE FUNCTION nested_import() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM * FROM relocate_import('[]', scope => 'config');
  RETURN NEW;
END $$;
CREATE TRIGGER nested_import BEFORE INSERT ON sentry_option FOR EACH ROW EXECUTE FUNCTION nested_import();
SELECT * FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {"key": "nested", "value": 1}}]',
                              scope => 'config');
\echo :LAST_ERROR_SQLSTATE
DROP TRIGGER nested_import ON sentry_option;
DROP FUNCTION nested_import();
SELECT count(*) AS nested_options FROM sentry_option WHERE key = 'nested';
SELECT model, inserted FROM relocate_import('[{"model": "sentry.option", "pk": 1, "fields": {"key": "nested", "value": 1}}]',
                                            scope => 'config');
DELETE FROM sentry_option WHERE key = 'nested';

-- The session is healthy after all of the above, and an empty export imports nothing.
SELECT * FROM relocate_import('[]');
SELECT count(*) FROM relocate_pk_map;

-- A database that is not UTF8: refused before anything is read.
SELECT current_database() AS regress_db \gset
CREATE DATABASE relocate_latin1 TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C';
\set QUIET on
\c relocate_latin1
\set QUIET off
SET client_min_messages = warning;
CREATE EXTENSION relocate;
SELECT * FROM relocate_import('[]');
\echo :LAST_ERROR_SQLSTATE
\set QUIET on
\c :regress_db
\set QUIET off
DROP DATABASE relocate_latin1;
