-- pgvector_in_place.sql: replaces pgvector by vecrbac in the same database, without
-- rewriting any table, in ONE transaction (docs/migrating.md).
--
--   psql -X -v ON_ERROR_STOP=1 -d DB -f pgvector_in_place.sql      (as a superuser)
--
-- Needs: pgvector's extension "vector" in DB (and its library still installed, as it
-- is until the end), vecrbac's files installed, vecrbac not yet in DB.
--
-- What it does, all inside one DO block in one transaction, so that an error, a
-- cancel, a killed backend or a crashed server at any point leaves the database
-- exactly as it was (still pgvector):
--   1. Every index that depends on pgvector (hnsw and ivfflat indexes, btree indexes
--      on vector columns, expression and partial indexes using its functions or
--      operators) is recorded (pg_get_indexdef) and dropped. An index that backs a
--      constraint is refused (recreate the constraint yourself).
--   2. The types that objects outside pgvector use (the columns' vector, halfvec,
--      sparsevec) are detached from pgvector's extension with their I/O functions.
--   3. DROP EXTENSION vector, without CASCADE: it drops pgvector's other objects and
--      fails (rolling everything back) if anything else still depends on them, e.g.
--      a view, a default or a CHECK constraint using a pgvector function or operator;
--      the error names it. Drop those first and recreate them after.
--   4. CREATE EXTENSION vecrbac VERSION 'adopt_pgvector' in pgvector's schema: the
--      detached types are adopted (same OIDs, so columns, arrays and composite values
--      of them stay valid) and their I/O functions replaced by vecrbac's; the on-disk
--      formats are the same. Then ALTER EXTENSION vecrbac UPDATE to the current
--      version. A detached type that vecrbac does not provide is an error.
--   5. Every recorded index is created again, now with vecrbac's access methods and
--      operator classes (an index vecrbac cannot build is an error, e.g. ivfflat
--      before vecrbac has it).
-- The tables holding those indexes are locked (ACCESS EXCLUSIVE) from step 1 until
-- the commit: writes to them wait for the whole migration, index builds included.
-- Other sessions keep pgvector until the commit; reconnect them afterwards.
BEGIN;
-- Run by a superuser in a database others may own: nothing is resolved through a
-- search_path they could have set (names below come out schema-qualified).
SET LOCAL search_path = pg_catalog, pg_temp;

DO $migrate$
DECLARE
    ext_oid oid;
    ext_schema name;
    members oid[];
    idx record;
    am record;
    t record;
    f regprocedure;
    n int := 0;
