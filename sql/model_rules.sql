-- Sentry's per-model write rules beyond users and organizations (the models'
-- write_relocation_import, OverwritableConfigMixin in src/sentry/backup/mixins.py, and the rows
-- their signals create), ported from Sentry's CollisionTests and CustomImportBehaviorTests
-- (tests/sentry/backup/test_imports.py).
\set configs `cat test/fixtures/relocate/configs.json`
\set collisions `cat test/fixtures/relocate/collisions.json`
\set chunk_kinds 'SELECT silo, model, min_ordinal, max_ordinal, inserted, existing, overwrite FROM import_chunks() WHERE import_uuid = :''uuid'' ORDER BY silo, model'
\set config_values 'SELECT (SELECT value FROM sentry_option WHERE key = ''foo'') AS option, (SELECT value FROM sentry_controloption WHERE key = ''bar'') AS control_option, (SELECT public_key FROM sentry_relay) AS relay, (SELECT public_key FROM sentry_relayusage) AS relay_usage, (SELECT permissions FROM sentry_userrole) AS role_permissions, (SELECT count(*) FROM sentry_option) + (SELECT count(*) FROM sentry_controloption) + (SELECT count(*) FROM sentry_relay) + (SELECT count(*) FROM sentry_relayusage) + (SELECT count(*) FROM sentry_userrole) AS rows'
\set mutate 'UPDATE sentry_option SET value = ''"y"''; UPDATE sentry_controloption SET value = ''"z"''; UPDATE sentry_relay SET public_key = ''invalid''; UPDATE sentry_relayusage SET public_key = ''invalid''; UPDATE sentry_userrole SET permissions = ''{other.admin}'''

-- test_colliding_configs_overwrite_configs_enabled_in_config_scope: the live rows were changed
-- after the export; importing with overwrite_configs writes the file's values back onto them
-- (Overwrite), without adding rows.
\i test/regress/setup.sql
SELECT sum(inserted) FROM relocate_import(:'configs', scope => 'config', import_uuid => '00000000-0000-4000-8000-00000000c0f0');
:mutate;
\set uuid '00000000-0000-4000-8000-00000000c0f1'
SELECT * FROM relocate_import(:'configs', scope => 'config', overwrite_configs => true, import_uuid => :'uuid');
:chunk_kinds;
:config_values;
-- test_colliding_configs_overwrite_configs_disabled_in_config_scope: the live values stay (Existing).
:mutate;
\set uuid '00000000-0000-4000-8000-00000000c0f2'
SELECT * FROM relocate_import(:'configs', scope => 'config', import_uuid => :'uuid');
:chunk_kinds;
:config_values;

-- The same organization exported once and imported twice (Sentry's test_colliding_project_key,
-- test_colliding_api_token, test_colliding_org_auth_token, test_colliding_saved_search, ...).
\i test/regress/setup.sql
SET relocate.url_prefix = 'https://sentry.example.com';
SELECT * FROM relocate_import(:'collisions', scope => 'global', import_uuid => '00000000-0000-4000-8000-00000000c011');
SELECT * FROM relocate_import(:'collisions', scope => 'organization', import_uuid => '00000000-0000-4000-8000-00000000c012');
-- (API tokens without an application are Config scope: a third import, in Config scope.)
SELECT * FROM relocate_import(:'collisions', scope => 'config', import_uuid => '00000000-0000-4000-8000-00000000c014')
 WHERE inserted > 0;
-- Project keys: every key is kept (Sentry keeps one per project), colliding or empty keys are new.
SELECT count(*) AS keys, count(DISTINCT public_key) AS public_keys, count(DISTINCT secret_key) AS secret_keys,
       count(*) FILTER (WHERE public_key = 'c1373be35a7944808c8bcfede8097df1') AS original_public,
       bool_and(public_key ~ '^[0-9a-f]{32}$' AND secret_key ~ '^[0-9a-f]{32}$') AS hex_keys
  FROM sentry_projectkey;
-- Each project got sentry:option-epoch = 13 from Sentry's signal; the file's 11 then updated it.
SELECT count(*) AS options, string_agg(DISTINCT value, ',') AS epochs FROM sentry_projectoptions WHERE key = 'sentry:option-epoch';
-- API tokens: the second copy of the token was regenerated; hashes and last characters follow
-- the token; the scope list is expanded with Sentry's hierarchy.
SELECT count(*) AS tokens, count(DISTINCT token) AS distinct_tokens,
       count(*) FILTER (WHERE token = 'sntryu_' || repeat('a', 64)) AS original,
       bool_and(token ~ '^sntryu_[0-9a-f]{64}$') AS prefixed,
       bool_and(hashed_token = encode(sha256(convert_to(token, 'UTF8')), 'hex')) AS hashes_match,
       bool_and(token_last_characters = right(token, 4)) AS last_characters,
       min(scope_list::text) AS scope_list
  FROM sentry_apitoken;
