-- relocate 0.1.0 -> 0.2.0 (ALTER EXTENSION relocate UPDATE TO '0.2.0').
\echo Use "ALTER EXTENSION relocate UPDATE TO '0.2.0'" to load this file. \quit

-- relocate_import gains the argument `reset` (Sentry's Global-scope reset, on request).
DROP FUNCTION relocate_import(bytea, text, text[], text[], boolean, boolean, boolean, uuid, text);
DROP FUNCTION relocate_import(text, text, text[], text[], boolean, boolean, boolean, uuid, text);

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
    reset boolean DEFAULT false,
    dry_run boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint,
               reused bigint, skipped_reasons jsonb)
AS 'MODULE_PATHNAME', 'relocate_import'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

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
    reset boolean DEFAULT false,
    dry_run boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint,
               reused bigint, skipped_reasons jsonb)
AS 'MODULE_PATHNAME', 'relocate_import'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION relocate_import(bytea, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean, boolean) IS
'Imports a Sentry export into Sentry''s tables in the current transaction, as Sentry''s import does. '
'export: the file''s bytes (plain JSON, gzip/bzip2/xz/zstd-compressed JSON, or an encrypted tarball); '
'scope: user, organization (default), config or global; org_filter / user_filter: organization slugs / '
'usernames to keep (NULL: all); merge_users: reuse existing users with the same username; '
'overwrite_configs: overwrite existing config rows; hide_organizations: import organizations pending '
'approval; import_uuid: the import''s identity (a re-run with it reuses what the first run wrote; NULL '
'mints one); private_key: the RSA key (PEM text or a server file path) of an encrypted export; reset: '
'empty Sentry''s tables first (global scope only); dry_run: do everything, then roll it back. Returns per '
'model the entries inserted, existing (reused rows of this install), overwritten, skipped (split by '
'reason in skipped_reasons) and reused (written by an earlier run with this import_uuid). Leaves the '
'old->new primary keys in the temporary table relocate_pk_map and a per-entry account of everything not '
'inserted as it is in the file in the temporary table relocate_report.';
COMMENT ON FUNCTION relocate_import(text, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean, boolean) IS
'relocate_import for an export given as text. export: the export''s JSON text (plain JSON only: a compressed or '
'encrypted export is bytes, for the bytea variant); scope, org_filter, user_filter, merge_users, overwrite_configs, '
'hide_organizations, import_uuid, private_key, reset and dry_run: as for the bytea variant. Returns the same '
'summary and fills relocate_pk_map and relocate_report the same way.';

-- The same import, streamed from a file on the server (plain JSON, compressed JSON or an encrypted
-- tarball): any size, never held in memory. Needs superuser or pg_read_server_files.
CREATE FUNCTION relocate_import_file(
    path text,
    scope text DEFAULT 'organization',
    org_filter text[] DEFAULT NULL,
    user_filter text[] DEFAULT NULL,
    merge_users boolean DEFAULT false,
    overwrite_configs boolean DEFAULT false,
    hide_organizations boolean DEFAULT false,
    import_uuid uuid DEFAULT NULL,
    private_key text DEFAULT NULL,
    reset boolean DEFAULT false,
    dry_run boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint,
               reused bigint, skipped_reasons jsonb)
