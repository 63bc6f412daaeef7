-- No privilege escalation through the search_path (issue 8, point 1). A role with nothing but
-- CREATE on the database puts operators, functions and types of its own where an importing
-- superuser's search_path finds them: (1) in a schema named after the importing role, which the
-- default search_path ("$user", public) puts ahead of public; (2) in a schema ahead of pg_catalog;
-- (3) in the schema CREATE EXTENSION installs into, before the install or upgrade script runs.
-- Every one of them records that it was called (a canary). Every statement relocate sends names
-- pg_catalog's operators and functions, the column types' schemas and citext's schema, so across
-- imports that take every path (reset, kept ids, collisions, citext get-or-create, merges,
-- overwrites, filters, chunk reuse) no canary fires. Each part first shows that an unqualified
-- statement does fire the canary, so the test can fail.
\i test/regress/setup.sql
\set fresh `cat test/fixtures/sentry/fresh-install.json`
\set owner `cat test/fixtures/relocate/owner.json`
\set configs `cat test/fixtures/relocate/configs.json`
\set collisions `cat test/fixtures/relocate/collisions.json`
\set threeorgs `cat test/fixtures/relocate/three-orgs.json`
\set option `cat test/fixtures/sentry/single-option.json`

-- The attacker: CREATE on the database, nothing else. The importer: a superuser.
SET client_min_messages = warning;
DROP ROLE IF EXISTS relocate_mallory;
DROP ROLE IF EXISTS relocate_importer;
CREATE ROLE relocate_mallory LOGIN;
CREATE ROLE relocate_importer SUPERUSER;
SELECT format('GRANT CREATE ON DATABASE %I TO relocate_mallory', current_database()) \gexec

-- The imports every part runs under the attacker's search_path; each prints what it wrote. Every
-- name in these statements is qualified, so that only relocate's own SQL can meet a canary.
\set imports 'SELECT pg_catalog.sum(inserted) AS global_reset FROM public.relocate_import(:''fresh'', scope => ''global'', reset => true, import_uuid => ''00000000-0000-4000-8000-000000005a01''); SELECT pg_catalog.sum(inserted) AS same_uuid_again, pg_catalog.sum(reused) AS reused FROM public.relocate_import(:''fresh'', scope => ''global'', import_uuid => ''00000000-0000-4000-8000-000000005a01''); SELECT pg_catalog.count(*) AS differences FROM public.relocate_verify(:''fresh'', ''00000000-0000-4000-8000-000000005a01''); SELECT pg_catalog.sum(inserted) AS colliding, pg_catalog.sum(existing) AS existing FROM public.relocate_import(:''fresh'', scope => ''organization''); SELECT pg_catalog.sum(inserted) AS merged, pg_catalog.sum(existing) AS existing FROM public.relocate_import(:''owner'', scope => ''organization'', merge_users => true); SELECT pg_catalog.sum(inserted) AS owner_again FROM public.relocate_import(:''owner'', scope => ''organization''); SELECT pg_catalog.sum(inserted) AS configs FROM public.relocate_import(:''configs'', scope => ''config''); SELECT pg_catalog.sum(overwritten) AS overwritten FROM public.relocate_import(:''configs'', scope => ''config'', overwrite_configs => true); SELECT pg_catalog.sum(inserted) AS collisions FROM public.relocate_import(:''collisions'', scope => ''global'', reset => true); SELECT pg_catalog.sum(inserted) AS filtered FROM public.relocate_import(:''threeorgs'', scope => ''organization'', org_filter => ''{org-a}'');'

-- 1. The default search_path. relocate_mallory creates the schema named after the importing role
-- ("$user" for it) and, in it, a citext = (the attack of issue 8: it ran as superuser), a
-- lower(citext) (an exact match beats pg_catalog.lower(text)), and a type named citext.
SET ROLE relocate_mallory;
CREATE SCHEMA relocate_importer;
CREATE TABLE relocate_importer.canary (fired text);
GRANT USAGE ON SCHEMA relocate_importer TO PUBLIC;
GRANT INSERT, SELECT, DELETE ON relocate_importer.canary TO PUBLIC;
CREATE FUNCTION relocate_importer.fired(what text) RETURNS boolean LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ INSERT INTO relocate_importer.canary VALUES (what) RETURNING true $$;
CREATE FUNCTION relocate_importer.citext_eq(public.citext, public.citext) RETURNS boolean LANGUAGE sql VOLATILE
    SET search_path = pg_catalog
    AS $$ SELECT relocate_importer.fired('=(citext, citext)') AND public.citext_eq($1, $2) $$;