BEGIN
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION 'the in-place migration from pgvector must be run by a superuser'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT e.oid, n.nspname INTO ext_oid, ext_schema
    FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'vector';
    IF ext_oid IS NULL THEN
        RAISE EXCEPTION 'extension "vector" (pgvector) is not installed in this database'
            USING ERRCODE = 'undefined_object';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'vecrbac') THEN
        RAISE EXCEPTION 'extension vecrbac is already installed in this database'
            USING ERRCODE = 'duplicate_object';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_available_extension_versions
                   WHERE name = 'vecrbac' AND version = 'adopt_pgvector') THEN
        RAISE EXCEPTION 'vecrbac''s files (with version adopt_pgvector) are not installed on this server'
            USING ERRCODE = 'undefined_file';
    END IF;

    IF pg_catalog.current_setting('shared_preload_libraries') ~ '(^|[ ,/])vector($|[ ,])'
       OR pg_catalog.current_setting('session_preload_libraries') ~ '(^|[ ,/])vector($|[ ,])'
       OR pg_catalog.current_setting('local_preload_libraries') ~ '(^|[ ,/])vector($|[ ,])' THEN
        RAISE EXCEPTION 'pgvector''s library is preloaded (*_preload_libraries): remove it from there first'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'pgvector and vecrbac define the same settings (hnsw.ef_search, ...): one backend cannot load both.';
    END IF;
    SELECT pg_catalog.array_agg(d.objid) INTO members
    FROM pg_catalog.pg_depend d
    WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass AND d.refobjid = ext_oid AND d.deptype = 'e';

    -- 0. pgvector's library must never load in this backend: vecrbac defines the same
    -- settings, so loading both fails. Opening an index (pg_get_indexdef, DROP INDEX)
    -- calls its access method's handler: the handlers of pgvector's access methods that
    -- indexes use are pointed at vecrbac's first. No page of those indexes is read.
    FOR am IN SELECT a.amname, a.amhandler::pg_catalog.regprocedure AS handler
              FROM pg_catalog.pg_am a
              WHERE a.oid = ANY (members)
                AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.relam = a.oid) LOOP
        BEGIN
            EXECUTE pg_catalog.format(
                'CREATE OR REPLACE FUNCTION %s RETURNS index_am_handler AS %L, %L LANGUAGE C',
                am.handler, '$libdir/vecrbac', 'vecrbac_' || am.amname || '_handler');
        EXCEPTION WHEN undefined_function THEN
            RAISE EXCEPTION 'indexes use pgvector''s access method %, which this vecrbac does not provide', am.amname
                USING ERRCODE = 'feature_not_supported',
                      HINT = 'Drop those indexes before migrating, or use a vecrbac that has this access method.';
        END;
    END LOOP;

    -- 1. Indexes that depend on a member of pgvector's extension.
    CREATE TEMPORARY TABLE vr_pgvector_indexes ON COMMIT DROP AS
    SELECT DISTINCT i.indexrelid, i.indexrelid::pg_catalog.regclass::text AS name,
           pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
           EXISTS (SELECT FROM pg_catalog.pg_constraint c WHERE c.conindid = i.indexrelid) AS backs_constraint
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = i.indexrelid
    WHERE d.refobjid = ANY (members)
       OR (SELECT c.relam FROM pg_catalog.pg_class c WHERE c.oid = i.indexrelid) = ANY (members);
    FOR idx IN SELECT * FROM pg_temp.vr_pgvector_indexes WHERE backs_constraint LOOP
        RAISE EXCEPTION 'index % backs a constraint and uses pgvector', idx.name
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = 'Drop the constraint, migrate, then add it again.';
    END LOOP;
    FOR idx IN SELECT * FROM pg_temp.vr_pgvector_indexes ORDER BY name LOOP
        RAISE NOTICE 'dropping index %, to build again with vecrbac', idx.name;
        EXECUTE pg_catalog.format('DROP INDEX %s', idx.name);
        n := n + 1;
    END LOOP;

    -- 2. Types of pgvector used outside it: detached, with their I/O functions.
    CREATE TEMPORARY TABLE vr_pgvector_types ON COMMIT DROP AS
    SELECT ty.oid AS type FROM pg_catalog.pg_type ty
    WHERE ty.oid = ANY (members) AND ty.typtype = 'b'
      -- Columns (of tables, views, composite types), domains and user functions.
      AND EXISTS (SELECT FROM pg_catalog.pg_depend d
                  WHERE d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.refobjid = ty.oid
                    AND d.deptype = 'n'
                    AND d.classid IN ('pg_catalog.pg_class'::pg_catalog.regclass, 'pg_catalog.pg_type'::pg_catalog.regclass,
                                      'pg_catalog.pg_proc'::pg_catalog.regclass)
                    AND NOT (d.objid = ANY (members)));
    FOR t IN SELECT ty.oid, ty.oid::pg_catalog.regtype AS name, ty.typinput, ty.typoutput, ty.typreceive,
                    ty.typsend, ty.typmodin
             FROM pg_catalog.pg_type ty JOIN pg_temp.vr_pgvector_types v ON v.type = ty.oid LOOP
        RAISE NOTICE 'detaching type % from pgvector: columns use it', t.name;
        EXECUTE pg_catalog.format('ALTER EXTENSION vector DROP TYPE %s', t.name);
        FOR f IN SELECT p.oid FROM pg_catalog.pg_proc p
                 WHERE p.oid IN (t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin) LOOP
            EXECUTE pg_catalog.format('ALTER EXTENSION vector DROP FUNCTION %s', f);
        END LOOP;
    END LOOP;

    -- 3. The rest of pgvector, without CASCADE.
    DROP EXTENSION vector;

    -- 4. vecrbac, adopting the detached types.
    EXECUTE pg_catalog.format('CREATE EXTENSION vecrbac VERSION %L SCHEMA %I', 'adopt_pgvector', ext_schema);
    ALTER EXTENSION vecrbac UPDATE;
    FOR t IN SELECT v.type::pg_catalog.regtype AS name FROM pg_temp.vr_pgvector_types v
             WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
                               WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = v.type
                                 AND d.deptype = 'e' AND e.extname = 'vecrbac') LOOP
        RAISE EXCEPTION 'type % is used by columns but this vecrbac does not provide it', t.name
            USING ERRCODE = 'feature_not_supported';
    END LOOP;

    -- 5. The indexes again.
    FOR idx IN SELECT * FROM pg_temp.vr_pgvector_indexes ORDER BY name LOOP
        RAISE NOTICE 'building index % with vecrbac', idx.name;
        EXECUTE idx.definition;
    END LOOP;
    RAISE NOTICE 'pgvector replaced by vecrbac in schema %: % types adopted, % indexes rebuilt',
        ext_schema, (SELECT pg_catalog.count(*) FROM pg_temp.vr_pgvector_types), n;
END
$migrate$;

COMMIT;
