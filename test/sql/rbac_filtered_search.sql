-- Nearest-neighbour search through the policies, as a non-owner role with tenant tokens:
-- tenants of 50%, 10%, 1% and 0.1% of the rows, and a token that also restricts the
-- payload. Each query's top 10 is compared with the exact top 10 of its tenant's rows,
-- computed here by a superuser (who bypasses row-level security) with a sequential scan.
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SELECT setseed(0.42);
CREATE ROLE vr_search LOGIN NOSUPERUSER NOBYPASSRLS;

CREATE TABLE vectors AS
SELECT i AS id, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0)::vector(16) AS embedding
FROM generate_series(1, 6000) i;
CREATE TABLE queries AS
SELECT q, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE q > 0)::vector(16) AS v
FROM generate_series(1, 20) q;

-- one protected collection per selectivity: tenant = id % tenants, the index docs/rbac.md recommends
CREATE TABLE selectivities (name text, tenants int);
INSERT INTO selectivities VALUES ('docs50', 2), ('docs10', 10), ('docs1', 100), ('docs01', 1000);
DO $$
DECLARE s record;
BEGIN
    FOR s IN SELECT * FROM selectivities LOOP
        EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(16) NOT NULL,
                        payload jsonb NOT NULL)', s.name);
        EXECUTE format('INSERT INTO %I SELECT id, id %% %s, embedding, jsonb_build_object(''dept'', ''d'' || id %% 3)
                        FROM vectors', s.name, s.tenants);
        EXECUTE format('CREATE INDEX ON %I USING hnsw (tenant, embedding vector_l2_ops, payload)', s.name);
        EXECUTE format('ANALYZE %I', s.name);
        PERFORM vecrbac.protect(s.name::regclass, key_columns => '{"tenant": "tenant"}');
        EXECUTE format('GRANT SELECT ON %I TO vr_search', s.name);
    END LOOP;
END $$;

-- each query asks for one tenant; a second set of tokens also restricts the payload
CREATE TABLE asked AS
SELECT s.name AS collection, q.q, (q.q * 37) % s.tenants AS tenant, restricted,
       vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access', jsonb_build_array(jsonb_build_object(
           'collection', s.name, 'access', 'r',
           'payload', jsonb_build_object('tenant', (q.q * 37) % s.tenants)
                      || CASE WHEN restricted THEN '{"dept": "d1"}'::jsonb ELSE '{}' END)))::jsonb, :'secret') AS token,
       NULL::int[] AS exact
FROM selectivities s, queries q, (VALUES (false), (true)) r(restricted);
SET enable_indexscan = off;
SET enable_bitmapscan = off;
DO $$
DECLARE a record; ids int[];
BEGIN
    FOR a IN SELECT * FROM asked LOOP
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM %I WHERE tenant = $1 AND ($2 OR payload @> ''{"dept": "d1"}'')
                        ORDER BY embedding <-> (SELECT v FROM queries WHERE q = $3) LIMIT 10) s', a.collection)
            INTO ids USING a.tenant, NOT a.restricted, a.q;
        UPDATE asked SET exact = ids WHERE collection = a.collection AND q = a.q AND restricted = a.restricted;
    END LOOP;
END $$;
RESET enable_indexscan;
RESET enable_bitmapscan;
GRANT SELECT ON asked, queries, selectivities TO vr_search;

-- As vr_search, one statement per query with its token (SET LOCAL), no WHERE clause:
-- mean recall@10 at least 0.95, no query short of min(10, visible rows), no row of
-- another tenant or outside the payload restriction.
CREATE FUNCTION searched(coll text, restricted_payload boolean)
RETURNS TABLE (recall_ok boolean, never_short boolean, only_visible_rows boolean)
LANGUAGE plpgsql AS $$
DECLARE a record; got int[]; hits int := 0; total int := 0; short int := 0; foreign_rows int := 0;
BEGIN
    FOR a IN SELECT * FROM asked WHERE collection = coll AND restricted = restricted_payload ORDER BY q LOOP
        PERFORM set_config('vecrbac.token', a.token, true);
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM %I ORDER BY embedding <-> $1 LIMIT 10) s', coll)
            INTO got USING (SELECT v FROM queries WHERE q = a.q);
        hits := hits + (SELECT count(*) FROM unnest(got) g WHERE g = ANY (a.exact));
        total := total + coalesce(cardinality(a.exact), 0);
        IF coalesce(cardinality(got), 0) < coalesce(cardinality(a.exact), 0) THEN short := short + 1; END IF;
        foreign_rows := foreign_rows + (SELECT count(*) FROM unnest(got) g
            WHERE g % (SELECT tenants FROM selectivities WHERE name = coll) <> a.tenant OR (restricted_payload AND g % 3 <> 1));
    END LOOP;
    PERFORM set_config('vecrbac.token', '', true);
    RETURN QUERY SELECT total = 0 OR hits::numeric / total >= 0.95, short = 0, foreign_rows = 0;
END $$;
-- the scan node of a search under the first token of a collection
CREATE FUNCTION scan_node(coll text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    PERFORM set_config('vecrbac.token', (SELECT token FROM asked WHERE collection = coll AND q = 1 AND NOT restricted), true);
    FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM %I ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10', coll) LOOP
        IF line ~ ('Scan.* on ' || coll || '( |$)') THEN RETURN regexp_replace(line, '^\s*(->\s*)?', ''); END IF;
    END LOOP;
    RETURN NULL;
END $$;

SET ROLE vr_search;
-- the scope reaches the hnsw index as an index condition at every selectivity
SELECT name, scan_node(name) FROM selectivities ORDER BY tenants;
SELECT name AS collection, (searched(name, false)).* FROM selectivities ORDER BY tenants;
SELECT name AS collection, 'payload restricted' AS token, (searched(name, true)).* FROM selectivities ORDER BY tenants;
-- the same through the graph walk alone (no exact read of small scopes)
SET hnsw.exact_scan_limit = 0;
SELECT name AS collection, 'graph' AS path, (searched(name, false)).* FROM selectivities ORDER BY tenants;
RESET hnsw.exact_scan_limit;
-- without a token nothing is visible
SELECT count(*) FROM docs10;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

DROP TABLE docs50, docs10, docs1, docs01, vectors, queries, selectivities, asked;
DROP FUNCTION searched(text, boolean), scan_node(text);
DROP ROLE vr_search;
DROP EXTENSION vecrbac;
