-- The schema of vecrbac's own objects. pgvector-compatible objects (the vector type,
-- its operators, the hnsw access method) go into the schema the extension is created
-- in (@extschema@, usually public), exactly where pgvector puts them.
CREATE SCHEMA vecrbac;
GRANT USAGE ON SCHEMA vecrbac TO PUBLIC;

-- Proof that a C++ failure inside the library becomes a clean SQL error
-- (test/sql/boundary.sql). Not for users.
CREATE FUNCTION vecrbac._boundary_selftest(kind text) RETURNS integer
    AS 'MODULE_PATHNAME', 'vecrbac_boundary_selftest'
    LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION vecrbac._boundary_selftest(text) FROM PUBLIC;