CREATE OPERATOR relocate_importer.= (LEFTARG = public.citext, RIGHTARG = public.citext,
                                     FUNCTION = relocate_importer.citext_eq);
CREATE FUNCTION relocate_importer.lower(public.citext) RETURNS text LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN relocate_importer.fired('lower(citext)') THEN pg_catalog.lower($1::pg_catalog.text) END $$;
CREATE DOMAIN relocate_importer.citext AS public.citext CHECK (relocate_importer.fired('type citext'));
RESET ROLE;

SET ROLE relocate_importer;
-- The default search_path, with Sentry's schema where a real install has public.
SET search_path = "$user", sentry, public;
SELECT current_schemas(false);
-- Unqualified SQL meets every canary.
SELECT 'a'::public.citext = 'A'::public.citext AS equal, lower('A'::public.citext), 'b'::citext AS typed;
SELECT fired, count(*) FROM relocate_importer.canary GROUP BY fired ORDER BY fired;
DELETE FROM relocate_importer.canary;
-- relocate's SQL meets none.
:imports
SELECT fired, pg_catalog.count(*) FROM relocate_importer.canary GROUP BY fired ORDER BY fired;
SET search_path = sentry, public;
RESET ROLE;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'relocate_mallory';

-- Tables are found through the search_path (a documented design choice, README "Usage"): a table
-- in the "$user" schema captures the rows, and relocate says so before it writes them.
SET ROLE relocate_mallory;
CREATE TABLE relocate_importer.sentry_option (id bigserial PRIMARY KEY, key varchar(128) NOT NULL UNIQUE,
    last_updated timestamptz NOT NULL, last_updated_by varchar(16) NOT NULL DEFAULT 'unknown', value jsonb);
RESET ROLE;
SET ROLE relocate_importer;
SET search_path = "$user", sentry, public;
SELECT pg_catalog.sum(inserted) FROM public.relocate_import(:'option', scope => 'config');
SET search_path = sentry, public;
SELECT key, value FROM relocate_importer.sentry_option;
RESET ROLE;

-- 2. An untrusted schema ahead of pg_catalog: search_path = evil, pg_catalog, ... It holds a copy
-- of every pg_catalog comparison and concatenation operator on the types relocate's SQL uses, a
-- citext =, a copy of every function relocate calls, and a domain named like every type it casts
-- to; each records its call and then does what the original does.
SET ROLE relocate_mallory;
CREATE SCHEMA evil;
CREATE TABLE evil.canary (fired text);
GRANT USAGE ON SCHEMA evil TO PUBLIC;
GRANT INSERT, SELECT, DELETE ON evil.canary TO PUBLIC;
CREATE FUNCTION evil.fired(what text) RETURNS boolean LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ INSERT INTO evil.canary VALUES (what) RETURNING true $$;
DO $$
DECLARE
    o record;
    n int := 0;
BEGIN
    FOR o IN SELECT op.oprname, op.oprleft::regtype AS l, op.oprright::regtype AS r, op.oprresult::regtype AS res,
                    op.oprcode::regproc AS code
               FROM pg_operator op
              WHERE op.oprkind = 'b' AND op.oprname IN ('=', '<>', '<', '>', '<=', '>=', '||')
                AND ((op.oprnamespace = 'pg_catalog'::regnamespace
                      AND op.oprleft = ANY (ARRAY['bool', '"char"', 'name', 'int2', 'int4', 'int8', 'text', 'oid', 'uuid',
                                                  'jsonb', 'json', 'timestamptz', 'regclass']::regtype[])
                      AND op.oprright = ANY (ARRAY['bool', '"char"', 'name', 'int2', 'int4', 'int8', 'text', 'oid', 'uuid',
                                                   'jsonb', 'json', 'timestamptz', 'regclass']::regtype[]))
                     OR (op.oprnamespace = 'public'::regnamespace AND op.oprname = '='
                         AND op.oprleft = 'public.citext'::regtype AND op.oprright = 'public.citext'::regtype))
    LOOP
        n := n + 1;
        EXECUTE format('CREATE FUNCTION evil.op%s(%s, %s) RETURNS %s LANGUAGE sql VOLATILE SET search_path = pg_catalog, public AS %L',
                       n, o.l, o.r, o.res,
                       format('SELECT CASE WHEN evil.fired(%L) THEN %s($1, $2) END', o.oprname || '(' || o.l || ', ' || o.r || ')', o.code));
        EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.op%s)', o.oprname, o.l, o.r, n);
    END LOOP;
    RAISE NOTICE 'evil: % operators', n;
