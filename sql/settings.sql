-- The relocate.* settings in a session that has not loaded the library: the view relocate_settings
-- loads it and lists them, after which SHOW and SET work; LOAD 'relocate' and
-- session_preload_libraries make them work from the first statement (README, "Settings").
\i test/regress/setup.sql
SELECT current_database() AS regress_db \gset

-- A fresh session: the library is not loaded, so PostgreSQL knows no relocate.* setting yet.
\set QUIET on
\c :regress_db
\set QUIET off
SELECT count(*) AS relocate_settings_before_load FROM pg_settings WHERE name LIKE 'relocate.%';
SHOW relocate.batch_size;
-- The view loads the library and shows every setting with its default.
SELECT name, setting, unit, boot_val, min_val, max_val, context, source FROM relocate_settings;
SELECT count(*) AS without_description FROM relocate_settings WHERE short_desc IS NULL OR short_desc = '';
-- Now SHOW and SET work, and the view follows them.
SHOW relocate.batch_size;
SET relocate.batch_size = 50;
SELECT name, setting, source FROM relocate_settings WHERE name = 'relocate.batch_size';
-- A real setting now, not a placeholder: its range is checked.
SET relocate.batch_size = 0;
-- The view is the same whatever the search_path (its function is named by the view, not looked up).
SET search_path = pg_catalog;
SELECT count(*) AS settings FROM public.relocate_settings;
RESET search_path;

-- Any role can read the view, in a fresh session too (the catalogue views likewise).
\set QUIET on
\c :regress_db
\set QUIET off
SET client_min_messages = warning;
DROP ROLE IF EXISTS relocate_regress_settings;
RESET client_min_messages;
CREATE ROLE relocate_regress_settings;
SET ROLE relocate_regress_settings;
SELECT count(*) AS settings FROM relocate_settings;
SHOW relocate.region_name;
SELECT count(*) > 0 AS models, (SELECT count(*) > 0 FROM relocate_model_foreign_keys) AS foreign_keys,
       (SELECT count(*) FROM relocate_model_columns) >= 0 AS columns_readable
  FROM relocate_models;
RESET ROLE;
DROP ROLE relocate_regress_settings;

-- LOAD 'relocate' (a superuser's command) in a fresh session: SHOW works right away.
\set QUIET on
\c :regress_db
\set QUIET off
LOAD 'relocate';
SHOW relocate.password_hash_iterations;

-- session_preload_libraries for the database: SHOW works from the first statement of a session.
ALTER DATABASE :"regress_db" SET session_preload_libraries = 'relocate';
\set QUIET on
\c :regress_db
\set QUIET off
SHOW relocate.password_hash_iterations;
SHOW relocate.region_name;
ALTER DATABASE :"regress_db" RESET session_preload_libraries;
\set QUIET on
\c :regress_db
\set QUIET off
SELECT count(*) AS relocate_settings_without_preload FROM pg_settings WHERE name LIKE 'relocate.%';
