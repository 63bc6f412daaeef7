-- Sentry's rules for users and organizations (src/sentry/users/models/user.py,
-- src/sentry/models/organization.py and the rows their signals create), ported from Sentry's
-- SanitizationTests, CollisionTests/merge tests and SignalingTests (tests/sentry/backup/
-- test_imports.py).

-- The "four users" file of Sentry's sanitization tests: its four user fixtures, concatenated and
-- sorted by dependency order, then pk (Sentry's generate_tmp_users_json).
\i test/regress/setup.sql
\set maxpriv `cat test/fixtures/sentry/user-with-maximum-privileges.json`
\set minpriv `cat test/fixtures/sentry/user-with-minimum-privileges.json`
\set rolesnosa `cat test/fixtures/sentry/user-with-roles-no-superadmin.json`
\set sanoroles `cat test/fixtures/sentry/user-with-superadmin-no-roles.json`
SELECT jsonb_agg(e ORDER BY m.sort_order, (e->>'pk')::bigint)::text AS four_users
  FROM (SELECT jsonb_array_elements(:'maxpriv'::jsonb) UNION ALL SELECT jsonb_array_elements(:'minpriv'::jsonb)
        UNION ALL SELECT jsonb_array_elements(:'rolesnosa'::jsonb) UNION ALL SELECT jsonb_array_elements(:'sanoroles'::jsonb)) x(e)
  JOIN relocate_models m ON m.model = e->>'model' \gset
\set sanitized 'SELECT count(*) AS users, count(*) FILTER (WHERE is_managed OR is_staff OR is_superuser) AS privileged, count(*) FILTER (WHERE is_unclaimed) AS unclaimed, count(*) FILTER (WHERE password LIKE ''pbkdf2_sha256$1000$%'') AS new_passwords, (SELECT count(*) FROM sentry_lostpasswordhash) AS lost_password_hashes, (SELECT count(*) FROM sentry_email) AS emails FROM auth_user'
\set useremails 'SELECT count(*) AS useremails, count(*) FILTER (WHERE is_verified) AS verified, count(*) FILTER (WHERE date_hash_added < ''2023-07-01'') AS old_hash_dates, count(*) FILTER (WHERE validation_hash = ''mCnWesSVvYQcq7qXQ36AZHwosAd6cghE'') AS fixture_hashes FROM sentry_useremail'
\set privileges 'SELECT (SELECT count(*) FROM auth_authenticator) AS authenticators, (SELECT count(*) FROM sentry_userpermission) AS permissions, (SELECT count(*) FROM sentry_userrole) AS roles, (SELECT count(*) FROM sentry_userrole_users) AS role_users'

-- test_users_sanitized_in_user_scope: privileges cleared, passwords replaced, every user unclaimed
-- with a LostPasswordHash, user emails unverified with fresh hashes; 2FA, permissions and roles
-- are not in User scope.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'four_users', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000c1');
:sanitized;
:useremails;
:privileges;

-- test_users_sanitized_in_organization_scope: the same.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'four_users', scope => 'organization', import_uuid => '00000000-0000-4000-8000-0000000000c2');
:sanitized;
:useremails;
:privileges;

-- test_users_unsanitized_in_config_scope: privileges are kept (1 managed, 2 staff, 2
-- superusers), but users are still unclaimed with new passwords; 2FA is Global scope only;
-- permissions, the role (one "Super Admin": the second is the same role, Existing) and role links
-- come along.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'four_users', scope => 'config', import_uuid => '00000000-0000-4000-8000-0000000000c8');
:sanitized;
SELECT count(*) FILTER (WHERE is_managed) AS managed, count(*) FILTER (WHERE is_staff) AS staff,
       count(*) FILTER (WHERE is_superuser) AS superusers, count(*) FILTER (WHERE NOT (is_managed OR is_staff OR is_superuser)) AS plain
  FROM auth_user;
