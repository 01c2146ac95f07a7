-- The audit of code that runs with more rights than its caller, and of what PUBLIC may
-- call: a new SECURITY DEFINER function, a new function of the vecrbac schema that
-- PUBLIC may execute, or a function that resolves names through the caller's
-- search_path changes this output, and must be reviewed (docs/rbac.md, threat model).
CREATE EXTENSION vecrbac;
CREATE VIEW extension_functions AS
SELECT p.oid, p.oid::regprocedure::text AS function, p.prosecdef, p.proconfig, l.lanname,
       p.pronamespace::regnamespace::text AS schema,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_may_execute
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'vecrbac'
JOIN pg_language l ON l.oid = p.prolang;

-- SECURITY DEFINER: only the two event triggers (nobody can call an event trigger
-- function), each with a fixed search_path
SELECT function, proconfig FROM extension_functions WHERE prosecdef ORDER BY function;

-- functions that resolve names when they run (SQL, PL/pgSQL) all fix their search_path,
-- with pg_temp explicitly last
SELECT function FROM extension_functions
WHERE lanname IN ('sql', 'plpgsql')
  AND proconfig IS DISTINCT FROM '{"search_path=pg_catalog, pg_temp"}'
ORDER BY function;

-- what PUBLIC may execute in schema vecrbac: the documented interface, the accessors that
-- policies call as the querying role, and the trigger function (callable only as a trigger)
SELECT function FROM extension_functions
WHERE schema = 'vecrbac' AND public_may_execute ORDER BY function;
-- and what it may not
SELECT function FROM extension_functions
WHERE schema = 'vecrbac' AND NOT public_may_execute ORDER BY function;
-- the pgvector-compatible surface (the schema the extension was created in) is public by
-- design, as in pgvector: none of it is SECURITY DEFINER or runs SQL
SELECT count(*) AS pgvector_surface, bool_and(public_may_execute) AS all_public,
       bool_or(prosecdef) AS any_definer, bool_or(lanname <> 'c' AND lanname <> 'internal') AS any_sql
FROM extension_functions WHERE schema <> 'vecrbac';

-- the registry: readable by all, written by nobody but the event triggers
SELECT grantee, string_agg(privilege_type, ', ' ORDER BY privilege_type) AS privileges
FROM information_schema.role_table_grants
WHERE table_schema = 'vecrbac' AND table_name = 'collections' AND grantee <> current_user
GROUP BY grantee ORDER BY grantee;
SELECT evtname, evtevent, evtfoid::regproc, evttags FROM pg_event_trigger ORDER BY evtname;

DROP VIEW extension_functions;
DROP EXTENSION vecrbac;