AS 'MODULE_PATHNAME', 'relocate_import_file'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- The same import, streamed from a large object (e.g. uploaded with psql's \lo_import): any size,
-- never held in memory, no server file access needed.
CREATE FUNCTION relocate_import_large_object(
    export oid,
    scope text DEFAULT 'organization',
    org_filter text[] DEFAULT NULL,
    user_filter text[] DEFAULT NULL,
    merge_users boolean DEFAULT false,
    overwrite_configs boolean DEFAULT false,
    hide_organizations boolean DEFAULT false,
    import_uuid uuid DEFAULT NULL,
    private_key text DEFAULT NULL,
    reset boolean DEFAULT false,
    dry_run boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint,
               reused bigint, skipped_reasons jsonb)
AS 'MODULE_PATHNAME', 'relocate_import_large_object'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION relocate_import_file(text, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean, boolean) IS
'relocate_import for an export in a server file, given by its absolute path (path): the file is read as a stream, '
'so it may be of any size (plain JSON, gzip/bzip2/xz/zstd-compressed JSON, or an encrypted tarball, which needs '
'private_key). scope, org_filter, user_filter, merge_users, overwrite_configs, hide_organizations, import_uuid, '
'private_key, reset and dry_run: as for relocate_import. Needs superuser or pg_read_server_files.';
COMMENT ON FUNCTION relocate_import_large_object(oid, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean, boolean) IS
'relocate_import for an export in a large object (export: its oid, e.g. from \lo_import): read as a stream, so it '
'may be of any size, in any of relocate_import_file''s forms. scope, org_filter, user_filter, merge_users, '
'overwrite_configs, hide_organizations, import_uuid, private_key, reset and dry_run: as for relocate_import. '
'Needs SELECT on the large object.';

-- Verification (Sentry's validate/compare step): the database compared with an export through the
-- import chunks of one import_uuid. One row per difference; none when the database matches.
CREATE FUNCTION relocate_verify(export bytea, import_uuid uuid, private_key text DEFAULT NULL)
RETURNS TABLE (model text, old_pk bigint, new_pk bigint, field text, expected text, found text)
AS 'MODULE_PATHNAME', 'relocate_verify'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_verify(export text, import_uuid uuid, private_key text DEFAULT NULL)
RETURNS TABLE (model text, old_pk bigint, new_pk bigint, field text, expected text, found text)
AS 'MODULE_PATHNAME', 'relocate_verify'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_verify_file(path text, import_uuid uuid, private_key text DEFAULT NULL)
RETURNS TABLE (model text, old_pk bigint, new_pk bigint, field text, expected text, found text)
AS 'MODULE_PATHNAME', 'relocate_verify_file'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_verify_large_object(export oid, import_uuid uuid, private_key text DEFAULT NULL)
RETURNS TABLE (model text, old_pk bigint, new_pk bigint, field text, expected text, found text)
AS 'MODULE_PATHNAME', 'relocate_verify_large_object'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION relocate_verify(bytea, uuid, text) IS
'Compares the database with an export through the import chunks of an import: export: the export''s bytes (plain, '
'compressed or encrypted, as relocate_import takes them); import_uuid: the import whose chunks say which row each '
'entry became (an unknown one is an error); private_key: the key of an encrypted export (PEM text or a server file '
'path), NULL for none. Returns one row per difference, none when the database matches: model, old_pk (the export''s '
'pk), new_pk (the row''s pk), field (the export''s field name), expected (what the import would write, in the '
'column type''s text form), found (what the row holds). Not compared: the id, the columns Sentry''s rules write '
'(relocate_model_columns, source ''rule''), defaults, and the fields of Existing rows; references are compared '
'after mapping through the chunks. Rows with field NULL: the row is gone (expected ''row (<kind>)'', found NULL), '
'the entry is at ordinals no chunk of its model covers (new_pk NULL, expected ''imported'', found ''not in the '
'import chunks''), the chunks map an entry the export lacks (expected ''not in the export'', found ''row (<kind>)''). '
'Reads only; writes nothing.';
COMMENT ON FUNCTION relocate_verify(text, uuid, text) IS
'relocate_verify for an export given as text (export: the JSON text, plain only); import_uuid and private_key '
'as relocate_verify''s.';
COMMENT ON FUNCTION relocate_verify_file(text, uuid, text) IS
'relocate_verify for an export in a server file (path: its absolute path), read as a stream; import_uuid and '
'private_key as relocate_verify''s. Needs superuser or pg_read_server_files.';
COMMENT ON FUNCTION relocate_verify_large_object(oid, uuid, text) IS
'relocate_verify for an export in a large object (export: its oid, e.g. from \lo_import), read as a stream; '
'import_uuid and private_key as relocate_verify''s. Needs SELECT on the large object.';

-- Relocations (Sentry's relocation pipeline from the database): the export file of each, Sentry's
-- importing task and the database half of the tasks after it.

CREATE TABLE relocate_relocation_file (
    relocation_uuid uuid NOT NULL,
    file_id bigint NOT NULL,
    data oid NOT NULL UNIQUE,
    size bigint NOT NULL CHECK (size OPERATOR(pg_catalog.>=) 0),
    checksum text NOT NULL,
    date_added timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (relocation_uuid, file_id)
);
SELECT pg_catalog.pg_extension_config_dump('relocate_relocation_file', '');

COMMENT ON TABLE relocate_relocation_file IS
'The bytes of relocation export files: Sentry keeps them in its filestore (RelocationFile -> File -> '
'FileBlobIndex -> FileBlob), which the database cannot read, so relocate keeps each in a large object. '
'relocation_uuid: the relocation (sentry_relocation.uuid); file_id: the sentry_file row of its RelocationFile '
'(relocation and file together, since file ids are only unique within one Sentry schema); data: the large '
'object holding the file; size: its length in bytes; checksum: its SHA-1 (hex), as sentry_file.checksum.';

CREATE FUNCTION relocate_relocation_create(
    export bytea,
    want_org_slugs text[],
    owner_id bigint,
    creator_id bigint DEFAULT NULL,
    provenance text DEFAULT 'self-hosted',
    private_key text DEFAULT NULL)
RETURNS uuid
AS 'MODULE_PATHNAME', 'relocate_relocation_create'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_relocation_create(
    export oid,
    want_org_slugs text[],
    owner_id bigint,
    creator_id bigint DEFAULT NULL,
    provenance text DEFAULT 'self-hosted',
    private_key text DEFAULT NULL)
RETURNS uuid
AS 'MODULE_PATHNAME', 'relocate_relocation_create_lo'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_relocation_create_from_file(
    path text,
    want_org_slugs text[],
    owner_id bigint,
    creator_id bigint DEFAULT NULL,
    provenance text DEFAULT 'self-hosted',
    private_key text DEFAULT NULL)
RETURNS uuid
AS 'MODULE_PATHNAME', 'relocate_relocation_create_from_file'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION relocate_relocation_create(bytea, text[], bigint, bigint, text, text) IS
'Creates a Sentry relocation as its pipeline leaves it after validation (IN_PROGRESS, latest_task '
'VALIDATING_COMPLETE, step IMPORTING) and returns its uuid. export: the export (plain JSON or an encrypted '
'tarball), kept in a new large object; want_org_slugs: the slugs of the organizations to import, as in the '
'export; owner_id: the user who becomes owner of the imported organizations; creator_id: the user who asked '
'(NULL: the owner); provenance: ''self-hosted'' or ''saas-to-saas'' (merges users), any case; private_key: '
'for an encrypted export, PEM text or a server file path, to run Sentry''s preprocessing checks now (else '
'they run at importing). A failed check records the relocation as FAILURE with Sentry''s reason.';
COMMENT ON FUNCTION relocate_relocation_create(oid, text[], bigint, bigint, text, text) IS
'relocate_relocation_create for an export in a large object (psql: \lo_import file, then :LASTOID), which '
'the relocation keeps (do not unlink it). export: the large object''s oid; want_org_slugs, owner_id, '
'creator_id, provenance and private_key: as for the bytea variant.';
COMMENT ON FUNCTION relocate_relocation_create_from_file(text, text[], bigint, bigint, text, text) IS
'relocate_relocation_create for an export in a file on the database server (needs pg_read_server_files or '
'superuser), copied into a new large object. path: the file''s absolute path; want_org_slugs, owner_id, '
'creator_id, provenance and private_key: as for relocate_relocation_create.';

CREATE FUNCTION relocate_importing(relocation_uuid uuid, private_key text DEFAULT NULL)
RETURNS TABLE (organization_id bigint, slug text)
AS 'MODULE_PATHNAME', 'relocate_importing'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION relocate_importing(uuid, text) IS
'Sentry''s relocation task importing: its gate (order, attempts of 5, pause, cancel), then the export imported '
'in organization scope with the relocation''s flags in a subtransaction; a failure is recorded (FAILURE and '
'its cause) and nothing of the import is kept. Returns the imported organizations. relocation_uuid: the '
'relocation; private_key: for an encrypted export, PEM text or a server file path.';

CREATE FUNCTION relocate_postprocessing(relocation_uuid uuid)
RETURNS TABLE (organization_id bigint, slug text, member_id bigint, member_added boolean)
AS 'MODULE_PATHNAME', 'relocate_postprocessing'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_notifying_unhide(relocation_uuid uuid)
RETURNS TABLE (organization_id bigint, slug text, status integer)
AS 'MODULE_PATHNAME', 'relocate_notifying_unhide'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_notifying_users(relocation_uuid uuid)
RETURNS TABLE (user_id bigint, username text, email text, claim_hash text, organization_slugs text[])
AS 'MODULE_PATHNAME', 'relocate_notifying_users'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_notifying_owner(relocation_uuid uuid)
RETURNS TABLE (user_id bigint, email text, organization_slugs text[])
AS 'MODULE_PATHNAME', 'relocate_notifying_owner'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_completed(relocation_uuid uuid)
RETURNS text
AS 'MODULE_PATHNAME', 'relocate_completed'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_relocation_run(relocation_uuid uuid, private_key text DEFAULT NULL)
RETURNS TABLE (task text, outcome text, detail text)
AS 'MODULE_PATHNAME', 'relocate_relocation_run'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION relocate_relocation_users(relocation_uuid uuid)
RETURNS TABLE (user_id bigint, username text, email text, claim_hash text, organization_slugs text[])
AS 'MODULE_PATHNAME', 'relocate_relocation_users'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION relocate_postprocessing(uuid) IS
'Sentry''s relocation task postprocessing (gate, 4 attempts): the relocation''s owner becomes an owner member '
'of every imported organization that does not have them as a member (an existing membership is kept). '
'relocation_uuid: the relocation. Returns each organization with the owner''s member id and whether it was added.';
COMMENT ON FUNCTION relocate_notifying_unhide(uuid) IS
'Sentry''s relocation task notifying_unhide (gate, 4 attempts): imported organizations pending approval '
'(status 3) become active (0). relocation_uuid: the relocation. Returns the organizations and their status.';
COMMENT ON FUNCTION relocate_notifying_users(uuid) IS
'Sentry''s relocation task notifying_users (gate, 4 attempts) without the e-mails: a claim hash '
'(LostPasswordHash, renewed after an hour) for every imported unclaimed user, and '
'latest_unclaimed_emails_sent_at. relocation_uuid: the relocation. Returns whom to send the claim e-mail: '
'user, e-mail, claim hash, the imported organizations'' slugs.';
COMMENT ON FUNCTION relocate_notifying_owner(uuid) IS
'Sentry''s relocation task notifying_owner (gate, 4 attempts) without the e-mail: latest_notified SUCCEEDED. '
'relocation_uuid: the relocation. Returns whom to send the success e-mail (owner, and creator if another '
'user) with the imported organizations'' slugs.';
COMMENT ON FUNCTION relocate_completed(uuid) IS
'Sentry''s relocation task completed (gate, 4 attempts): status SUCCESS, step COMPLETED. relocation_uuid: the '
'relocation. Returns its status after the call (IN_PROGRESS, FAILURE, SUCCESS, PAUSE; NULL if there is none).';
COMMENT ON FUNCTION relocate_relocation_run(uuid, text) IS
'Runs a relocation''s tasks from importing to completed, each through its gate, stopping at the first that '
'does not finish. relocation_uuid: the relocation; private_key: for importing an encrypted export. Returns '
'one row per task run: its name, outcome (done, skipped, paused, failed, retry, missing) and what happened.';
COMMENT ON FUNCTION relocate_relocation_users(uuid) IS
'The imported, unclaimed users of a relocation (found as Sentry finds them, through '
'sentry_controlimportchunkreplica) with their claim hash and the imported organizations'' slugs; changes '
'nothing. relocation_uuid: the relocation.';
-- The catalogue: relocate_models gains table_removed (a view whose columns change is dropped and
-- created again, with the function behind it), and relocate_model_columns is new.
DROP VIEW relocate_models;
DROP FUNCTION relocate_catalogue_models();

CREATE FUNCTION relocate_catalogue_models()
RETURNS TABLE (model text, table_name text, relocation_scopes text[], silos text[], sort_order integer,
               exportable boolean, dangling boolean, relocation_dependencies text[], uniques jsonb,
               table_removed text)
AS 'MODULE_PATHNAME', 'relocate_catalogue_models'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION relocate_catalogue_columns()
RETURNS TABLE (model text, column_name text, field text, source text, detail text)
AS 'MODULE_PATHNAME', 'relocate_catalogue_columns'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE VIEW relocate_models AS SELECT * FROM relocate_catalogue_models();

-- Where relocate_import takes each column of each exportable model's table from, for the tables the
-- caller's search_path finds: the catalogue's foreign keys, Python-side defaults and rules, joined
-- with the live columns (every other column takes the export field of its name) and their defaults.
CREATE VIEW relocate_model_columns AS
WITH live AS (
    SELECT m.model, m.sort_order, a.attnum, a.attname::pg_catalog.text AS column_name,
           CASE WHEN a.attidentity OPERATOR(pg_catalog.<>) '' THEN 'generated as identity'
                ELSE pg_catalog.pg_get_expr(d.adbin, d.adrelid) END AS db_default
      FROM relocate_models m
      JOIN pg_catalog.pg_attribute a
        ON a.attrelid OPERATOR(pg_catalog.=)
           pg_catalog.to_regclass(pg_catalog.quote_ident(m.table_name))::pg_catalog.oid
       AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
      LEFT JOIN pg_catalog.pg_attrdef d
        ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid AND d.adnum OPERATOR(pg_catalog.=) a.attnum
     WHERE m.exportable
), catalogue AS (
    SELECT * FROM relocate_catalogue_columns()
), sources AS (
    -- The value: a new id; the remapped foreign key; the export field (of another name, or its own).
    SELECT l.*, 1 AS step, NULL::pg_catalog.text AS field, 'new id'::pg_catalog.text AS source,
           'drawn from the table''s own sequence' AS detail
      FROM live l WHERE l.column_name OPERATOR(pg_catalog.=) 'id'
    UNION ALL
    SELECT l.*, 1, c.field, c.source, c.detail
      FROM live l
      JOIN catalogue c ON c.model OPERATOR(pg_catalog.=) l.model AND c.column_name OPERATOR(pg_catalog.=) l.column_name
     WHERE c.source OPERATOR(pg_catalog.=) ANY (ARRAY['foreign key', 'export field']::pg_catalog.text[])
    UNION ALL
    SELECT l.*, 1, l.column_name, 'export field', 'the field of that name'
      FROM live l
     WHERE l.column_name OPERATOR(pg_catalog.<>) 'id'
       AND NOT EXISTS (SELECT FROM catalogue c
                        WHERE c.model OPERATOR(pg_catalog.=) l.model
                          AND c.column_name OPERATOR(pg_catalog.=) l.column_name
                          AND c.source OPERATOR(pg_catalog.=) ANY (ARRAY['foreign key', 'export field']::pg_catalog.text[]))
    UNION ALL
    -- When the export lacks the field: Sentry's Python-side default, else the database's.
    SELECT l.*, 2, c.field, c.source, c.detail
      FROM live l
      JOIN catalogue c ON c.model OPERATOR(pg_catalog.=) l.model AND c.column_name OPERATOR(pg_catalog.=) l.column_name
     WHERE c.source OPERATOR(pg_catalog.=) 'python default'
    UNION ALL
    SELECT l.*, 3, NULL, 'database default', l.db_default
      FROM live l WHERE l.db_default IS NOT NULL AND l.column_name OPERATOR(pg_catalog.<>) 'id'
    UNION ALL
    -- What Sentry's per-model rules write over or into it.
    SELECT l.*, 4, c.field, c.source, c.detail
      FROM live l
      JOIN catalogue c ON c.model OPERATOR(pg_catalog.=) l.model AND c.column_name OPERATOR(pg_catalog.=) l.column_name
     WHERE c.source OPERATOR(pg_catalog.=) 'rule'
)
SELECT model, column_name, field, source, detail
  FROM sources
 ORDER BY sort_order, attnum, step;

COMMENT ON VIEW relocate_models IS
'Every model Sentry''s backup code knows: table, relocation scope(s), silos, dependency order (sort_order), '
'relocation dependencies and unique sets. Exportable models are those not Excluded. table_removed says when '
'Sentry dropped the model''s table (an import into a database without it skips the model''s entries).';
COMMENT ON VIEW relocate_model_columns IS
'Where relocate_import takes each column of the exportable models'' tables (those the search_path finds) from, '
'one row per source, in the order they apply: new id, foreign key or export field; when the field is missing, '
'python default, then database default; then rule (a value Sentry''s per-model rules write, and when).';
-- The lock every import takes at its start, before its first write, and holds to the end of its
-- transaction (SHARE UPDATE EXCLUSIVE, taken by relocate's C code): imports take turns on it, so
-- that none deadlocks with another and each sees what the one before it committed. A table rather
-- than an advisory lock key, because any role can take any advisory lock: this one only a role with
-- a privilege on the table (none is granted) or a superuser can take by hand.
CREATE TABLE relocate_import_lock ();
REVOKE ALL ON TABLE relocate_import_lock FROM PUBLIC;
COMMENT ON TABLE relocate_import_lock IS
'Holds no rows: relocate_import locks it (SHARE UPDATE EXCLUSIVE) from its start to the end of the transaction, '
'so that concurrent imports take turns. SELECT pid FROM pg_locks WHERE relation = ''relocate_import_lock''::regclass '
'AND granted shows the import the others wait for.';

-- The progress of every running import, from the backend progress parameters relocate sets
-- (src/pg/progress.cpp; the first six are pg_stat_progress_copy's, where imports show as COPY FROM
-- CALLBACK): phase, model, entries read, rows written, bytes read of the export's size.
CREATE VIEW relocate_progress AS
SELECT p.pid,
       a.datname,
       a.usename,
       (ARRAY['setup', 'parse', 'rows', 'normalize', 'collisions', 'hashing', 'writes', 'pk map',
              'derived rows', 'chunks', 'foreign keys']::pg_catalog.text[])[p.param8] AS phase,
       m.model,
       p.param7 AS entries_read,
       p.param3 AS rows_written,
       p.param4 AS skipped,
       p.param10 AS reused,
       p.param1 AS bytes_read,
       CASE WHEN p.param2 OPERATOR(pg_catalog.=) 0 THEN NULL ELSE p.param2 END AS bytes_total,
       a.query_start AS started,
       (pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) a.query_start) AS elapsed,
       pg_catalog.round((p.param3::pg_catalog.float8 OPERATOR(pg_catalog./) GREATEST(
           pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) a.query_start),
           0.001::pg_catalog.float8))::pg_catalog.numeric) AS rows_per_second
  FROM pg_catalog.pg_stat_get_progress_info('COPY') p
  LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) p.pid
  LEFT JOIN relocate_models m ON m.sort_order OPERATOR(pg_catalog.=) (p.param9 OPERATOR(pg_catalog.-) 1)
 WHERE p.param20 OPERATOR(pg_catalog.=) 1380273231;

