-- The model catalogue, as DBAs see it: generated from Sentry's model_dependencies/detailed.json.
\i test/regress/setup.sql

SELECT count(*) AS models, count(*) FILTER (WHERE exportable) AS exportable,
       count(*) FILTER (WHERE dangling) AS dangling FROM relocate_models;
SELECT relocation_scopes, count(*) FROM relocate_models GROUP BY 1 ORDER BY 1;
SELECT model, table_name, relocation_scopes, silos, sort_order, relocation_dependencies, uniques
  FROM relocate_models
 WHERE model IN ('sentry.user', 'sentry.email', 'sentry.organizationmember', 'sentry.apitoken', 'sentry.useremail')
 ORDER BY sort_order;
SELECT field, column_name, target_model, kind, nullable
  FROM relocate_model_foreign_keys WHERE model = 'sentry.organizationmember' ORDER BY field;
SELECT kind, count(*) FROM relocate_model_foreign_keys GROUP BY kind ORDER BY kind;
-- Dependency order: every foreign key target sorts before its model.
SELECT f.model, f.field, f.target_model
  FROM relocate_model_foreign_keys f
  JOIN relocate_models m ON m.model = f.model
  JOIN relocate_models t ON t.model = f.target_model
 WHERE t.sort_order >= m.sort_order;
-- Every exportable model's table exists in the test schema, or is knowingly absent.
SELECT count(*) FILTER (WHERE to_regclass('sentry.' || table_name) IS NOT NULL) AS tables_present,
       count(*) AS exportable
  FROM relocate_models WHERE exportable;
-- Models whose table Sentry has dropped since, and when (catalogue-extras.json, removed_tables).
SELECT model, table_name, table_removed FROM relocate_models WHERE table_removed IS NOT NULL ORDER BY sort_order;

-- relocate_model_columns: for each column of each exportable model's table, where relocate_import
-- takes it from, in the order the sources apply.
SELECT column_name, field, source, detail FROM relocate_model_columns WHERE model = 'sentry.organization';
SELECT column_name, field, source, left(detail, 60) AS detail FROM relocate_model_columns
 WHERE model IN ('sentry.monitor', 'sentry.projectkey') AND source <> 'export field';
SELECT source, count(*), count(DISTINCT model) AS models FROM relocate_model_columns GROUP BY source ORDER BY source;
-- Every column the catalogue names is a column of the test schema's table, but for those of older
-- Sentry versions: the foreign keys of fields Sentry removed (sentry.project.template,
-- sentry.incident.activation) and the defaults of columns Sentry 24.8 still had.
SELECT c.model, c.column_name, c.source FROM relocate_catalogue_columns() c
  JOIN relocate_models m USING (model)
 WHERE m.exportable AND m.table_removed IS NULL
   AND NOT EXISTS (SELECT FROM relocate_model_columns v WHERE v.model = c.model AND v.column_name = c.column_name);

-- The upgrade from 0.1.0 (as released) gives the same objects as a fresh install of 0.2.0.
SELECT current_database() AS regress_db \gset
\set extension_objects 'SELECT md5(string_agg(x, E''\n'' ORDER BY x)) AS digest FROM (SELECT pg_describe_object(d.classid, d.objid, 0) || coalesce('' '' || pg_get_viewdef(d.objid), '''') || coalesce('' '' || obj_description(d.objid, ''pg_class''), '''') || coalesce('' '' || pg_get_function_result(d.objid) || '' '' || obj_description(d.objid, ''pg_proc''), '''') AS x FROM pg_depend d WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = ''relocate'') AND d.deptype = ''e'') o'
:extension_objects \gset fresh_
CREATE DATABASE relocate_upgrade TEMPLATE template0;
\set QUIET on
\c relocate_upgrade
\set QUIET off
CREATE EXTENSION relocate VERSION '0.1.0';
ALTER EXTENSION relocate UPDATE TO '0.2.0';
:extension_objects \gset upgraded_
\set QUIET on
\c :regress_db
\set QUIET off
DROP DATABASE relocate_upgrade;
SELECT :'fresh_digest' = :'upgraded_digest' AS upgrade_matches_install;
