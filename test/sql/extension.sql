-- CREATE EXTENSION works in an existing database with objects of its own, and
-- DROP EXTENSION leaves nothing behind.
CREATE TABLE existing (id int PRIMARY KEY, note text);
INSERT INTO existing VALUES (1, 'kept');

-- Catalog row counts, kept in psql variables so that taking them creates nothing.
SELECT json_build_object(
    'pg_proc', (SELECT count(*) FROM pg_proc),
    'pg_type', (SELECT count(*) FROM pg_type),
    'pg_operator', (SELECT count(*) FROM pg_operator),
    'pg_opclass', (SELECT count(*) FROM pg_opclass),
    'pg_opfamily', (SELECT count(*) FROM pg_opfamily),
    'pg_amop', (SELECT count(*) FROM pg_amop),
    'pg_amproc', (SELECT count(*) FROM pg_amproc),
    'pg_am', (SELECT count(*) FROM pg_am),
    'pg_cast', (SELECT count(*) FROM pg_cast),
    'pg_aggregate', (SELECT count(*) FROM pg_aggregate),
    'pg_namespace', (SELECT count(*) FROM pg_namespace),
    'pg_class', (SELECT count(*) FROM pg_class),
    'pg_policy', (SELECT count(*) FROM pg_policy),
    'pg_depend', (SELECT count(*) FROM pg_depend)
)::text AS catalog_before \gset

CREATE EXTENSION vecrbac;
SELECT extname, extversion, extrelocatable FROM pg_extension WHERE extname = 'vecrbac';
SELECT nspname FROM pg_namespace WHERE nspname = 'vecrbac';
-- A second CREATE fails cleanly; IF NOT EXISTS is a no-op.
CREATE EXTENSION vecrbac;
CREATE EXTENSION IF NOT EXISTS vecrbac;
DROP EXTENSION vecrbac;

SELECT json_build_object(
    'pg_proc', (SELECT count(*) FROM pg_proc),
    'pg_type', (SELECT count(*) FROM pg_type),
    'pg_operator', (SELECT count(*) FROM pg_operator),
    'pg_opclass', (SELECT count(*) FROM pg_opclass),
    'pg_opfamily', (SELECT count(*) FROM pg_opfamily),
    'pg_amop', (SELECT count(*) FROM pg_amop),
    'pg_amproc', (SELECT count(*) FROM pg_amproc),
    'pg_am', (SELECT count(*) FROM pg_am),
    'pg_cast', (SELECT count(*) FROM pg_cast),
    'pg_aggregate', (SELECT count(*) FROM pg_aggregate),
    'pg_namespace', (SELECT count(*) FROM pg_namespace),
    'pg_class', (SELECT count(*) FROM pg_class),
    'pg_policy', (SELECT count(*) FROM pg_policy),
    'pg_depend', (SELECT count(*) FROM pg_depend)
)::text AS catalog_after \gset
SELECT key AS catalog, b.value AS before, a.value AS after
FROM json_each_text(:'catalog_before') b
JOIN json_each_text(:'catalog_after') a USING (key)
WHERE a.value <> b.value;

SELECT * FROM existing;
DROP TABLE existing;
