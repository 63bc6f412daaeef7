-- Every object of the extension is documented where a DBA looks (\df+, \dv+, \dt+, obj_description):
-- each function, view and table has a COMMENT, and a function's comment names each of its IN
-- arguments. Both lists below must stay empty.
\i test/regress/setup.sql

-- The members of the extension (pg_depend deptype 'e'), with their catalog.
CREATE TEMP VIEW members AS
SELECT d.classid, d.objid, pg_describe_object(d.classid, d.objid, 0) AS object,
       obj_description(d.objid, (SELECT relname FROM pg_class WHERE oid = d.classid)) AS comment
  FROM pg_depend d
 WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'relocate') AND d.deptype = 'e';
-- Members without a comment (whatever their kind).
CREATE TEMP VIEW undocumented AS SELECT object FROM members WHERE comment IS NULL;
-- Functions whose comment does not name one of their IN (or INOUT, VARIADIC) arguments as a word.
CREATE TEMP VIEW arguments_not_in_comment AS
SELECT p.oid::regprocedure AS function, a.name AS argument
  FROM members m
  JOIN pg_proc p ON m.classid = 'pg_catalog.pg_proc'::regclass AND p.oid = m.objid
  CROSS JOIN LATERAL unnest(p.proargnames,
                            coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[cardinality(p.proargnames)])))
       AS a(name, mode)
 WHERE a.mode IN ('i', 'b', 'v') AND a.name <> ''
   AND coalesce(m.comment, '') !~ ('\m' || a.name || '\M');

-- What is checked, by kind (so that the empty lists below mean something).
SELECT CASE m.classid WHEN 'pg_catalog.pg_proc'::regclass THEN 'function'
                      ELSE CASE c.relkind WHEN 'v' THEN 'view' WHEN 'r' THEN 'table' ELSE c.relkind::text END
       END AS kind, count(*)
  FROM members m LEFT JOIN pg_class c ON m.classid = 'pg_catalog.pg_class'::regclass AND c.oid = m.objid
 GROUP BY 1 ORDER BY 1;
SELECT * FROM undocumented ORDER BY 1;
SELECT * FROM arguments_not_in_comment ORDER BY 1, 2;

-- The checks see a missing comment and an argument a comment does not name.
BEGIN;
COMMENT ON FUNCTION relocate_catalogue_models() IS NULL;
COMMENT ON VIEW relocate_settings IS NULL;
COMMENT ON FUNCTION relocate_importing(uuid, text) IS 'Sentry''s importing task. relocation_uuid: the relocation.';
SELECT * FROM undocumented ORDER BY 1;
SELECT * FROM arguments_not_in_comment ORDER BY 1, 2;
ROLLBACK;
