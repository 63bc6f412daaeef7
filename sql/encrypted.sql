-- Encrypted exports (`sentry export --encrypt-with key.pub`): a tar of export.json (a Fernet token),
-- data.key (the Fernet key wrapped with RSA-OAEP) and key.pub, decrypted in memory with the private
-- key given as private_key. Tarballs come from test/fixtures/encrypted (committed) and from
-- test/encrypted/encrypt-export (the openssl-CLI + GNU tar recipe), run here by psql.
\i test/regress/setup.sql
\set sentry_ddl `cat test/schema/sentry.sql`
\set key `cat test/fixtures/encrypted/test-key.pem`
\set encrypt 'test/encrypted/encrypt-export --base64 --pub test/fixtures/encrypted/test-key.pub'
\set fresh `cat test/fixtures/sentry/fresh-install.json`

-- The committed fixtures: fresh-install.tar (plain tar) and org-and-project.tar.gz.
\set enc `base64 -w0 test/fixtures/encrypted/fresh-install.tar`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'global', private_key => :'key');
SELECT count(*) AS users, (SELECT slug FROM sentry_organization) AS org FROM auth_user;
\set orgproj `cat test/fixtures/sentry/org-and-project.json`
\set enc `base64 -w0 test/fixtures/encrypted/org-and-project.tar.gz`
BEGIN;
SELECT * FROM compare_imports(convert_to(:'orgproj', 'UTF8'), decode(:'enc', 'base64'), :'key', 'organization', :'sentry_ddl');
ROLLBACK;