-- Org auth tokens: an empty token_hashed is minted anew for the final slug, with the url prefix.
SELECT count(*) AS org_tokens, count(DISTINCT token_hashed) AS distinct_hashes,
       bool_and(token_hashed ~ '^[0-9a-f]{64}$') AS sha256_hex, bool_and(length(token_last_characters) = 4) AS last_four
  FROM sentry_orgauthtoken;
-- Members: the second copy's invite token collides and is cleared with its expiry; a kept token
-- gets an expiry of 30 days.
SELECT count(*) AS invites, count(token) AS with_token,
       count(*) FILTER (WHERE token IS NOT NULL AND token_expires_at > now() + interval '29 days') AS expiring_in_30_days,
       count(*) FILTER (WHERE token IS NULL AND token_expires_at IS NULL) AS cleared
  FROM sentry_organizationmember;
-- Saved searches: the global one only in Global scope.
SELECT count(*) FILTER (WHERE is_global) AS global_searches, count(*) FILTER (WHERE NOT is_global) AS own_searches FROM sentry_savedsearch;
-- Recent searches get Sentry's query_hash; rules lose the "name" of their conditions and actions.
SELECT DISTINCT query_hash = md5(query) AS md5_hash FROM sentry_recentsearch;
SELECT DISTINCT data FROM sentry_rule;
-- User options: a second global option of the same key for a user is skipped.
SELECT count(*) AS options, string_agg(value::text, ',') AS values FROM sentry_useroption;

-- Org auth tokens that need minting are skipped when no url prefix is known (as Sentry skips
-- them), counted in the summary and explained in a NOTICE.
\i test/regress/setup.sql
RESET relocate.url_prefix;
SET client_min_messages = notice;
SELECT * FROM relocate_import(:'collisions', scope => 'organization', import_uuid => '00000000-0000-4000-8000-00000000c013')
 WHERE model = 'sentry.orgauthtoken';
SET client_min_messages = warning;

-- test_project_ids_retained_in_global_scope: in Global scope projects keep their ids (so DSNs keep
-- working) and the sequence moves past them; test_project_ids_reassigned_in_organization_scope:
-- in other scopes they get new ones.
\set projects '[{"model": "sentry.organization", "pk": 1, "fields": {"name": "P", "slug": "projects", "date_added": "2023-06-22T00:00:00Z"}}, {"model": "sentry.project", "pk": 2, "fields": {"slug": "two", "name": "Two", "organization": 1, "date_added": "2023-06-22T00:00:00Z"}}, {"model": "sentry.project", "pk": 4, "fields": {"slug": "four", "name": "Four", "organization": 1, "date_added": "2023-06-22T00:00:00Z"}}]'
\i test/regress/setup.sql
SELECT sum(inserted) FROM relocate_import(:'projects', scope => 'global', import_uuid => '00000000-0000-4000-8000-00000000c021');
SELECT id, slug FROM sentry_project ORDER BY id;
INSERT INTO sentry_project (slug, name, organization_id, public, date_added, status, flags)
SELECT 'after', 'After', id, false, now(), 0, 10 FROM sentry_organization RETURNING id;
\i test/regress/setup.sql
SELECT setval('sentry_project_id_seq', 10);
SELECT sum(inserted) FROM relocate_import(:'projects', scope => 'organization', import_uuid => '00000000-0000-4000-8000-00000000c022');
SELECT id, slug FROM sentry_project ORDER BY id;

-- A Global import onto a database that already holds a row where Sentry has no collision rule:
-- an ERROR naming the entry, the column and the value.
\i test/regress/setup.sql
SELECT sum(inserted) FROM relocate_import(:'projects', scope => 'global', import_uuid => '00000000-0000-4000-8000-00000000c023');
SELECT * FROM relocate_import(:'projects', scope => 'global', import_uuid => '00000000-0000-4000-8000-00000000c024');
\echo :LAST_ERROR_SQLSTATE
\set app '[{"model": "sentry.apiapplication", "pk": 7, "fields": {"client_id": "e3bc5ddfe2d6c48115efa3c70bbeb0ef938f37a124a1e3a1275d804d15d111c9", "client_secret": "s", "owner": null, "name": "app", "status": 0, "allowed_origins": "", "redirect_uris": "", "homepage_url": null, "privacy_url": null, "terms_url": null, "date_added": "2023-06-22T00:00:00Z"}}]'
SELECT sum(inserted) FROM relocate_import(:'app', scope => 'global', import_uuid => '00000000-0000-4000-8000-00000000c025');
SELECT * FROM relocate_import(:'app', scope => 'global', import_uuid => '00000000-0000-4000-8000-00000000c026');
\echo :LAST_ERROR_SQLSTATE
