-- The security review of 0.1.0 as tests: an ordinary NOSUPERUSER NOBYPASSRLS role
-- holding valid tokens tries every way out that was found, and each attempt must
-- fail. Every section failed on 0.1.0. The audit of privileged functions is in
-- rbac_audit.sql.
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SET vecrbac.jwt_test_now = 1700000000;
CREATE ROLE vr_attacker LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE vr_victim NOSUPERUSER NOBYPASSRLS;
GRANT CREATE ON SCHEMA public TO vr_attacker, vr_victim;

-- The victim's collections: documents by org in the payload, and a staff table that
-- value_exists tokens are checked against.
SET ROLE vr_victim;
CREATE TABLE docs (id int PRIMARY KEY, embedding vector(2) NOT NULL, payload jsonb NOT NULL);
INSERT INTO docs VALUES (1, '[1,1]', '{"org": "acme"}'), (2, '[2,2]', '{"org": "globex"}'),
                        (3, '[3,3]', '{"org": ["globex", "initech"]}');
CREATE TABLE staff (id int PRIMARY KEY, tenant int, login text, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO staff VALUES (1, 1, 'alice', '{"active": true}'), (2, 2, 'bob', '{"active": false}');
SELECT vecrbac.protect('docs');
SELECT vecrbac.protect('staff', key_columns => '{"tenant": "tenant", "team": "tenant", "login": "login"}');
GRANT SELECT, INSERT, UPDATE, DELETE ON docs TO vr_attacker;
RESET ROLE;

SELECT vecrbac.jwt_sign('{"access":[{"collection":"docs","access":"rw","payload":{"org":"acme"}}],"exp":1700003600}', :'secret') AS t_acme \gset
SELECT vecrbac.jwt_sign('{"access":[{"collection":"docs","access":"r","payload":{"org":"globex"}}],"exp":1700003600}', :'secret') AS t_globex \gset
SELECT vecrbac.jwt_sign('{"access":[{"collection":"docs","access":"r"}],"exp":1700003600,"value_exists":{"collection":"staff","matches":[{"key":"login","value":"alice"}]}}', :'secret') AS t_alice \gset

-- ---- 1. superuser code through value_exists: a type named like the lookup's ---------------------
-- 0.1.0 cast the lookup's parameter to jsonb through the caller's search_path, as the
-- extension's owner, so a domain in pg_temp ran the attacker's function as superuser.
CREATE SCHEMA trap AUTHORIZATION vr_attacker;
SET ROLE vr_attacker;
CREATE TABLE loot (who text, superuser boolean);
CREATE FUNCTION grab(anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.loot VALUES (current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user));
    EXECUTE 'ALTER ROLE vr_attacker SUPERUSER';
    RETURN true;
EXCEPTION WHEN insufficient_privilege THEN
    RETURN true;
END $$;
-- and a schema of its own, first in the path, with types, operators and functions named
-- like those the lookup and the event triggers use
CREATE DOMAIN trap.jsonb AS pg_catalog.jsonb CHECK (public.grab(VALUE));
CREATE DOMAIN trap.oid AS pg_catalog.oid CHECK (public.grab(VALUE));
CREATE FUNCTION trap.eq(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT public.grab($1)';
CREATE OPERATOR trap.= (LEFTARG = text, RIGHTARG = text, FUNCTION = trap.eq);
CREATE FUNCTION trap.jsonb_each_text(pg_catalog.jsonb) RETURNS TABLE (key text, value text)
    LANGUAGE sql AS 'SELECT ''k'', ''v'' WHERE public.grab(1)';
CREATE FUNCTION trap.cardinality(anyarray) RETURNS int LANGUAGE sql AS 'SELECT 3 WHERE public.grab(1)';
-- the event triggers run on a CREATE TRIGGER of its own
CREATE TABLE public.mine (id int, payload jsonb);
CREATE FUNCTION public.mine_trigger() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE DOMAIN pg_temp.jsonb AS pg_catalog.jsonb CHECK (public.grab(VALUE));
CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (public.grab(VALUE));
CREATE DOMAIN pg_temp.scope AS pg_catalog.jsonb CHECK (public.grab(VALUE));
SET search_path = trap, public;
SET vecrbac.token = :'t_alice';
SELECT count(*) AS docs_seen FROM docs;
SELECT vecrbac.login(:'t_alice') ->> 'exp' AS exp;
CREATE TRIGGER t BEFORE TRUNCATE ON mine FOR EACH STATEMENT EXECUTE FUNCTION mine_trigger();
DROP TRIGGER t ON mine;
RESET search_path;
RESET vecrbac.token;
-- (pg_temp is this session's: the domains go before the superuser below would use them)
DROP DOMAIN pg_temp.jsonb, pg_temp.text, pg_temp.scope;
RESET ROLE;
SELECT rolsuper FROM pg_roles WHERE rolname = 'vr_attacker';
-- nothing of the attacker's ran, as anyone
SELECT who, superuser FROM public.loot;

-- ---- 2. the registry: no writer to call, only tables, no squatting ---------------------------------
SET ROLE vr_attacker;
-- 0.1.0's SECURITY DEFINER writers were executable by PUBLIC; now nothing writes it but
-- the event triggers, which check what protect() checks
SELECT proname FROM pg_proc WHERE pronamespace = 'vecrbac'::regnamespace
  AND proname IN ('_register', '_unregister', '_lookup', '_value_exists', '_check_owner');
INSERT INTO vecrbac.collections VALUES ('squat', 'mine', 'payload', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac._trigger_args(0);
\echo :LAST_ERROR_SQLSTATE
-- a view, or a temporary table, cannot become a collection
CREATE VIEW staff_view AS SELECT 1 AS id, '{}'::jsonb AS payload;
SELECT vecrbac.protect('staff_view');
\echo :LAST_ERROR_SQLSTATE
CREATE TEMPORARY TABLE ghost (id int, payload jsonb);
SELECT vecrbac.protect('ghost', 'orders');
\echo :LAST_ERROR_SQLSTATE
-- nor through the trigger that protect() would create
CREATE TRIGGER vecrbac_truncate BEFORE TRUNCATE ON ghost FOR EACH STATEMENT
    EXECUTE FUNCTION vecrbac._truncate_guard('orders', 'payload', '{}');
\echo :LAST_ERROR_SQLSTATE
-- a name taken by another table stays taken; the trigger name is reserved
CREATE TRIGGER vecrbac_truncate BEFORE TRUNCATE ON mine FOR EACH STATEMENT
    EXECUTE FUNCTION vecrbac._truncate_guard('docs', 'payload', '{}');
\echo :LAST_ERROR_SQLSTATE
CREATE TRIGGER vecrbac_truncate BEFORE TRUNCATE ON mine FOR EACH STATEMENT
    EXECUTE FUNCTION mine_trigger();
\echo :LAST_ERROR_SQLSTATE
-- its own table under a free name is fine, and leaves with the trigger or the table
SELECT vecrbac.protect('mine', 'orders');
SELECT name, rel FROM vecrbac.collections ORDER BY name;
SELECT vecrbac.unprotect('mine');
SELECT name, rel FROM vecrbac.collections ORDER BY name;
RESET ROLE;
-- a registry row left behind (0.1.0 left one for every temporary table) blocks no owner
ALTER TABLE vecrbac.collections DISABLE TRIGGER ALL;
INSERT INTO vecrbac.collections VALUES ('orders', 99999, 'payload', '{}');
SET ROLE vr_victim;
CREATE TABLE orders (id int, payload jsonb);
SELECT vecrbac.protect('orders');
SELECT name, rel FROM vecrbac.collections WHERE name = 'orders';
DROP TABLE orders;
SELECT count(*) FROM vecrbac.collections WHERE name = 'orders';
RESET ROLE;

-- ---- 3. writes cannot reach into another tenant's payload scope ----------------------------------
SET ROLE vr_attacker;
SET vecrbac.token = :'t_acme';
INSERT INTO docs VALUES (10, '[1,0]', '{"org": ["acme", "globex"]}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO docs VALUES (11, '[1,0]', '{"org": ["acme"]}'), (12, '[1,0]', '{"org": "acme", "x": 1}');
INSERT INTO docs VALUES (13, '[1,0]', '{"org": []}');
\echo :LAST_ERROR_SQLSTATE
UPDATE docs SET payload = '{"org": ["acme", "globex"]}' WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE docs SET payload = '{"org": "globex"}' WHERE id = 11;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO docs VALUES (11, '[1,0]', '{"org": "acme"}')
    ON CONFLICT (id) DO UPDATE SET payload = '{"org": ["globex", "acme"]}';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO docs VALUES (11, '[1,0]', '{"org": "acme"}')
    ON CONFLICT (id) DO UPDATE SET payload = '{"org": "acme", "v": 2}';
COPY docs FROM STDIN;
14	[1,0]	{"org": ["acme", "globex"]}
\.
\echo :LAST_ERROR_SQLSTATE
-- a row that globex also sees is not acme's to change or delete
RESET ROLE;
RESET vecrbac.token;
UPDATE docs SET payload = '{"org": ["acme", "globex"]}' WHERE id = 3;
SET ROLE vr_attacker;
SET vecrbac.token = :'t_acme';
SELECT id, payload FROM docs ORDER BY id;
DELETE FROM docs WHERE id = 3;
UPDATE docs SET embedding = '[9,9]' WHERE id = 3;
-- reads keep "one element matches": globex sees rows 2 and 3 (3 neither deleted nor moved),
-- none of acme's writes
SET vecrbac.token = :'t_globex';
SELECT id, embedding, payload FROM docs ORDER BY id;
RESET vecrbac.token;
RESET ROLE;

-- ---- 4. value_exists: every pair tested, a bounded number of them, never self-sustaining -----------
-- two token keys of one column ("tenant" and "team" are both staff.tenant): both must hold
SELECT vecrbac.jwt_sign('{"access":"r","exp":1700003600,"value_exists":{"collection":"staff","matches":[{"key":"tenant","value":1},{"key":"team","value":2}]}}', :'secret') AS t_two_keys \gset
SELECT vecrbac.jwt_sign('{"access":"r","exp":1700003600,"value_exists":{"collection":"staff","matches":[{"key":"tenant","value":1},{"key":"team","value":1},{"key":"active","value":true}]}}', :'secret') AS t_same_keys \gset
SET ROLE vr_attacker;
SET vecrbac.token = :'t_two_keys';
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
SET vecrbac.token = :'t_same_keys';
SELECT count(*) FROM docs;
RESET vecrbac.token;
RESET ROLE;
-- at most 16 pairs
SELECT vecrbac.jwt_sign(jsonb_build_object('access', 'r', 'exp', 1700003600, 'value_exists',
           jsonb_build_object('collection', 'staff', 'matches',
               (SELECT jsonb_agg(jsonb_build_object('key', 'k' || i, 'value', i)) FROM generate_series(1, 17) i))),
       :'secret') AS t_many \gset
SET vecrbac.token = :'t_many';
SELECT vecrbac.claims();
\echo :LAST_ERROR_SQLSTATE
-- a token that may write its own value_exists collection could insert the row that keeps
-- it valid after an administrator removed it: refused unless a superuser allows it
SELECT vecrbac.jwt_sign('{"access":[{"collection":"staff","access":"rw"},{"collection":"docs","access":"r"}],"exp":1700003600,"value_exists":{"collection":"staff","matches":[{"key":"login","value":"alice"}]}}', :'secret') AS t_self \gset
SET vecrbac.token = :'t_self';
SELECT vecrbac.claims();
\echo :LAST_ERROR_SQLSTATE
SET vecrbac.allow_writable_value_exists = on;
SELECT vecrbac.claims() -> 'value_exists' ->> 'collection' AS allowed;
RESET vecrbac.allow_writable_value_exists;
SET ROLE vr_attacker;
SET vecrbac.allow_writable_value_exists = on;
RESET ROLE;
RESET vecrbac.token;

-- ---- 5. a table owner's own value_exists collection is read with the owner's rights ---------------
-- The lookup runs as the table's owner (row-level security off for it, as foreign-key
-- checks do): whatever the owner attached to its table runs as the owner, never as the
-- extension's superuser. A collection whose table changed under it is refused.
SET ROLE vr_attacker;
CREATE TABLE badges (id int, holder text, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO badges VALUES (1, 'mallory', '{}');
SELECT vecrbac.protect('badges', key_columns => '{"holder": "holder"}');
RESET ROLE;
SELECT vecrbac.jwt_sign('{"access":[{"collection":"docs","access":"r","payload":{"org":"globex"}}],"exp":1700003600,"value_exists":{"collection":"badges","matches":[{"key":"holder","value":"mallory"}]}}', :'secret') AS t_badge \gset
SET ROLE vr_attacker;
SET vecrbac.token = :'t_badge';
SELECT count(*) FROM docs;
-- the owner changes the key column's type to one of its own, whose implicit cast would run
-- its function (PostgreSQL refuses while the policies use the column: they go first)
CREATE TYPE mood AS ENUM ('mallory', 'other');
CREATE FUNCTION mood_text(mood) RETURNS text LANGUAGE sql AS 'SELECT CASE WHEN public.grab(1) THEN $1::text END';
RESET vecrbac.token;
DROP POLICY vecrbac_select ON badges;
DROP POLICY vecrbac_insert ON badges;
DROP POLICY vecrbac_update ON badges;
DROP POLICY vecrbac_delete ON badges;
ALTER TABLE badges ALTER COLUMN holder TYPE mood USING holder::mood;
CREATE CAST (mood AS text) WITH FUNCTION mood_text(mood) AS IMPLICIT;
SET vecrbac.token = :'t_badge';
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
RESET vecrbac.token;
RESET ROLE;
SELECT who, superuser FROM public.loot;
SELECT rolsuper FROM pg_roles WHERE rolname = 'vr_attacker';

-- ---- 6. rows whose key column is NULL ---------------------------------------------------------------
-- A NULL key lies only within the scope of every value: grants that do not restrict that
-- key see it (global r and m, a collection entry without payload, or one restricting other
-- keys); a grant restricted on that key neither sees nor writes it.
SET ROLE vr_victim;
CREATE TABLE notes (id int PRIMARY KEY, tenant int, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO notes VALUES (1, 1, '{"kind": "a"}'), (2, NULL, '{"kind": "a"}'), (3, 2, '{"kind": "b"}');
SELECT vecrbac.protect('notes', key_columns => '{"tenant": "tenant"}');
GRANT SELECT, INSERT, UPDATE, DELETE ON notes TO vr_attacker;
RESET ROLE;
CREATE TABLE null_tokens (name text, token text);
INSERT INTO null_tokens
SELECT name, vecrbac.jwt_sign(claims || '{"exp":1700003600}', :'secret') FROM (VALUES
  ('global r', '{"access":"r"}'::jsonb),
  ('global m', '{"access":"m"}'),
  ('entry, no payload', '{"access":[{"collection":"notes","access":"rw"}]}'),
  ('entry, other key', '{"access":[{"collection":"notes","access":"rw","payload":{"kind":"a"}}]}'),
  ('entry, tenant 1', '{"access":[{"collection":"notes","access":"rw","payload":{"tenant":1}}]}'),
  ('entry, tenant 1 or kind a', '{"access":[{"collection":"notes","access":"rw","payload":[{"tenant":1},{"kind":"a"}]}]}')
) AS c(name, claims);
GRANT SELECT ON null_tokens TO vr_attacker;
-- for each grant: the rows it reads, and whether it may insert a row whose key is NULL
CREATE FUNCTION null_key_cases() RETURNS TABLE (grant_name text, reads text, inserts_null text)
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM null_tokens ORDER BY name LOOP
        PERFORM set_config('vecrbac.token', r.token, true);
        grant_name := r.name;
        SELECT string_agg(id::text, ',' ORDER BY id) INTO reads FROM notes;
        BEGIN
            INSERT INTO notes VALUES (100, NULL, '{"kind": "a"}');
            inserts_null := 'yes';
            RAISE EXCEPTION 'undo' USING ERRCODE = 'P0001';
        EXCEPTION
            WHEN insufficient_privilege THEN inserts_null := 'no: ' || SQLERRM;
            WHEN raise_exception THEN NULL;
        END;
        RETURN NEXT;
    END LOOP;
END $$;
SET ROLE vr_attacker;
SELECT * FROM null_key_cases();
RESET ROLE;

-- ---- 7. manage operations resolve nothing through the caller's search_path ------------------------
SELECT vecrbac.jwt_sign('{"access":"m","exp":1700003600}', :'secret') AS t_manage \gset
SET ROLE vr_attacker;
SET vecrbac.token = :'t_manage';
SET search_path = trap, public;
SELECT vecrbac.create_collection('cc_here', 2, key_columns => '{"team": "int"}');
SELECT vecrbac.create_collection('cc_public', 2, schema => 'public');
SELECT name, relnamespace::regnamespace AS schema FROM vecrbac.collections JOIN pg_class ON oid = rel
WHERE name LIKE 'cc_%' ORDER BY name;
SELECT vecrbac.drop_collection('cc_here');
SELECT vecrbac.drop_collection('cc_public');
SET search_path = no_such_schema;
SELECT vecrbac.create_collection('cc_nowhere', 2);
\echo :LAST_ERROR_SQLSTATE
RESET search_path;
RESET vecrbac.token;
RESET ROLE;
SELECT who, superuser FROM public.loot;

-- ---- clean up --------------------------------------------------------------------------------------
DROP SCHEMA trap CASCADE;
DROP TABLE docs, staff, notes, null_tokens, badges, mine, loot;
DROP VIEW staff_view;
DROP FUNCTION null_key_cases(), grab(anyelement), mine_trigger(), mood_text(mood) CASCADE;
DROP TABLE ghost;
DROP TYPE mood;
SELECT count(*) AS registered FROM vecrbac.collections;
DROP EXTENSION vecrbac;
REVOKE CREATE ON SCHEMA public FROM vr_attacker, vr_victim;
DROP ROLE vr_attacker, vr_victim;
