\set ECHO none
-- Included (\i) at the start of every pg_regress suite: a fresh Sentry-compatible schema `sentry`
-- first in the search_path, the extension, and the check helpers. Echo is off while it runs so
-- the expected output shows only the tests themselves. The schema is created from the file named by
-- the psql variable schema_file, test/schema/sentry.sql (current Sentry) unless a suite sets it
-- (e.g. import_fixtures_2024: test/schema/sentry-2024.sql, Sentry 24.8.0).
\set QUIET on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS relocate;
DROP SCHEMA IF EXISTS sentry CASCADE;
CREATE SCHEMA sentry;
DROP TABLE IF EXISTS pg_temp.summary;
SET search_path = sentry, public;
\if :{?schema_file}
\else
\set schema_file test/schema/sentry.sql
\endif
\i :schema_file

-- Makes `owner` the owner of every table of the schema sentry (a role that is not a superuser, as
-- Sentry's own database role is).
CREATE OR REPLACE FUNCTION public.own_sentry_tables(owner name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t regclass;
BEGIN
    FOR t IN SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'sentry' AND c.relkind IN ('r', 'p') LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', t, owner);
    END LOOP;
END $$;

-- Rows of each model in an export.
CREATE OR REPLACE FUNCTION public.export_counts(export jsonb)
RETURNS TABLE (model text, entries bigint) LANGUAGE sql AS $$
    SELECT lower(e->>'model'), count(*) FROM jsonb_array_elements(export) e GROUP BY 1
$$;

-- Models whose entries are not all accounted for by a relocate_import summary (inserted + existing
-- + overwritten + skipped must equal the entries in the file). Empty when every row is counted.
CREATE OR REPLACE FUNCTION public.unaccounted(export jsonb, summary_table regclass)
RETURNS TABLE (model text, entries bigint, accounted bigint) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT coalesce(f.model, s.model), f.entries, s.inserted + s.existing + s.overwritten + s.skipped + s.reused
           FROM public.export_counts($1) f FULL JOIN %s s ON s.model = f.model
          WHERE f.entries IS DISTINCT FROM s.inserted + s.existing + s.overwritten + s.skipped + s.reused', summary_table)
    USING export;
END $$;

-- Follows every non-null reference of every imported entry: the imported row's column must hold
-- the new pk that relocate_pk_map gives for the referenced old pk. Returns how many references
-- were checked and how many were wrong (each wrong one is also raised as a NOTICE).
CREATE OR REPLACE FUNCTION public.check_references(export jsonb)
RETURNS TABLE (checked bigint, wrong bigint) LANGUAGE plpgsql AS $$
DECLARE
    e jsonb;
    fk record;
    tbl text;
    new_id bigint;
    want bigint;
    got bigint;
    n_checked bigint := 0;
    n_wrong bigint := 0;
BEGIN
    FOR e IN SELECT value FROM jsonb_array_elements(export) LOOP
        SELECT m.new_pk INTO new_id FROM relocate_pk_map m
         WHERE m.model = lower(e->>'model') AND m.old_pk = (e->>'pk')::bigint;
        CONTINUE WHEN new_id IS NULL;
        SELECT table_name INTO tbl FROM relocate_models WHERE relocate_models.model = lower(e->>'model');
        FOR fk IN SELECT * FROM relocate_model_foreign_keys f WHERE f.model = lower(e->>'model') LOOP
            CONTINUE WHEN coalesce(jsonb_typeof(e->'fields'->fk.field), 'null') = 'null';
            CONTINUE WHEN NOT EXISTS (SELECT 1 FROM information_schema.columns c
                                       WHERE c.table_schema = 'sentry' AND c.table_name = tbl
                                         AND c.column_name = fk.column_name);
            SELECT m.new_pk INTO want FROM relocate_pk_map m
             WHERE m.model = fk.target_model AND m.old_pk = (e->'fields'->>fk.field)::bigint;
            EXECUTE format('SELECT %I FROM %I WHERE id = $1', fk.column_name, tbl) INTO got USING new_id;
            n_checked := n_checked + 1;
            IF want IS DISTINCT FROM got THEN
                n_wrong := n_wrong + 1;
                RAISE NOTICE '% pk % field %: want %, got %', e->>'model', e->>'pk', fk.field, want, got;
            END IF;
        END LOOP;
    END LOOP;
    RETURN QUERY SELECT n_checked, n_wrong;
END $$;

-- Every table's id sequence must be at or past the largest id in the table.
CREATE OR REPLACE FUNCTION public.sequences_behind()
RETURNS TABLE (table_name text, max_id bigint, last_value bigint) LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname::text AS rel, pg_get_serial_sequence('sentry.' || quote_ident(c.relname), 'id') AS seq
               FROM pg_class c WHERE c.relnamespace = 'sentry'::regnamespace AND c.relkind = 'r' LOOP
        CONTINUE WHEN t.seq IS NULL;
        RETURN QUERY EXECUTE format(
            'SELECT %L::text, (SELECT max(id) FROM sentry.%I)::bigint, (SELECT last_value FROM %s)::bigint
              WHERE (SELECT max(id) FROM sentry.%I) > (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM %s)',
            t.rel, t.rel, t.seq, t.rel, t.seq);
    END LOOP;
END $$;

-- A fresh schema `sentry` from the DDL text of test/schema/sentry.sql (for use inside functions).
CREATE OR REPLACE FUNCTION public.reset_sentry(ddl text)
RETURNS void LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    SET CONSTRAINTS ALL IMMEDIATE; -- run the deferred FK checks an import queued; DROP refuses otherwise
    DROP SCHEMA IF EXISTS sentry CASCADE;
    CREATE SCHEMA sentry;
    PERFORM set_config('search_path', 'sentry, public', false);
    EXECUTE ddl;
END $$;

-- One row per table of schema sentry: its row count and a digest of all its rows, without the
-- columns in `excluded` (values relocate generates at random: password hashes, tokens, ...).
CREATE OR REPLACE FUNCTION public.sentry_fingerprint(excluded text[] DEFAULT '{password,validation_hash,hash}')
RETURNS TABLE (table_name text, row_count bigint, digest text) LANGUAGE plpgsql AS $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c
              WHERE c.relnamespace = 'sentry'::regnamespace AND c.relkind = 'r' ORDER BY 1 LOOP
        RETURN QUERY EXECUTE format(
            'SELECT %L::text, count(*), md5(coalesce(string_agg((to_jsonb(x) - $1)::text, E''\n'' ORDER BY (to_jsonb(x) - $1)::text), '''')) FROM sentry.%I x',
            t, t) USING excluded;
    END LOOP;
END $$;

-- Imports `plain` and then `encrypted` (with `private_key`), each into a fresh schema, in the
-- caller's transaction (so now() is the same for both), and compares every table. Returns the
-- outcome: 'same rows' with the counts, or both errors when the imports fail.
CREATE OR REPLACE FUNCTION public.compare_imports(plain bytea, encrypted bytea, private_key text, scope text, ddl text,
                                                  excluded text[] DEFAULT '{password,validation_hash,hash}')
RETURNS TABLE (outcome text, tables bigint, row_count bigint, differing bigint)
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    plain_error text;
    encrypted_error text;
BEGIN
    DROP TABLE IF EXISTS pg_temp.fingerprint_plain, pg_temp.fingerprint_encrypted;
    PERFORM public.reset_sentry(ddl);
    BEGIN
        PERFORM * FROM relocate_import(plain, scope => scope, import_uuid => '00000000-0000-4000-8000-0000000c0de5');
    EXCEPTION WHEN OTHERS THEN
        plain_error := SQLSTATE || ': ' || SQLERRM;
    END;
    CREATE TEMP TABLE fingerprint_plain AS SELECT * FROM public.sentry_fingerprint(excluded);
    PERFORM public.reset_sentry(ddl);
    BEGIN
        PERFORM * FROM relocate_import(encrypted, scope => scope, private_key => private_key,
                                       import_uuid => '00000000-0000-4000-8000-0000000c0de5');
    EXCEPTION WHEN OTHERS THEN
        encrypted_error := SQLSTATE || ': ' || SQLERRM;
    END;
    CREATE TEMP TABLE fingerprint_encrypted AS SELECT * FROM public.sentry_fingerprint(excluded);
    IF plain_error IS NOT NULL OR encrypted_error IS NOT NULL THEN
        RETURN QUERY SELECT CASE WHEN plain_error IS NOT DISTINCT FROM encrypted_error
                                 THEN 'same error: ' || plain_error
                                 ELSE 'plain: ' || coalesce(plain_error, 'ok') || '; encrypted: ' || coalesce(encrypted_error, 'ok')
                            END, NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    RETURN QUERY
        SELECT 'same rows'::text, count(*), sum(p.row_count)::bigint,
               count(*) FILTER (WHERE p.row_count IS DISTINCT FROM e.row_count OR p.digest IS DISTINCT FROM e.digest)
          FROM fingerprint_plain p FULL JOIN fingerprint_encrypted e USING (table_name);
END $$;

-- The import chunks written (both silos, and the region-side replica of the control chunks), with
-- the sizes of their maps.
CREATE OR REPLACE FUNCTION public.import_chunks()
RETURNS TABLE (silo text, model text, min_ordinal bigint, max_ordinal bigint, min_source_pk bigint,
               max_source_pk bigint, inserted bigint, existing bigint, overwrite bigint, identifiers bigint,
               import_uuid uuid) LANGUAGE sql AS $$
    SELECT c.silo, c.model, c.min_ordinal, c.max_ordinal, c.min_source_pk, c.max_source_pk,
           (SELECT count(*) FROM jsonb_object_keys(c.inserted_map)),
           (SELECT count(*) FROM jsonb_object_keys(c.existing_map)),
           (SELECT count(*) FROM jsonb_object_keys(c.overwrite_map)),
           (SELECT count(*) FROM jsonb_object_keys(c.inserted_identifiers)), c.import_uuid
      FROM (SELECT 'control' AS silo, * FROM sentry.sentry_controlimportchunk
            UNION ALL SELECT 'region', * FROM sentry.sentry_regionimportchunk
            UNION ALL SELECT 'replica', * FROM sentry.sentry_controlimportchunkreplica) c
     ORDER BY c.silo, c.model, c.min_ordinal
$$;

-- relocate_import reports the import_uuid it mints in a NOTICE (random, so hidden here); tests of
-- NOTICEs raise client_min_messages themselves and pass an import_uuid.
SET client_min_messages = warning;
-- Fast password hashes for the tests (Django 5.0 uses 720000 iterations; one test checks that).
SET relocate.password_hash_iterations = 1000;
\set QUIET off
\set ECHO all
