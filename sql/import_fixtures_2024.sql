-- The fixture imports of import_fixtures.sql again, into the schema of a self-hosted Sentry 24.8.0
-- (test/schema/sentry-2024.sql; test/schema/README.md lists how it differs from current Sentry's):
-- option, user option and organization option values, authenticator configs and other JSON in
-- text NOT NULL columns, varchar(75) emails, the legacy nullable text[] arrays, and columns that
-- current Sentry has and 24.8 has not. Every row must be accounted for and every reference
-- remapped as against the current schema; the differences in the output below are the schema's.
\set schema_file test/schema/sentry-2024.sql
-- The fixtures come from current Sentry, whose users carry is_suspended (migration 1075): an
-- export from a newer Sentry than the database is refused unless its unknown fields are dropped,
-- which the suite asks for (each such field is reported in a NOTICE where NOTICEs are shown).
SET relocate.ignore_unknown_fields = on;
\i sql/import_fixtures.sql
RESET relocate.ignore_unknown_fields;

-- What 24.8's columns hold: JSON in text (option values, authenticator config), and a JSON null as
-- the text "null" where the column is NOT NULL (Sentry's PickledObjectField writes json.dumps(None)).
\i test/regress/setup.sql
SELECT sum(inserted) FROM relocate_import(:'fresh', scope => 'global', import_uuid => '00000000-0000-4000-8000-000000002024');
SELECT key, value, pg_typeof(value) AS type FROM sentry_option ORDER BY id;
SELECT type, config, pg_typeof(config) AS config_type FROM auth_authenticator ORDER BY id;
SELECT sum(inserted) FROM relocate_import('[{"model": "sentry.option", "pk": 9, "fields": {"key": "nothing", "value": null, "last_updated": "2023-06-22T00:00:00Z"}}]',
                                          scope => 'config', import_uuid => '00000000-0000-4000-8000-000000002025');
SELECT key, value FROM sentry_option WHERE key = 'nothing';
-- An address longer than 24.8's varchar(75) is refused, naming the entry (current Sentry: 200).
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 1, "fields": {"password": "x", "username": "long", "email": "a-very-long-address-that-does-not-fit-into-seventy-five-characters@example.com", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
