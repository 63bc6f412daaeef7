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
