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
    reset boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint)
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
    reset boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint)
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
    reset boolean DEFAULT false)
RETURNS TABLE (model text, inserted bigint, existing bigint, overwritten bigint, skipped bigint)
AS 'MODULE_PATHNAME', 'relocate_import_large_object'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION relocate_import_file(text, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean) IS
'relocate_import for an export in a server file, given by its absolute path (path): the file is read as a stream, '
'so it may be of any size (plain JSON, gzip/bzip2/xz-compressed JSON, or an encrypted tarball, which needs '
'private_key). The other arguments are relocate_import''s. Needs superuser or pg_read_server_files.';
COMMENT ON FUNCTION relocate_import_large_object(oid, text, text[], text[], boolean, boolean, boolean, uuid, text, boolean) IS
'relocate_import for an export in a large object (export: its oid, e.g. from \lo_import): read as a stream, so it '
'may be of any size, in any of relocate_import_file''s forms. The other arguments are relocate_import''s. Needs '
'SELECT on the large object.';

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
