-- The pseudo-version adopt_pgvector (sql/adopt_pgvector.awk), used by the
-- in-place migration from pgvector (sql/migrate/pgvector_in_place.sql, tested with a
-- live pgvector by test/tap/014_migrate_pgvector_in_place.pl).

-- Without a type to adopt it installs exactly the objects of a fresh install.
CREATE FUNCTION pg_temp.members() RETURNS TABLE (object text, definition text) LANGUAGE sql AS $$
    SELECT pg_describe_object(d.classid, d.objid, 0),
           CASE d.classid
           WHEN 'pg_proc'::regclass THEN
               (SELECT CASE p.prokind WHEN 'a' THEN 'aggregate ' || pg_get_function_result(p.oid)
                            ELSE md5(pg_get_functiondef(p.oid)) END || coalesce(p.proacl::text, '')
                FROM pg_proc p WHERE p.oid = d.objid)
           WHEN 'pg_type'::regclass THEN
               (SELECT concat_ws(',', t.typlen, t.typalign, t.typstorage, t.typinput, t.typoutput,
                                 t.typreceive, t.typsend, t.typmodin)
                FROM pg_type t WHERE t.oid = d.objid)
           ELSE '' END
    FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND x.extname = 'vecrbac' AND d.deptype = 'e'
$$;
CREATE EXTENSION vecrbac;
CREATE TEMPORARY TABLE fresh AS SELECT * FROM pg_temp.members();
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION 'adopt_pgvector';
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SELECT coalesce(a.object, f.object) AS object,
       CASE WHEN a.object IS NULL THEN 'only fresh' WHEN f.object IS NULL THEN 'only adopt_pgvector'
            ELSE 'different' END AS difference
FROM pg_temp.members() a FULL JOIN fresh f ON f.object = a.object
WHERE a.definition IS DISTINCT FROM f.definition ORDER BY 1;
SELECT count(*) > 100 AS many_objects FROM fresh;
DROP EXTENSION vecrbac;

-- A loose type named vector that is not pgvector's is refused, and nothing stays.
CREATE TYPE vector AS ENUM ('a', 'b');
CREATE EXTENSION vecrbac VERSION 'adopt_pgvector';
SELECT count(*) AS vecrbac_installed FROM pg_extension WHERE extname = 'vecrbac';
SELECT 'vector'::regtype::oid = (SELECT oid FROM pg_type WHERE typname = 'vector' AND typtype = 'e') AS enum_kept;
DROP TYPE vector;