END $$;
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('lower(text)') THEN pg_catalog.lower($1) END $$;
CREATE FUNCTION evil.quote_ident(text) RETURNS text LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('quote_ident(text)') THEN pg_catalog.quote_ident($1) END $$;
CREATE FUNCTION evil.format_type(oid, integer) RETURNS text LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('format_type(oid, integer)') THEN pg_catalog.format_type($1, $2) END $$;
CREATE FUNCTION evil.to_regclass(text) RETURNS regclass LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('to_regclass(text)') THEN pg_catalog.to_regclass($1) END $$;
CREATE FUNCTION evil.pg_get_serial_sequence(text, text) RETURNS text LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('pg_get_serial_sequence(text, text)') THEN pg_catalog.pg_get_serial_sequence($1, $2) END $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('now()') THEN pg_catalog.now() END $$;
CREATE FUNCTION evil.nextval(regclass) RETURNS bigint LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('nextval(regclass)') THEN pg_catalog.nextval($1) END $$;
CREATE FUNCTION evil.setval(regclass, bigint) RETURNS bigint LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('setval(regclass, bigint)') THEN pg_catalog.setval($1, $2) END $$;
CREATE FUNCTION evil.pg_sequence_last_value(regclass) RETURNS bigint LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('pg_sequence_last_value(regclass)') THEN pg_catalog.pg_sequence_last_value($1) END $$;
CREATE FUNCTION evil.generate_series(integer, integer) RETURNS SETOF integer LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT g FROM pg_catalog.generate_series($1, $2) g WHERE evil.fired('generate_series(integer, integer)') $$;
CREATE FUNCTION evil.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT u FROM pg_catalog.unnest($1) u WHERE evil.fired('unnest(anyarray)') $$;
CREATE FUNCTION evil.string_to_array(text, text) RETURNS text[] LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('string_to_array(text, text)') THEN pg_catalog.string_to_array($1, $2) END $$;
CREATE FUNCTION evil.current_schemas(boolean) RETURNS name[] LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('current_schemas(boolean)') THEN pg_catalog.current_schemas($1) END $$;
CREATE FUNCTION evil.normalize(text, text) RETURNS text LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('normalize(text, text)') THEN pg_catalog.normalize($1, $2) END $$;
CREATE FUNCTION evil.hashtext(text) RETURNS integer LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('hashtext(text)') THEN pg_catalog.hashtext($1) END $$;
CREATE FUNCTION evil.hashtextextended(text, bigint) RETURNS bigint LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT CASE WHEN evil.fired('hashtextextended(text, bigint)') THEN pg_catalog.hashtextextended($1, $2) END $$;
CREATE FUNCTION evil.pg_advisory_xact_lock(bigint) RETURNS void LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT evil.fired('pg_advisory_xact_lock(bigint)'); SELECT pg_catalog.pg_advisory_xact_lock($1) $$;
CREATE FUNCTION evil.pg_advisory_xact_lock(integer, integer) RETURNS void LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ SELECT evil.fired('pg_advisory_xact_lock(integer, integer)'); SELECT pg_catalog.pg_advisory_xact_lock($1, $2) $$;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY '{text,int2,int4,int8,bool,char,name,oid,regclass,uuid,json,jsonb,timestamptz,timestamp,date,inet,float8}'::text[] LOOP
        EXECUTE format('CREATE DOMAIN evil.%I AS pg_catalog.%I CHECK (evil.fired(%L))', t, t, 'type ' || t);
    END LOOP;
    EXECUTE 'CREATE DOMAIN evil.citext AS public.citext CHECK (evil.fired(''type citext''))';
END $$;
RESET ROLE;

SET ROLE relocate_importer;
SET search_path = evil, pg_catalog, sentry, public;
-- Unqualified SQL meets the canaries.
SELECT 1::int8 = 1::int8 AS equal, lower('A') AS lowered, 'x'::name || 'y' AS joined;
SELECT fired, pg_catalog.count(*) FROM evil.canary GROUP BY fired ORDER BY fired;
DELETE FROM evil.canary;
-- relocate's SQL meets none.
:imports
SELECT fired, pg_catalog.count(*) FROM evil.canary GROUP BY fired ORDER BY fired;
SET search_path = sentry, public;
RESET ROLE;

