-- The companion extension "vector": no objects of its own. Everything pgvector
-- provides under this name (the vector type, its functions and operators, the hnsw
-- access method) belongs to extension vecrbac, which this one requires.
\echo Use "CREATE EXTENSION vector" to load this file. \quit

-- A tool that says "CREATE EXTENSION vector WITH SCHEMA s" expects the type to be
-- s.vector (pg_dump writes public.vector(3) after "WITH SCHEMA public"). vecrbac put
-- it in its own schema; refuse a different one instead of succeeding and leaving the
-- tool with a type that is not where it asked for it.
DO $$
DECLARE
    vector_schema oid := (SELECT extnamespace FROM pg_catalog.pg_extension WHERE extname = 'vector');
    vecrbac_schema oid := (SELECT extnamespace FROM pg_catalog.pg_extension WHERE extname = 'vecrbac');
BEGIN
    IF vector_schema IS DISTINCT FROM vecrbac_schema THEN
        RAISE EXCEPTION 'extension "vector" must be created in schema %, where extension vecrbac put the vector type',
                vecrbac_schema::regnamespace
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('It was to be created in schema %s. Extension "vector" is vecrbac''s alias for pgvector''s name and owns no objects.',
                                             vector_schema::regnamespace),
                  HINT = pg_catalog.format('Use CREATE EXTENSION vector WITH SCHEMA %s, or create vecrbac in the other schema first (CREATE EXTENSION vecrbac WITH SCHEMA ...).',
                                           vecrbac_schema::regnamespace);
    END IF;
END
$$;
