-- ivfflat with filter columns and token scopes as index conditions (as
-- rbac_filtered_search does for hnsw): a non-owner role with tenant tokens searches
-- tenants of 50%, 10%, 1% and 0.1% of the rows, and with a token that also restricts
-- the payload. Each query's top 10 is compared with the exact top 10 of its tenant's
-- rows, computed by a superuser (who bypasses row-level security) with a sequential
-- scan. A filtered ivfflat scan reads further lists until the LIMIT is met: never short.
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
        EXECUTE format('CREATE INDEX ON %I USING ivfflat (tenant, embedding vector_l2_ops, payload) WITH (lists = 30)', s.name);
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
-- mean recall@10 at least the threshold, no query short of min(10, visible rows), no row of
-- another tenant or outside the payload restriction.
CREATE FUNCTION searched(coll text, restricted_payload boolean, threshold numeric)
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
    RETURN QUERY SELECT total = 0 OR hits::numeric / total >= threshold, short = 0, foreign_rows = 0;
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
-- the scope reaches the ivfflat index as an index condition, for the 6 rows of the
-- smallest tenant too: its scan reads the lists' keys, then only the matching entries
SELECT name, scan_node(name) FROM selectivities ORDER BY tenants;
-- The planner estimates with the token's scope: for the 60 rows of docs1 a sequential scan
-- costs less. The searches below take the index in every cell, whatever the costs say.
SET enable_seqscan = off;
SELECT name, scan_node(name) AS forced_scan FROM selectivities ORDER BY tenants;
-- every list read: exact; ten of thirty lists: nearly so; one list: never short
SET ivfflat.probes = 30;
SELECT name AS collection, 'all lists' AS probes, (searched(name, false, 1)).* FROM selectivities ORDER BY tenants;
SELECT name AS collection, 'all lists, payload restricted' AS probes, (searched(name, true, 1)).* FROM selectivities ORDER BY tenants;
SET ivfflat.probes = 10;
SELECT name AS collection, '10 lists' AS probes, (searched(name, false, 0.8)).* FROM selectivities ORDER BY tenants;
RESET ivfflat.probes;
SELECT name AS collection, '1 list' AS probes, (searched(name, false, 0)).* FROM selectivities ORDER BY tenants;
SELECT name AS collection, '1 list, payload restricted' AS probes, (searched(name, true, 0)).* FROM selectivities ORDER BY tenants;
RESET enable_seqscan;
-- without a token nothing is visible
SELECT count(*) FROM docs10;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- filter columns in a WHERE clause: =, = ANY, a text column (hashed: rechecked) and
-- jsonb @>; as many rows as asked for, all of them matching
CREATE TABLE labelled (id int PRIMARY KEY, tenant int, label text, payload jsonb, embedding vector(16));
INSERT INTO labelled SELECT id, id % 100, 'l' || id % 50, jsonb_build_object('dept', 'd' || id % 3), embedding FROM vectors;
CREATE INDEX ON labelled USING ivfflat (embedding vector_l2_ops, tenant, label, payload) WITH (lists = 30);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM labelled WHERE tenant = 7 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10;
SELECT count(*) AS found, bool_and(id % 100 = 7) AS all_match
FROM (SELECT id FROM labelled WHERE tenant = 7 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
SELECT count(*) AS found, bool_and(id % 100 IN (3, 4)) AS all_match
FROM (SELECT id FROM labelled WHERE tenant = ANY ('{3,4}') ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
EXPLAIN (COSTS OFF) SELECT id FROM labelled WHERE label = 'l7' ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10;
SELECT count(*) AS found, bool_and(id % 50 = 7) AS all_match
FROM (SELECT id FROM labelled WHERE label = 'l7' ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
SELECT count(*) AS found, bool_and(id % 3 = 2 AND id % 100 = 8) AS all_match
FROM (SELECT id FROM labelled WHERE payload @> '{"dept": "d2"}' AND tenant = 8
      ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
-- a value no row has: nothing, after reading every list
SELECT count(*) FROM (SELECT id FROM labelled WHERE tenant = 1000 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
-- rows inserted after the build carry their filter values too
INSERT INTO labelled SELECT id + 10000, 555, 'new', '{}', embedding FROM vectors WHERE id <= 15;
SELECT count(*) AS found, bool_and(id > 10000) AS all_new
FROM (SELECT id FROM labelled WHERE tenant = 555 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 20) s;
RESET enable_seqscan;
DROP TABLE labelled;

DROP TABLE docs50, docs10, docs1, docs01, vectors, queries, selectivities, asked;
DROP FUNCTION searched(text, boolean, numeric), scan_node(text);
DROP ROLE vr_search;
DROP EXTENSION vecrbac;
