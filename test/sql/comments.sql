-- Every object the extension owns has a description (sql/parts/90_comments.sql), as
-- pgvector's objects do: psql's \df+, \do+, \dT+, \dA+ show it. Casts are left out
-- (psql shows no description for them).
CREATE EXTENSION vecrbac;

-- The owned objects without one: none. A new function, type, operator, access
-- method, operator class or family fails here until it gets a COMMENT.
SELECT pg_describe_object(d.classid, d.objid, 0) AS without_description
FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND x.extname = 'vecrbac' AND d.deptype = 'e'
  AND d.classid IN ('pg_type'::regclass, 'pg_proc'::regclass, 'pg_operator'::regclass, 'pg_am'::regclass,
                    'pg_opclass'::regclass, 'pg_opfamily'::regclass, 'pg_namespace'::regclass,
                    'pg_class'::regclass, 'pg_event_trigger'::regclass)
  AND coalesce(obj_description(d.objid, d.classid::regclass::text), '') = ''
ORDER BY 1;

-- What is described, by kind (aggregates apart from other functions).
SELECT CASE WHEN d.classid = 'pg_proc'::regclass AND p.prokind = 'a' THEN 'aggregate'
            ELSE d.classid::regclass::text END AS kind,
       count(*) AS described
FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass AND x.extname = 'vecrbac' AND d.deptype = 'e'
  AND obj_description(d.objid, d.classid::regclass::text) IS NOT NULL
GROUP BY 1 ORDER BY 1;

-- No description is a placeholder: each says something of its own object.
SELECT obj_description(d.objid, d.classid::regclass::text) AS shared_description, count(*)
FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND x.extname = 'vecrbac' AND d.deptype = 'e'
  AND length(obj_description(d.objid, d.classid::regclass::text)) < 20
GROUP BY 1 ORDER BY 1;

-- As psql shows them.
\dT+ public.halfvec
\df+ public.l2_distance
\do+ public.<->
\do+ vecrbac.<@
\dA+ hnsw
\da+ public.avg

DROP EXTENSION vecrbac;