DROP SCHEMA relocate_importer CASCADE;
DROP SCHEMA evil CASCADE;
SELECT format('REVOKE CREATE ON DATABASE %I FROM relocate_mallory', current_database()) \gexec
DROP TABLE pg_temp.relocate_pk_map, pg_temp.relocate_report; -- created by the first import, which relocate_importer ran
-- 3. The install and upgrade scripts. CREATE and ALTER EXTENSION run them with the extension's
-- schema (public here) on the search_path after pg_catalog; an operator there whose argument types
-- match exactly where pg_catalog's match only by coercion (=(oid, regclass): pg_catalog has
-- =(oid, oid)) would be bound into a view for good, and run for every role that reads it. In a
-- fresh database relocate_mallory may create in public. After a fresh install and after the upgrade
-- from 0.1.0, relocate's views depend on no operator, function or type but pg_catalog's (built in,
-- so pg_depend does not list them) and relocate's own, and reading them fires no canary.
SELECT current_database() AS regress_db \gset
CREATE DATABASE relocate_hostile_install TEMPLATE template0;
\set QUIET on
\c relocate_hostile_install
\set QUIET off
SET client_min_messages = warning;
GRANT CREATE ON SCHEMA public TO relocate_mallory;
SET ROLE relocate_mallory;
CREATE TABLE public.canary (fired text);
GRANT INSERT, SELECT, DELETE ON public.canary TO PUBLIC;
CREATE FUNCTION public.fired(what text) RETURNS boolean LANGUAGE sql VOLATILE SET search_path = pg_catalog
    AS $$ INSERT INTO public.canary VALUES (what) RETURNING true $$;
CREATE FUNCTION public.oid_regclass_eq(oid, regclass) RETURNS boolean LANGUAGE sql VOLATILE
    SET search_path = pg_catalog
    AS $$ SELECT public.fired('=(oid, regclass)') AND $1 OPERATOR(pg_catalog.=) $2::pg_catalog.oid $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.oid_regclass_eq);
RESET ROLE;
\set view_operators 'SELECT pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0) AS depends_on_foreign FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_depend e ON e.refobjid OPERATOR(pg_catalog.=) x.oid AND e.classid OPERATOR(pg_catalog.=) ''pg_catalog.pg_class''::pg_catalog.regclass JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) e.objid JOIN pg_catalog.pg_depend d ON d.objid OPERATOR(pg_catalog.=) r.oid AND d.classid OPERATOR(pg_catalog.=) ''pg_catalog.pg_rewrite''::pg_catalog.regclass WHERE x.extname OPERATOR(pg_catalog.=) ''relocate'' AND d.refclassid OPERATOR(pg_catalog.=) ANY (ARRAY[''pg_catalog.pg_operator'', ''pg_catalog.pg_proc'', ''pg_catalog.pg_type'']::pg_catalog.regclass[]::pg_catalog.oid[]) AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend m WHERE m.classid OPERATOR(pg_catalog.=) d.refclassid AND m.objid OPERATOR(pg_catalog.=) d.refobjid AND m.refobjid OPERATOR(pg_catalog.=) x.oid AND m.deptype OPERATOR(pg_catalog.=) ''e'') ORDER BY 1;'
\set read_views 'SELECT pg_catalog.count(*) AS model_columns FROM public.relocate_model_columns; SELECT pg_catalog.count(*) AS progress FROM public.relocate_progress; SELECT fired, pg_catalog.count(*) FROM public.canary GROUP BY fired ORDER BY fired;'
-- Unqualified SQL meets the canary.
SELECT pg_catalog.count(*) OPERATOR(pg_catalog.>) 0 AS found
  FROM pg_catalog.pg_attribute WHERE attrelid = 'pg_catalog.pg_class'::pg_catalog.regclass;
SELECT fired, pg_catalog.count(*) FROM public.canary GROUP BY fired ORDER BY fired;
DELETE FROM public.canary;
-- The install script meets none.
CREATE EXTENSION relocate;
:view_operators
:read_views
-- Nor does the upgrade script.
DROP EXTENSION relocate;
CREATE EXTENSION relocate VERSION '0.1.0';
ALTER EXTENSION relocate UPDATE TO '0.2.0';
:view_operators
:read_views
\set QUIET on
\c :regress_db
\set QUIET off
DROP DATABASE relocate_hostile_install;

DROP ROLE relocate_mallory;
DROP ROLE relocate_importer;
