-- The C++/PostgreSQL boundary: a C++ exception thrown deep inside pure C++ code,
-- with objects alive on the stack, becomes a clean SQL error with the right
-- SQLSTATE, and the same backend goes on serving queries.
CREATE EXTENSION vecrbac;
SELECT pg_backend_pid() AS pid \gset

SELECT vecrbac._boundary_selftest('none');

SELECT vecrbac._boundary_selftest('std');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac._boundary_selftest('sqlstate');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac._boundary_selftest('bad_alloc');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac._boundary_selftest('unknown');
\echo :LAST_ERROR_SQLSTATE

-- A failure inside a transaction aborts only that transaction.
BEGIN;
SELECT 1 AS before_failure;
SELECT vecrbac._boundary_selftest('std');
ROLLBACK;

-- Many failures in a row: nothing accumulates, the backend is the same one.
DO $$
BEGIN
    FOR i IN 1..200 LOOP
        BEGIN
            PERFORM vecrbac._boundary_selftest('std');
        EXCEPTION WHEN internal_error THEN
            NULL;
        END;
    END LOOP;
END $$;
SELECT pg_backend_pid() = :pid AS same_backend;

-- Not callable by ordinary roles.
CREATE ROLE boundary_user;
SET ROLE boundary_user;
SELECT vecrbac._boundary_selftest('none');
RESET ROLE;
DROP ROLE boundary_user;

DROP EXTENSION vecrbac;
