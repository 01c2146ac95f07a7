-- Casts between sparsevec and halfvec: pgvector 0.8's results, errors and contexts.
CREATE EXTENSION vecrbac;
SELECT castsource::regtype, casttarget::regtype, castfunc::regprocedure, castcontext
FROM pg_cast WHERE (castsource, casttarget) IN (('sparsevec'::regtype, 'halfvec'::regtype),
                                                ('halfvec'::regtype, 'sparsevec'::regtype))
ORDER BY 1::text;

-- halfvec to sparsevec (implicit): zeros dropped, indices 1-based in text
SELECT '[0,1.5,0,3.5,0]'::halfvec::sparsevec;
SELECT '[0,1.5,0,3.5,0]'::halfvec::sparsevec(5);
SELECT '[0,1.5,0,3.5,0]'::halfvec::sparsevec(4);
\echo :LAST_ERROR_SQLSTATE
SELECT '[0,0,0]'::halfvec::sparsevec;
SELECT l2_distance('[0,1.5,0,3.5,0]'::halfvec, '{1:1}/5'::sparsevec);

-- sparsevec to halfvec (assignment): zeros filled in, half precision checked
SELECT '{2:1.5,4:3.5}/5'::sparsevec::halfvec;
SELECT '{2:1.5,4:3.5}/5'::sparsevec::halfvec(5);
SELECT '{2:1.5,4:3.5}/5'::sparsevec::halfvec(4);
\echo :LAST_ERROR_SQLSTATE
SELECT '{}/16001'::sparsevec::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1:65520}/1'::sparsevec::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1:1e-8}/1'::sparsevec::halfvec;
SELECT '{1:0.1}/1'::sparsevec::halfvec;
CREATE TABLE t (h halfvec(3));
INSERT INTO t VALUES ('{1:1,3:2}/3'::sparsevec);
SELECT * FROM t;
SELECT NULL::sparsevec::halfvec, NULL::halfvec::sparsevec;
DROP TABLE t;
DROP EXTENSION vecrbac;