COMMENT ON VIEW relocate_progress IS
'One row per running import (relocate_import and its variants, relocate_importing) that this role may see: '
'pid, database, user; phase (setup, parse, rows, normalize, collisions, hashing, writes, pk map, derived rows, '
'chunks, foreign keys); the model being imported; entries read, rows written (inserted, existing, overwritten), skipped and '
'reused so far; bytes read of the export in the current pass over it (a filter''s pre-pass or an encrypted '
'export''s check reads it once before the import does) and its size; when the statement started, elapsed time '
'and rows written per second.';
-- Comments on the catalogue's functions (0.1.0 had none), and the settings.
COMMENT ON FUNCTION relocate_catalogue_models() IS
'The model catalogue behind the view relocate_models (no arguments): one row per model Sentry''s backup code '
'knows, with its table, relocation scopes, silos, dependency order, relocation dependencies, unique sets and '
'when Sentry dropped its table. Generated from Sentry''s model_dependencies; the same in every database.';
COMMENT ON FUNCTION relocate_catalogue_foreign_keys() IS
'The foreign keys of the model catalogue behind the view relocate_model_foreign_keys (no arguments): per model, '
'the export field, its column, the model it refers to, its kind and whether it may be null.';
COMMENT ON FUNCTION relocate_catalogue_columns() IS
'What the catalogue knows of each model''s columns (no arguments), behind the view relocate_model_columns: the '
'foreign keys remapped, the Python-side defaults, the columns Sentry''s rules write and the export fields whose '
'column has another name; the view adds the live columns of the tables the search_path finds.';