-- A tarball made now with the recipe imports to exactly the rows of the plain JSON, in every
-- compression Sentry accepts.
\set enc `:encrypt test/fixtures/sentry/fresh-install.json`
BEGIN;
SELECT * FROM compare_imports(convert_to(:'fresh', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
ROLLBACK;
\set enc `:encrypt --compress gz test/fixtures/sentry/fresh-install.json`
BEGIN;
SELECT * FROM compare_imports(convert_to(:'fresh', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
ROLLBACK;
\set enc `:encrypt --compress bz2 test/fixtures/sentry/fresh-install.json`
BEGIN;
SELECT * FROM compare_imports(convert_to(:'fresh', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
ROLLBACK;
\set enc `:encrypt --compress xz test/fixtures/sentry/fresh-install.json`
BEGIN;
SELECT * FROM compare_imports(convert_to(:'fresh', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
ROLLBACK;
-- A token with a trailing newline still decrypts (Sentry's base64 decoder skips it).
\set enc `:encrypt --trailing-newline test/fixtures/sentry/fresh-install.json`
BEGIN;
SELECT * FROM compare_imports(convert_to(:'fresh', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
ROLLBACK;

-- Every plain fixture, encrypted by the recipe, imports to the same rows (or fails the same way).
\set plain `cat test/fixtures/sentry/app-user-with-empty-email.json`
\set enc `:encrypt test/fixtures/sentry/app-user-with-empty-email.json`
SELECT 'app-user-with-empty-email' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/datetime-millis.json`
\set enc `:encrypt test/fixtures/sentry/datetime-millis.json`
SELECT 'datetime-millis' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/datetime-with-unzeroed-millis.json`
\set enc `:encrypt test/fixtures/sentry/datetime-with-unzeroed-millis.json`
SELECT 'datetime-with-unzeroed-millis' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/datetime-with-zeroed-millis.json`
\set enc `:encrypt test/fixtures/sentry/datetime-with-zeroed-millis.json`
SELECT 'datetime-with-zeroed-millis' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/duplicate-username-and-organization-slug.json`
\set enc `:encrypt test/fixtures/sentry/duplicate-username-and-organization-slug.json`
-- (its colliding usernames and slugs get random suffixes, so those columns are left out too)
SELECT 'duplicate-username-and-organization-slug' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl',
    '{password,validation_hash,hash,username,slug,inserted_identifiers}');
\set plain `cat test/fixtures/sentry/invalid-user.json`
\set enc `:encrypt test/fixtures/sentry/invalid-user.json`
SELECT 'invalid-user' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/single-integration.json`
\set enc `:encrypt test/fixtures/sentry/single-integration.json`
SELECT 'single-integration' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/single-option.json`
\set enc `:encrypt test/fixtures/sentry/single-option.json`
SELECT 'single-option' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/user-pk-mapping.json`
\set enc `:encrypt test/fixtures/sentry/user-pk-mapping.json`
SELECT 'user-pk-mapping' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/user-with-maximum-privileges.json`
\set enc `:encrypt test/fixtures/sentry/user-with-maximum-privileges.json`
SELECT 'user-with-maximum-privileges' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/user-with-minimum-privileges.json`
\set enc `:encrypt test/fixtures/sentry/user-with-minimum-privileges.json`
SELECT 'user-with-minimum-privileges' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/user-with-roles-no-superadmin.json`
\set enc `:encrypt test/fixtures/sentry/user-with-roles-no-superadmin.json`
SELECT 'user-with-roles-no-superadmin' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
\set plain `cat test/fixtures/sentry/user-with-superadmin-no-roles.json`
\set enc `:encrypt test/fixtures/sentry/user-with-superadmin-no-roles.json`
SELECT 'user-with-superadmin-no-roles' AS fixture, * FROM compare_imports(convert_to(:'plain', 'UTF8'), decode(:'enc', 'base64'), :'key', 'global', :'sentry_ddl');
-- (fresh-install and org-and-project are compared above.)

-- Bad input: each its own ERROR and SQLSTATE, no key material in any message, nothing written.
\i test/regress/setup.sql
\set VERBOSITY default
-- The wrong private key: its public half is not key.pub.
\set otherkey `cat test/fixtures/encrypted/other-key.pem`
\set enc `:encrypt test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'otherkey');
\echo :LAST_ERROR_SQLSTATE
-- key.pub is not the key data.key was wrapped with (another key's key.pub in the tar).
\set enc `:encrypt --pub-in-tar test/fixtures/encrypted/other-key.pub test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- key.pub with CRLF line endings: Sentry compares bytes, and so does relocate.
\set enc `:encrypt --crlf-pub test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- data.key altered: RSA-OAEP cannot unwrap it.
\set enc `:encrypt --flip data-key test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- The token altered: the HMAC check fails before anything is decrypted.
\set enc `:encrypt --flip token test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- A wrong Fernet version byte, with a correct HMAC.
\set enc `:encrypt --fernet-version 81 test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- Bad PKCS#7 padding, with a correct HMAC.
\set enc `:encrypt --bad-padding test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- The token's '=' padding stripped (Sentry's decoder rejects it too; this fixture's token has one).
\set enc `:encrypt --strip-padding test/fixtures/sentry/single-integration.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'global', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- A Fernet key that is not 32 bytes.
\set enc `:encrypt --dek-bytes 31 test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- A truncated tarball.
\set enc `:encrypt --truncate 1000 test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- Missing members.
\set enc `:encrypt --omit export.json test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
\set enc `:encrypt --omit data.key test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
\set enc `:encrypt --omit key.pub test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- An extra member, and members named ./export.json etc. (Sentry rejects both).
\set enc `:encrypt --extra-member notes.txt test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
\set enc `:encrypt --dot-prefix test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
-- Keys that cannot be used: not PEM, PEM garbage, passphrase-protected, not RSA.
\set enc `:encrypt test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => 'not a key');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config',
                              private_key => E'-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n');
\echo :LAST_ERROR_SQLSTATE
\set passkey `cat test/fixtures/encrypted/passphrase-key.pem`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'passkey');
\echo :LAST_ERROR_SQLSTATE
\set eckey `cat test/fixtures/encrypted/ec-key.pem`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => :'eckey');
\echo :LAST_ERROR_SQLSTATE
-- A tarball without a key.
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config');
\echo :LAST_ERROR_SQLSTATE
-- Nothing was written by any of the failures above.
SELECT count(*) AS options FROM sentry_option;

-- A key given with a plain JSON export: a NOTICE, then the import.
\set single `cat test/fixtures/sentry/single-option.json`
SET client_min_messages = notice;
SELECT * FROM relocate_import(:'single', scope => 'config', private_key => :'key',
                              import_uuid => '00000000-0000-4000-8000-00000000000c');
SET client_min_messages = warning;

-- The key from a server-side file (needs pg_read_server_files, as pg_read_file does), so that it
-- never appears in the query text.
\i test/regress/setup.sql
\! install -m 0644 test/fixtures/encrypted/test-key.pem /tmp/relocate-regress-test-key.pem
\set enc `:encrypt test/fixtures/sentry/single-option.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => '/tmp/relocate-regress-test-key.pem');
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => '/tmp/relocate-regress-no-such-key.pem');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => 'relative/key.pem');
\echo :LAST_ERROR_SQLSTATE
SET client_min_messages = warning;
DROP ROLE IF EXISTS relocate_regress_importer;
RESET client_min_messages;
CREATE ROLE relocate_regress_importer;
SET ROLE relocate_regress_importer;
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'config', private_key => '/tmp/relocate-regress-test-key.pem');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE relocate_regress_importer;
\! rm -f /tmp/relocate-regress-test-key.pem

-- The plaintext of a decrypted export appears in no error message (README): an error about a value
-- names the model, the pk, the field or column and the position, and shows "(a value withheld: the
-- export was encrypted)" where the same export in plain JSON quotes the value (first case);
-- PostgreSQL's own error about a batch (its message, detail or context may quote a row) is reduced
-- to its SQLSTATE, the rows and the table.
\i test/regress/setup.sql
\! printf '%s' '[{"model": "sentry.apiapplication", "pk": 7, "fields": {"client_id": "secret-client-id-7f3a", "client_secret": "s", "owner": null, "name": "app", "status": 0, "allowed_origins": "", "redirect_uris": "", "date_added": "secret-date-1234"}}]' > /tmp/relocate-regress-secret-1.json
\! printf '%s' '[{"model": "sentry.apiapplication", "pk": 7, "fields": {"client_id": "secret-client-id-7f3a", "client_secret": "s", "owner": null, "name": "app", "status": 99999999999, "allowed_origins": "", "redirect_uris": "", "date_added": "2023-06-22T00:00:00Z"}}]' > /tmp/relocate-regress-secret-2.json
\! printf '%s' '[{"model": "sentry.apiapplication", "pk": 7, "fields": {"client_id": "secret-client-id-7f3a", "client_secret": "s", "owner": null, "name": "app", "status": 0, "allowed_origins": "", "redirect_uris": "", "date_added": "2023-06-22T00:00:00Z"}}]' > /tmp/relocate-regress-secret-3.json
\! printf '%s' '[{"model": "sentry.organization", "pk": 5, "fields": {"name": "secret-org-name", "slug": "secret-org-slug", "status": -1, "date_added": "2023-06-22T22:59:55Z"}}]' > /tmp/relocate-regress-secret-4.json
\set plain `cat /tmp/relocate-regress-secret-1.json`
SELECT * FROM relocate_import(:'plain', scope => 'global');
\echo :LAST_ERROR_SQLSTATE
\set enc `:encrypt /tmp/relocate-regress-secret-1.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'global', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
\set enc `:encrypt /tmp/relocate-regress-secret-2.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'global', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
\set enc `:encrypt /tmp/relocate-regress-secret-3.json`
SELECT sum(inserted) FROM relocate_import(decode(:'enc', 'base64'), scope => 'global', private_key => :'key');
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'global', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
\set enc `:encrypt /tmp/relocate-regress-secret-4.json`
SELECT * FROM relocate_import(decode(:'enc', 'base64'), scope => 'global', private_key => :'key');
\echo :LAST_ERROR_SQLSTATE
\! rm -f /tmp/relocate-regress-secret-1.json /tmp/relocate-regress-secret-2.json /tmp/relocate-regress-secret-3.json /tmp/relocate-regress-secret-4.json
