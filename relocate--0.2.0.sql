-- relocate 0.2.0: import Sentry export files into a Sentry database, inside the database.
\echo Use "CREATE EXTENSION relocate" to load this file. \quit

-- The import. Target tables are Sentry's own (auth_user, sentry_organization, ...), found through
-- the caller's search_path. Runs in the caller's transaction: an error rolls back every row.
CREATE FUNCTION relocate_import(
    export bytea,
    scope text DEFAULT 'organization',
    org_filter text[] DEFAULT NULL,
    user_filter text[] DEFAULT NULL,
    merge_users boolean DEFAULT false,
    overwrite_configs boolean DEFAULT false,
    hide_organizations boolean DEFAULT false,
    import_uuid uuid DEFAULT NULL,
    private_key text DEFAULT NULL,
    reset boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint)
AS 'MODULE_PATHNAME', 'relocate_import'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- The same, for an export held as text (e.g. read with pg_read_file or passed from psql).
CREATE FUNCTION relocate_import(
    export text,
    scope text DEFAULT 'organization',
    org_filter text[] DEFAULT NULL,
    user_filter text[] DEFAULT NULL,
    merge_users boolean DEFAULT false,
    overwrite_configs boolean DEFAULT false,
    hide_organizations boolean DEFAULT false,
    import_uuid uuid DEFAULT NULL,
    private_key text DEFAULT NULL,
    reset boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint)
AS 'MODULE_PATHNAME', 'relocate_import'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION relocate_import(bytea, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean) IS
'Imports a Sentry export (JSON array of model entries) into Sentry''s tables in the current transaction; '
'returns per model the rows inserted, reused (existing), overwritten and skipped. The old->new primary '
'keys are left in the temporary table relocate_pk_map.';
COMMENT ON FUNCTION relocate_import(text, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean) IS
'relocate_import for an export given as text.';

-- The model catalogue (Sentry 24.9's backup model dependencies), for DBAs.
CREATE FUNCTION relocate_catalogue_models()
RETURNS TABLE (model text, table_name text, relocation_scopes text[], silos text[], sort_order integer,
               exportable boolean, dangling boolean, relocation_dependencies text[], uniques jsonb,
               table_removed text)
AS 'MODULE_PATHNAME', 'relocate_catalogue_models'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION relocate_catalogue_foreign_keys()
RETURNS TABLE (model text, field text, column_name text, target_model text, kind text, nullable boolean)
AS 'MODULE_PATHNAME', 'relocate_catalogue_foreign_keys'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION relocate_catalogue_columns()
RETURNS TABLE (model text, column_name text, field text, source text, detail text)
AS 'MODULE_PATHNAME', 'relocate_catalogue_columns'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE VIEW relocate_models AS SELECT * FROM relocate_catalogue_models();
CREATE VIEW relocate_model_foreign_keys AS SELECT * FROM relocate_catalogue_foreign_keys();

-- Where relocate_import takes each column of each exportable model's table from, for the tables the
-- caller's search_path finds: the catalogue's foreign keys, Python-side defaults and rules, joined
-- with the live columns (every other column takes the export field of its name) and their defaults.
CREATE VIEW relocate_model_columns AS
WITH live AS (
    SELECT m.model, m.sort_order, a.attnum, a.attname::pg_catalog.text AS column_name,
           CASE WHEN a.attidentity <> '' THEN 'generated as identity'
                ELSE pg_catalog.pg_get_expr(d.adbin, d.adrelid) END AS db_default
      FROM relocate_models m
      JOIN pg_catalog.pg_attribute a
        ON a.attrelid = pg_catalog.to_regclass(pg_catalog.quote_ident(m.table_name))
       AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE m.exportable
), catalogue AS (
    SELECT * FROM relocate_catalogue_columns()
), sources AS (
    -- The value: a new id; the remapped foreign key; the export field (of another name, or its own).
    SELECT l.*, 1 AS step, NULL::pg_catalog.text AS field, 'new id'::pg_catalog.text AS source,
           'drawn from the table''s own sequence' AS detail
      FROM live l WHERE l.column_name = 'id'
    UNION ALL
    SELECT l.*, 1, c.field, c.source, c.detail
      FROM live l JOIN catalogue c USING (model, column_name)
     WHERE c.source = ANY (ARRAY['foreign key', 'export field'])
    UNION ALL
    SELECT l.*, 1, l.column_name, 'export field', 'the field of that name'
      FROM live l
     WHERE l.column_name <> 'id'
       AND NOT EXISTS (SELECT FROM catalogue c
                        WHERE c.model = l.model
                          AND c.column_name = l.column_name
                          AND c.source = ANY (ARRAY['foreign key', 'export field']))
    UNION ALL
    -- When the export lacks the field: Sentry's Python-side default, else the database's.
    SELECT l.*, 2, c.field, c.source, c.detail
      FROM live l JOIN catalogue c USING (model, column_name)
     WHERE c.source = 'python default'
    UNION ALL
    SELECT l.*, 3, NULL, 'database default', l.db_default
      FROM live l WHERE l.db_default IS NOT NULL AND l.column_name <> 'id'
    UNION ALL
    -- What Sentry's per-model rules write over or into it.
    SELECT l.*, 4, c.field, c.source, c.detail
      FROM live l JOIN catalogue c USING (model, column_name)
     WHERE c.source = 'rule'
)
SELECT model, column_name, field, source, detail
  FROM sources
 ORDER BY sort_order, attnum, step;

COMMENT ON VIEW relocate_models IS
'Every model Sentry''s backup code knows: table, relocation scope(s), silos, dependency order (sort_order), '
'relocation dependencies and unique sets. Exportable models are those not Excluded. table_removed says when '
'Sentry dropped the model''s table (an import into a database without it skips the model''s entries).';
COMMENT ON VIEW relocate_model_foreign_keys IS
'The foreign keys relocate_import remaps through the pk map: export field, its column, target model, kind.';
COMMENT ON VIEW relocate_model_columns IS
'Where relocate_import takes each column of the exportable models'' tables (those the search_path finds) from, '
'one row per source, in the order they apply: new id, foreign key or export field; when the field is missing, '
'python default, then database default; then rule (a value Sentry''s per-model rules write, and when).';