-- The relocate.* settings without a prior call: the function is in the library, so a call loads it
-- (its _PG_init defines the settings) before it reads pg_settings.
CREATE FUNCTION relocate_show_settings()
RETURNS TABLE (name text, setting text, unit text, boot_val text, min_val text, max_val text, context text,
               source text, short_desc text, extra_desc text)
AS 'MODULE_PATHNAME', 'relocate_show_settings'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

CREATE VIEW relocate_settings AS SELECT * FROM relocate_show_settings();

COMMENT ON FUNCTION relocate_show_settings() IS
'The relocate.* rows of pg_settings (no arguments), behind the view relocate_settings. Loads the library first, '
'so that every setting is there in a session that has not called relocate yet.';
COMMENT ON VIEW relocate_settings IS
'Every relocate.* setting as pg_settings shows it (name, setting, unit, boot_val: the default, min_val, max_val, '
'context, source, short_desc, extra_desc), also in a session that has not loaded the library yet: reading the '
'view loads it, after which SHOW and SET work. To have them from the first statement of every session, set '
'session_preload_libraries = ''relocate'' (ALTER DATABASE ... SET, or postgresql.conf).';

-- The views are for every role, as the catalogs they summarize are: EXECUTE on the functions is
-- PUBLIC's by default, SELECT on a view is not.
GRANT SELECT ON relocate_models, relocate_model_foreign_keys, relocate_model_columns, relocate_settings,
    relocate_progress TO PUBLIC;