:useremails;
:privileges;

-- test_users_unsanitized_in_global_scope: nothing is sanitized: passwords, verification and hashes
-- are kept, nobody is unclaimed, and 2FA comes along.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'four_users', scope => 'global', import_uuid => '00000000-0000-4000-8000-0000000000c9');
:sanitized;
SELECT count(*) FILTER (WHERE is_managed) AS managed, count(*) FILTER (WHERE is_staff) AS staff,
       count(*) FILTER (WHERE is_superuser) AS superusers, count(*) FILTER (WHERE password LIKE 'pbkdf2_sha256$1000$%') AS replaced
  FROM auth_user;
:useremails;
:privileges;

-- The replacement password is a random secret nobody sees, so relocate hashes it with 100 PBKDF2
-- iterations by default (docs/password-hashes.md), still a valid Django pbkdf2_sha256 hash; with
-- relocate.password_hash_iterations at Django 5.0's full 720000 (Sentry's count), the hashes are
-- computed on worker threads, one per core.
\i test/regress/setup.sql
RESET relocate.password_hash_iterations;
SHOW relocate.password_hash_iterations;
SELECT sum(inserted) FROM relocate_import(:'minpriv', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000c3');
SELECT password ~ '^pbkdf2_sha256\$100\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$' AS django_hash FROM auth_user;
\i test/regress/setup.sql
SET relocate.password_hash_iterations = 720000;
SELECT sum(inserted) FROM relocate_import(:'four_users', scope => 'organization', import_uuid => '00000000-0000-4000-8000-0000000000c5')
 WHERE model = 'sentry.user';
SELECT count(*) AS users, count(*) FILTER (WHERE password ~ '^pbkdf2_sha256\$720000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$') AS django_hashes,
       count(DISTINCT password) AS distinct_hashes
  FROM auth_user;
SET relocate.password_hash_iterations = 1000;

-- test_import_signaling_user: importing a user creates its primary UserEmail and its Email.
\i test/regress/setup.sql
SELECT * FROM relocate_import(:'minpriv', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000c4');
SELECT u.username, ue.email AS useremail, e.email AS email, ue.is_verified
  FROM auth_user u JOIN sentry_useremail ue ON ue.user_id = u.id JOIN sentry_email e ON e.email = ue.email;

-- test_generate_suffix_for_already_taken_username: an existing min_user, and the fixture imported
-- twice: three users, one named min_user, two with a random suffix.
\i test/regress/setup.sql
INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed,
                       is_password_expired, flags, date_joined)
VALUES ('', 'min_user', '', 'other@example.com', false, true, false, false, false, 0, now());
SELECT sum(inserted) FROM relocate_import(:'minpriv', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000c5');
SELECT sum(inserted) FROM relocate_import(:'minpriv', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000c6');
SELECT count(*) AS users, count(*) FILTER (WHERE lower(username) = 'min_user') AS exact,
       count(*) FILTER (WHERE username ~ '^min_user-[a-z0-9]{2,12}$') AS suffixed,
       count(DISTINCT username) AS distinct_names
  FROM auth_user;
-- The collision is case-insensitive (Sentry's check is exact and its validator then refuses the
-- user: see docs/differences-from-sentry.md).
UPDATE auth_user SET username = 'Min_User' WHERE username = 'min_user';
SELECT sum(inserted) FROM relocate_import(:'minpriv', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000c7');
SELECT count(*) AS users, count(*) FILTER (WHERE lower(username) = 'min_user') AS exact FROM auth_user;

-- Merging users (Sentry's test_colliding_user_with_merging_*): an existing user `owner`, and an
-- export of `owner` with another address, an option and a 2FA authenticator.
\set owner `cat test/fixtures/relocate/owner.json`
\set existing_owner 'INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed, is_password_expired, flags, date_joined) VALUES (''x'', ''owner'', '''', ''existing@example.com'', false, true, false, false, false, 0, now()); INSERT INTO sentry_useremail (user_id, email, validation_hash, date_hash_added, is_verified) SELECT id, email, ''h'', now(), true FROM auth_user; INSERT INTO sentry_email (email, date_added) VALUES (''existing@example.com'', now())'
\set merged 'SELECT (SELECT count(*) FROM auth_user) AS users, (SELECT string_agg(regexp_replace(username, ''-[a-z0-9]{2,12}$'', ''-<suffix>''), '','' ORDER BY id) FROM auth_user) AS usernames, (SELECT string_agg(email, '','' ORDER BY id) FROM sentry_useremail) AS useremails, (SELECT count(*) FROM sentry_email) AS emails, (SELECT count(*) FROM sentry_useroption) AS options, (SELECT count(*) FROM auth_authenticator) AS authenticators, (SELECT count(*) FROM auth_user WHERE is_unclaimed) AS unclaimed, (SELECT count(*) FROM sentry_lostpasswordhash) AS lost_password_hashes'
-- merge_users in User scope: the existing user is reused (Existing); its own addresses and options
-- stay, the file's are skipped.
\i test/regress/setup.sql
:existing_owner;
SELECT * FROM relocate_import(:'owner', scope => 'user', merge_users => true, import_uuid => '00000000-0000-4000-8000-0000000000d1');
:merged;
SELECT model, existing_map <> '{}' AS has_existing, inserted_map <> '{}' AS has_inserted
  FROM sentry_controlimportchunk WHERE model = 'sentry.user';
-- The skipped rows say why in the report.
SELECT model, action, detail, count(*) FROM relocate_report WHERE action IN ('skipped', 'merged')
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- Without merging: a second user `owner-<suffix>`, unclaimed, with its own address.
\i test/regress/setup.sql
:existing_owner;
SELECT * FROM relocate_import(:'owner', scope => 'user', import_uuid => '00000000-0000-4000-8000-0000000000d2');
:merged;
SELECT count(*) FILTER (WHERE username ~ '^owner-[a-z0-9]{2,12}$') AS suffixed FROM auth_user;
-- In Global scope, merged: the authenticator is imported and attached to the existing user.
\i test/regress/setup.sql
:existing_owner;
SELECT * FROM relocate_import(:'owner', scope => 'global', merge_users => true, import_uuid => '00000000-0000-4000-8000-0000000000d3');
:merged;
SELECT u.username FROM auth_authenticator a JOIN auth_user u ON u.id = a.user_id;

-- (12 random hex digits that happen to be all digits get a suffix too, as in unique_db_instance:
-- the checks below accept both.)
-- Organization slugs (Sentry's Organization.save, unique_db_instance and slug reservations):
-- normalised, reserved slugs replaced by 12 hex digits, all-digit slugs suffixed, long ones cut to
-- 30 characters, non-ASCII ones NFKD-normalised; each new organization gets its PRIMARY
-- reservation.
\i test/regress/setup.sql
SELECT * FROM relocate_import('[
  {"model": "sentry.organization", "pk": 1, "fields": {"name": "A", "slug": "Some_Org", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 2, "fields": {"name": "B", "slug": "api", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 3, "fields": {"name": "C", "slug": "12345", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 4, "fields": {"name": "D", "slug": "a-very-long-organization-slug-that-goes-on", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 5, "fields": {"name": "E", "slug": "Café Ünïcode", "date_added": "2023-06-22T22:59:55Z"}}]',
  import_uuid => '00000000-0000-4000-8000-0000000000e1');
SELECT m.old_pk, o.slug = 'some-org' AS some_org, o.slug ~ '^([0-9a-f]{12}|[0-9]{12}-[a-z0-9]{2,12})$' AS hex12,
       o.slug ~ '^12345-[a-z0-9]{2,12}$' AS digits_suffixed,
       CASE WHEN m.old_pk IN (1, 4, 5) THEN o.slug ELSE '(random)' END AS slug,
       length(CASE WHEN m.old_pk = 2 THEN split_part(o.slug, '-', 1) ELSE o.slug END) AS len -- pk 2: the hex digits
  FROM relocate_pk_map m JOIN sentry_organization o ON o.id = m.new_pk WHERE m.model = 'sentry.organization'
 ORDER BY m.old_pk;
SELECT count(*) AS reservations,
       count(*) FILTER (WHERE r.slug = o.slug AND r.reservation_type = 0 AND r.user_id = -1 AND r.region_name = '--monolith--') AS primary_matching
  FROM sentry_organizationslugreservation r JOIN sentry_organization o ON o.id = r.organization_id;
SELECT count(*) FILTER (WHERE m.slug = o.slug) AS pk_map_has_final_slugs FROM relocate_pk_map m
  JOIN sentry_organization o ON o.id = m.new_pk WHERE m.model = 'sentry.organization';

-- test_generate_suffix_for_already_taken_organization: an existing some-org (with its reservation);
-- the import gets some-org-<suffix>, in the organization, its reservation, the pk map and the
-- import chunk's identifiers alike. A slug reserved by another organization is taken too.
\i test/regress/setup.sql
INSERT INTO sentry_organization (name, slug, status, date_added, default_role, flags) VALUES ('Existing', 'some-org', 0, now(), 'member', 1);
INSERT INTO sentry_organizationslugreservation (slug, organization_id, user_id, region_name, reservation_type, date_added)
VALUES ('some-org', 1, -1, '--monolith--', 0, now()), ('reserved-elsewhere', 999, -1, '--monolith--', 0, now());
SELECT * FROM relocate_import('[
  {"model": "sentry.organization", "pk": 7, "fields": {"name": "Some", "slug": "some-org", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 8, "fields": {"name": "R", "slug": "Reserved-Elsewhere", "date_added": "2023-06-22T22:59:55Z"}}]',
  import_uuid => '00000000-0000-4000-8000-0000000000e2');
SELECT count(*) AS orgs, count(*) FILTER (WHERE slug ILIKE '%some-org%') AS like_some_org,
       count(*) FILTER (WHERE lower(slug) = 'some-org') AS exact,
       count(*) FILTER (WHERE slug ~ '^some-org-[a-z0-9]{2,12}$') AS suffixed,
       count(*) FILTER (WHERE slug ~ '^reserved-elsewhere-[a-z0-9]{2,12}$') AS reserved_suffixed
  FROM sentry_organization;
SELECT (SELECT slug FROM sentry_organization WHERE id = m.new_pk) = m.slug AS pk_map_slug,
       (SELECT slug FROM sentry_organizationslugreservation WHERE organization_id = m.new_pk AND reservation_type = 0) = m.slug AS reservation_slug,
       (SELECT inserted_identifiers->>'7' FROM sentry_regionimportchunk WHERE model = 'sentry.organization') = m.slug AS chunk_identifier
  FROM relocate_pk_map m WHERE m.model = 'sentry.organization' AND m.old_pk = 7;

-- duplicate-username-and-organization-slug.json: two users and two organizations that collide
-- with each other inside one file; the second of each is renamed.
\i test/regress/setup.sql
\set dup `cat test/fixtures/sentry/duplicate-username-and-organization-slug.json`
SELECT * FROM relocate_import(:'dup', scope => 'global', import_uuid => '00000000-0000-4000-8000-0000000000e3');
SELECT count(*) AS users, count(DISTINCT lower(username)) AS distinct_usernames FROM auth_user;
SELECT count(*) AS orgs, count(DISTINCT lower(slug)) AS distinct_slugs, count(*) FILTER (WHERE slug = 'testing') AS kept
  FROM sentry_organization;

-- Two sessions importing the same slug at once: the second waits for the first to commit, then
-- takes a suffixed slug; no deadlock, no unique violation.
\i test/regress/setup.sql
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('other', format('host=%s port=%s dbname=%s user=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
       current_database(), current_user));
SELECT dblink_exec('other', 'SET search_path = sentry, public');
BEGIN;
SELECT sum(inserted) FROM relocate_import('[{"model": "sentry.organization", "pk": 1, "fields": {"name": "Race", "slug": "race", "date_added": "2023-06-22T22:59:55Z"}}]',
                                          import_uuid => '00000000-0000-4000-8000-0000000000f1');
SELECT dblink_send_query('other', $q$SELECT sum(inserted) FROM relocate_import('[{"model": "sentry.organization", "pk": 1, "fields": {"name": "Race", "slug": "race", "date_added": "2023-06-22T22:59:55Z"}}]', import_uuid => '00000000-0000-4000-8000-0000000000f2')$q$);
SELECT pg_sleep(0.5);
SELECT dblink_is_busy('other') AS other_session_waits;
COMMIT;
SELECT * FROM dblink_get_result('other') AS r(inserted numeric);
SELECT * FROM dblink_get_result('other') AS r(inserted numeric);
SELECT count(*) AS orgs, count(*) FILTER (WHERE slug = 'race') AS race, count(*) FILTER (WHERE slug ~ '^race-[a-z0-9]{2,12}$') AS suffixed,
       (SELECT count(*) FROM sentry_organizationslugreservation) AS reservations
  FROM sentry_organization;
SELECT dblink_disconnect('other');

-- User.write_relocation_import (src/sentry/users/models/user.py): only a username that an existing
-- user has exactly takes the collision path (unique_db_instance, which strips it and suffixes one of
-- digits only); any other username is written as it is, digits, spaces and all.
\set odd_users '[{"model": "sentry.user", "pk": 1, "fields": {"password": "x", "username": "12345", "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}, {"model": "sentry.user", "pk": 2, "fields": {"password": "x", "username": " padded ", "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}, {"model": "sentry.user", "pk": 3, "fields": {"password": "x", "username": "Mixed Case", "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}]'
\i test/regress/setup.sql
SELECT sum(inserted) FROM relocate_import(:'odd_users', scope => 'global', import_uuid => '00000000-0000-4000-8000-0000000001a1');
SELECT '"' || username || '"' AS username FROM auth_user ORDER BY id;
-- The same file again: every username is now taken exactly, so each is stripped and then kept if
-- free case-insensitively and not all digits (" padded " becomes "padded"), else suffixed.
SELECT sum(inserted) FROM relocate_import(:'odd_users', scope => 'global', import_uuid => '00000000-0000-4000-8000-0000000001a2');
SELECT '"' || regexp_replace(username, '-[a-z0-9]{2,12}$', '-<suffix>') || '"' AS username FROM auth_user ORDER BY id;
-- An existing user with the empty username: the import's "" collides exactly and becomes 12 hex digits.
INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed,
                       is_password_expired, flags, date_joined)
VALUES ('', '', '', '', false, true, false, false, false, 0, now());
SELECT sum(inserted) FROM relocate_import('[{"model": "sentry.user", "pk": 9, "fields": {"password": "x", "username": "", "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}]',
                                          scope => 'global', import_uuid => '00000000-0000-4000-8000-0000000001a3');
SELECT username ~ '^([0-9a-f]{12}|[0-9]{12}-[a-z0-9]{2,12})$' AS hex12 FROM auth_user WHERE id = (SELECT new_pk FROM relocate_pk_map WHERE model = 'sentry.user');

-- Sentry's UserSerializer (run by User.write_relocation_import): a username that is empty or only
-- whitespace is refused ("This field may not be blank."), and the import fails. A null one fails
-- earlier, on auth_user.username's NOT NULL.
\i test/regress/setup.sql
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 5, "fields": {"password": "x", "username": "", "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 6, "fields": {"password": "x", "username": " \u3000 ", "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM relocate_import('[{"model": "sentry.user", "pk": 7, "fields": {"password": "x", "username": null, "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}]', scope => 'user');
\echo :LAST_ERROR_SQLSTATE

-- Case-insensitive uniqueness is the database's own, as Django's __iexact emits it:
-- UPPER(username::text) = UPPER(%s). In this database (initdb --locale=C, collation "C") upper()
-- folds ASCII letters only, so "Émilie" and "émilie" are two names; "Emilie" and "EMILIE" collide.
\set emilie '[{"model": "sentry.user", "pk": 1, "fields": {"password": "x", "username": "Émilie", "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}, {"model": "sentry.user", "pk": 2, "fields": {"password": "x", "username": "EMILIE", "email": "", "is_active": true, "date_joined": "2023-06-22T00:00:00Z"}}]'
\set existing_emilie 'INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed, is_password_expired, flags, date_joined) VALUES (''x'', ''émilie'', '''', '''', false, true, false, false, false, 0, now()), (''x'', ''Emilie'', '''', '''', false, true, false, false, false, 0, now())'
\set emilies 'SELECT regexp_replace(username, ''-[a-z0-9]{2,12}$'', ''-<suffix>'') AS username FROM auth_user ORDER BY id'
\i test/regress/setup.sql
:existing_emilie;
SELECT sum(inserted) FROM relocate_import(:'emilie', scope => 'global', import_uuid => '00000000-0000-4000-8000-0000000001b1');
:emilies;
-- In a database whose collation is C.utf8 (as self-hosted Sentry's en_US.utf8), upper('é') is 'É':
-- "Émilie" collides with "émilie" and is renamed.
SELECT current_database() AS regress_db \gset
CREATE DATABASE relocate_collation_libc TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.utf8';
\set QUIET on
\c relocate_collation_libc
\set QUIET off
\i test/regress/setup.sql
:existing_emilie;
SELECT sum(inserted) FROM relocate_import(:'emilie', scope => 'global', import_uuid => '00000000-0000-4000-8000-0000000001b2');
:emilies;
-- With ICU (provider icu, locale "und") upper() is Unicode's full case mapping: "straße" and
-- "STRASSE" collide too (libc's upper('ß') is 'ß').
\set QUIET on
\c :regress_db
\set QUIET off
CREATE DATABASE relocate_collation_icu TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' LOCALE_PROVIDER icu ICU_LOCALE 'und';
\set QUIET on
\c relocate_collation_icu
\set QUIET off
\i test/regress/setup.sql
:existing_emilie;
INSERT INTO auth_user (password, username, first_name, email, is_staff, is_active, is_superuser, is_managed,
                       is_password_expired, flags, date_joined)
VALUES ('x', 'straße', '', '', false, true, false, false, false, 0, now());
SELECT sum(inserted) FROM relocate_import(replace(:'emilie', 'EMILIE', 'STRASSE'), scope => 'global', import_uuid => '00000000-0000-4000-8000-0000000001b3');
:emilies;
\set QUIET on
\c :regress_db
\set QUIET off
DROP DATABASE relocate_collation_libc;
DROP DATABASE relocate_collation_icu;

-- Organization.save: an organization whose slug is empty or null gets the slug of its name, then
-- the normalisation and uniqueness of any slug; random hex only when the name slugifies to nothing
-- or to a reserved slug.
\i test/regress/setup.sql
SELECT * FROM relocate_import('[
  {"model": "sentry.organization", "pk": 1, "fields": {"name": "Acme Corp", "slug": "", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 2, "fields": {"name": "Acme Corp", "slug": null, "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 3, "fields": {"name": "Ünïcode Ltd.", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 4, "fields": {"name": "!!!", "slug": "", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.organization", "pk": 5, "fields": {"name": "API", "slug": "", "date_added": "2023-06-22T22:59:55Z"}}]',
  import_uuid => '00000000-0000-4000-8000-0000000001c1');
SELECT m.old_pk, CASE WHEN o.slug ~ '^([0-9a-f]{12}|[0-9]{12}-[a-z0-9]{2,12})$' THEN '<12 hex digits>' WHEN m.old_pk = 2 THEN regexp_replace(o.slug, '-[a-z0-9]{2}$', '-<suffix>') ELSE o.slug END AS slug
  FROM relocate_pk_map m JOIN sentry_organization o ON o.id = m.new_pk WHERE m.model = 'sentry.organization'
 ORDER BY m.old_pk;

-- Team.save and Project.save: an empty or null slug is made from the name (slugify; teams 30
-- characters, projects 50 and Sentry's reserved project slugs), unique case-insensitively within the
-- organization; a slug from the export is kept exactly as it is.
SELECT * FROM relocate_import('[
  {"model": "sentry.organization", "pk": 1, "fields": {"name": "T", "slug": "teams-and-projects", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.team", "pk": 1, "fields": {"organization": 1, "name": "Back End", "slug": "", "status": 0}},
  {"model": "sentry.team", "pk": 2, "fields": {"organization": 1, "name": "Back End", "slug": null, "status": 0}},
  {"model": "sentry.team", "pk": 3, "fields": {"organization": 1, "name": "A team with a name far longer than thirty characters", "status": 0}},
  {"model": "sentry.team", "pk": 4, "fields": {"organization": 1, "name": "x", "slug": "Keep_Me Exactly", "status": 0}},
  {"model": "sentry.project", "pk": 1, "fields": {"organization": 1, "name": "Settings", "slug": "", "date_added": "2023-06-22T00:00:00Z"}},
  {"model": "sentry.project", "pk": 2, "fields": {"organization": 1, "name": "My Project", "slug": "", "date_added": "2023-06-22T00:00:00Z"}},
  {"model": "sentry.project", "pk": 3, "fields": {"organization": 1, "name": "my_project", "slug": "MY-PROJECT", "date_added": "2023-06-22T00:00:00Z"}},
  {"model": "sentry.project", "pk": 4, "fields": {"organization": 1, "name": "My Project", "slug": "", "date_added": "2023-06-22T00:00:00Z"}}]',
  import_uuid => '00000000-0000-4000-8000-0000000001c2');
SELECT m.model, m.old_pk, CASE WHEN m.slug ~ '^([0-9a-f]{12}|[0-9]{12}-[a-z0-9]{2,12})$' THEN NULL ELSE length(m.slug) END AS len,
       CASE WHEN m.slug ~ '^([0-9a-f]{12}|[0-9]{12}-[a-z0-9]{2,12})$' THEN '<12 hex digits>'
            WHEN (m.model, m.old_pk) IN (('sentry.team', 2), ('sentry.project', 4)) THEN regexp_replace(m.slug, '-[a-z0-9]{2}$', '-<suffix>')
            ELSE m.slug END AS slug
  FROM relocate_pk_map m WHERE m.model IN ('sentry.team', 'sentry.project') ORDER BY m.model, m.old_pk;
-- A slug from the export that the organization's team already has: an ERROR naming the entry (Sentry
-- fails on the table's unique constraint).
SELECT * FROM relocate_import('[
  {"model": "sentry.organization", "pk": 1, "fields": {"name": "T", "slug": "dup", "date_added": "2023-06-22T22:59:55Z"}},
  {"model": "sentry.team", "pk": 1, "fields": {"organization": 1, "name": "Ops", "slug": "ops", "status": 0}},
  {"model": "sentry.team", "pk": 2, "fields": {"organization": 1, "name": "Ops 2", "slug": "ops", "status": 0}}]',
  import_uuid => '00000000-0000-4000-8000-0000000001c3');
\echo :LAST_ERROR_SQLSTATE
