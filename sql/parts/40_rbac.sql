-- Token-scoped row-level security (docs/rbac.md).
--
-- A session presents a JWT (SET vecrbac.token, or vecrbac.login()); protected tables
-- ("collections") carry policies that ask the token, through the accessors below,
-- which rows the session may see and change. The accessors are STABLE and called
-- directly, without subqueries (Citus propagates such policies to its shards): a key
-- column's scope reaches the hnsw index as `col OPERATOR(vecrbac.<@) scope`, and each
-- call site keeps its first answer for the rest of its statement (rbac_sql.cpp).

-- ---- the registry of collections --------------------------------------------------
-- Which table each collection is, for value_exists lookups and drop_collection.
-- Written only by the event triggers below, from the arguments of the vecrbac_truncate
-- trigger that protect() puts on the table (only a table's owner can): no function a
-- role can call writes it. Readable by everyone: it holds nothing that pg_trigger and
-- pg_policies do not already show.
CREATE TABLE vecrbac.collections (
    name text PRIMARY KEY CHECK (name <> ''),
    rel regclass NOT NULL UNIQUE,
    payload_column name NOT NULL,
    key_columns jsonb NOT NULL DEFAULT '{}'   -- {token key: column name}
);
REVOKE ALL ON vecrbac.collections FROM PUBLIC;
GRANT SELECT ON vecrbac.collections TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('vecrbac.collections', '');

-- ---- claim accessors (src/rbac/rbac_sql.cpp) --------------------------------------------
-- Each verifies the session token (once per backend, cached), re-checks its expiry and
-- (once per statement) its value_exists condition: 42501 without a token or a grant,
-- 28000 for a refused token.
CREATE FUNCTION vecrbac.authorize(collection text, operation text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_authorize' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION vecrbac.authorize(text, text) IS
    'true if the session token allows the operation (read, write, truncate, index, manage) on the collection; raises 42501 otherwise';
CREATE FUNCTION vecrbac.key_scope(collection text, key text) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_key_scope' LANGUAGE C STRICT STABLE PARALLEL SAFE;
CREATE FUNCTION vecrbac.payload_scope(collection text, key_names text[]) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_payload_scope' LANGUAGE C STRICT STABLE PARALLEL SAFE;
CREATE FUNCTION vecrbac.row_scope(collection text, key_names text[]) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_row_scope' LANGUAGE C STRICT STABLE PARALLEL SAFE;
CREATE FUNCTION vecrbac.scope_is_exact(collection text, key_names text[]) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_scope_is_exact' LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- ---- the session ------------------------------------------------------------------------
CREATE FUNCTION vecrbac.claims() RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_claims' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION vecrbac.claims() IS 'the claims of the session token (NULL without one)';
CREATE FUNCTION vecrbac.login(token text, local boolean DEFAULT false) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_login' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION vecrbac.login(text, boolean) IS
    'verifies the token now and makes it the session''s (SET, or SET LOCAL when local); returns its claims';
CREATE FUNCTION vecrbac.logout() RETURNS void
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_logout' LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Behind PostgREST: its db-pre-request hook calls this for every request. PostgREST puts
-- the request's headers (names in lower case) into request.headers for the transaction;
-- the bearer token found there is verified here, by vecrbac, and set for the
-- transaction only. request.jwt.claims, which any client could set for itself, is never
-- read: a client that reaches the database some other way gains nothing.
CREATE FUNCTION vecrbac.login_from_request() RETURNS jsonb
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    headers text := current_setting('request.headers', true);
    auth text;
BEGIN
    IF headers IS NOT NULL AND headers <> '' THEN
        auth := headers::jsonb ->> 'authorization';
    END IF;
    IF auth IS NULL OR auth !~* '^bearer [^ ]' THEN
        RAISE EXCEPTION 'no bearer token in the request' USING ERRCODE = '42501',
            HINT = 'Send the header "Authorization: Bearer <jwt>".';
    END IF;
    RETURN vecrbac.login(substr(auth, 8), true);
END $$;
COMMENT ON FUNCTION vecrbac.login_from_request() IS
    'for PostgREST''s db-pre-request: verifies the request''s bearer token and sets it for the transaction';

-- ---- the registry's writers: event triggers ---------------------------------------------
-- The arguments of a trigger, as text (pg_trigger.tgargs is a NUL-separated bytea).
CREATE FUNCTION vecrbac._trigger_args(trigger oid) RETURNS text[]
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_trigger_args' LANGUAGE C STRICT STABLE;
REVOKE ALL ON FUNCTION vecrbac._trigger_args(oid) FROM PUBLIC;

-- Rows whose table no longer carries the vecrbac_truncate trigger of their collection
-- (dropped tables and triggers, temporary tables gone with their session, reused OIDs).
CREATE FUNCTION vecrbac._forget_stale() RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM vecrbac.collections c
    WHERE NOT EXISTS (SELECT 1 FROM pg_trigger t
                      WHERE t.tgrelid OPERATOR(pg_catalog.=) c.rel::oid
                        AND t.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate'
                        AND (vecrbac._trigger_args(t.oid))[1] OPERATOR(pg_catalog.=) c.name)
$$;
REVOKE ALL ON FUNCTION vecrbac._forget_stale() FROM PUBLIC;

-- CREATE [OR REPLACE] TRIGGER and ALTER TRIGGER: a table that now carries a
-- vecrbac_truncate trigger (arguments: collection, payload column, key columns as
-- JSON) is registered under that collection; the trigger is refused, and with it
-- protect(), when the table cannot be a collection or the name belongs to another
-- table. SECURITY DEFINER to write the registry; it reads only catalogs, and trigger
-- arguments only as data.
CREATE FUNCTION vecrbac._on_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    args text[];
    keys jsonb;
    other text;
BEGIN
    IF to_regclass('vecrbac.collections') IS NULL THEN
        RETURN;
    END IF;
    FOR t IN SELECT tr.oid, tr.tgrelid, tr.tgfoid, c.relkind, c.relpersistence
             FROM pg_event_trigger_ddl_commands() d
             JOIN pg_trigger tr ON tr.oid OPERATOR(pg_catalog.=) d.objid
             JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) tr.tgrelid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::regclass
               AND tr.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate' LOOP
        IF t.tgfoid OPERATOR(pg_catalog.<>) 'vecrbac._truncate_guard()'::regprocedure THEN
            RAISE EXCEPTION 'the trigger name vecrbac_truncate is reserved for vecrbac.protect'
                USING ERRCODE = '42939';
        END IF;
        IF t.relkind NOT IN ('r', 'p') THEN
            RAISE EXCEPTION '% is not a table', t.tgrelid::regclass USING ERRCODE = '42809';
        ELSIF t.relpersistence OPERATOR(pg_catalog.=) 't' THEN
            RAISE EXCEPTION 'cannot protect temporary table %', t.tgrelid::regclass
                USING ERRCODE = '0A000';
        END IF;
        args := vecrbac._trigger_args(t.oid);
        IF cardinality(args) OPERATOR(pg_catalog.<>) 3 OR args[1] OPERATOR(pg_catalog.=) ''
           OR args[3] IS NULL OR args[3] !~ '^\{' THEN
            RAISE EXCEPTION 'the trigger vecrbac_truncate takes a collection, a payload column and key columns'
                USING ERRCODE = '22023', HINT = 'Create it with vecrbac.protect.';
        END IF;
        keys := args[3]::jsonb;
        -- The name may be taken over only from a table that no longer carries it.
        SELECT c.rel::text INTO other FROM vecrbac.collections c
        WHERE c.name OPERATOR(pg_catalog.=) args[1] AND c.rel::oid OPERATOR(pg_catalog.<>) t.tgrelid
          AND EXISTS (SELECT 1 FROM pg_trigger x
                      WHERE x.tgrelid OPERATOR(pg_catalog.=) c.rel::oid
                        AND x.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate'
                        AND (vecrbac._trigger_args(x.oid))[1] OPERATOR(pg_catalog.=) c.name);
        IF FOUND THEN
            RAISE EXCEPTION 'collection "%" is already registered for table %', args[1], other
                USING ERRCODE = '42710';
        END IF;
        DELETE FROM vecrbac.collections c
        WHERE c.name OPERATOR(pg_catalog.=) args[1] OR c.rel::oid OPERATOR(pg_catalog.=) t.tgrelid;
        INSERT INTO vecrbac.collections VALUES (args[1], t.tgrelid, args[2], keys);
    END LOOP;
    PERFORM vecrbac._forget_stale();
END $$;
REVOKE ALL ON FUNCTION vecrbac._on_ddl_end() FROM PUBLIC;
CREATE EVENT TRIGGER vecrbac_ddl_end ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER', 'ALTER TRIGGER') EXECUTE FUNCTION vecrbac._on_ddl_end();

-- Dropped tables and triggers (unprotect) leave the registry.
CREATE FUNCTION vecrbac._on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF to_regclass('vecrbac.collections') IS NULL THEN
        RETURN; -- the extension itself is being dropped
    END IF;
    IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() d
               WHERE d.classid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_trigger'::regclass)) THEN
        PERFORM vecrbac._forget_stale();
    END IF;
END $$;
REVOKE ALL ON FUNCTION vecrbac._on_sql_drop() FROM PUBLIC;
CREATE EVENT TRIGGER vecrbac_sql_drop ON sql_drop EXECUTE FUNCTION vecrbac._on_sql_drop();

-- ---- policies -----------------------------------------------------------------------------
-- The library must be loaded when a statement on a protected table is planned, so that
-- its executor-start check (src/rbac/rbac_sql.cpp) sees the statement: _load() is
-- IMMUTABLE, so the planner calls it (loading the library) and folds it away.
CREATE FUNCTION vecrbac._load() RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_load' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The row condition of one command kind ('read' or 'write'), as SQL text. Shape:
--   vecrbac._load()                                             folded away when planned
--   AND vecrbac.authorize(coll, op)
--   AND key OPERATOR(vecrbac.<@) vecrbac.key_scope(coll, 'key')   per key column
--   AND payload OPERATOR(vecrbac.<@) vecrbac.payload_scope(coll, keys)
--   AND CASE WHEN vecrbac.scope_is_exact(coll, keys) THEN true   only with key columns
--        ELSE jsonb_build_object('k', jsonb_build_object(...), 'p', payload)
--           OPERATOR(vecrbac.<@) vecrbac.row_scope(coll, keys) END
-- No subqueries: Citus refuses policies with them on distributed tables. The scopes of
-- indexed columns become index conditions (evaluated once per scan); what stays in
-- the scan's filter answers per row from its first answer (rbac_sql.cpp), and the
-- executor-start check authorizes the statement before any row (executor_check.cpp).
-- CASE, not OR: the planner estimates a bare boolean function as true for a third of
-- the rows, a CASE (as it did 0.2.0's parameter) for half, and index choices follow.
-- Writes test the payload with OPERATOR(vecrbac.<<@) instead: an array in the row must
-- lie wholly inside the scope, not just share one element with it (reads keep
-- Qdrant's "one element matches").
-- Names come from the catalog and the owner's arguments, quoted; nothing from a token.
CREATE FUNCTION vecrbac.policy_condition(collection text, operation text, payload_column name,
                                         key_columns jsonb DEFAULT '{}') RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    keys text[] := ARRAY(SELECT k FROM jsonb_object_keys(key_columns) k ORDER BY k);
    c text := quote_literal(collection);
    klit text := quote_literal(keys::text);
    e text;
    k text;
    row_keys text := '';
    within text := CASE WHEN operation = 'write' THEN 'OPERATOR(vecrbac.<<@)' ELSE 'OPERATOR(vecrbac.<@)' END;
BEGIN
    e := format('vecrbac._load() AND vecrbac.authorize(%s, %L)', c, operation);
    FOREACH k IN ARRAY keys LOOP
        e := e || format(E'\n    AND %I OPERATOR(vecrbac.<@) vecrbac.key_scope(%s, %L)',
                         key_columns ->> k, c, k);
        row_keys := row_keys || format('%s%L, %I', CASE WHEN row_keys = '' THEN '' ELSE ', ' END,
                                       k, key_columns ->> k);
    END LOOP;
    e := e || format(E'\n    AND %I %s vecrbac.payload_scope(%s, %s)',
                     payload_column, within, c, klit);
    IF cardinality(keys) > 0 THEN
        e := e || format(E'\n    AND CASE WHEN vecrbac.scope_is_exact(%s, %s) THEN true'
                         || E'\n         ELSE jsonb_build_object(''k'', jsonb_build_object(%s), ''p'', %I)'
                         || E'\n            %s vecrbac.row_scope(%s, %s) END',
                         c, klit, row_keys, payload_column, within, c, klit);
    END IF;
    RETURN e;
END $$;

-- TRUNCATE bypasses row-level security, so protected tables get this trigger: a role
-- bound by row-level security needs a token that may delete every row (m, or rw/prw on
-- the collection without a payload restriction).
CREATE FUNCTION vecrbac._truncate_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)) THEN
        PERFORM vecrbac.authorize(TG_ARGV[0], 'truncate');
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION vecrbac.protect(rel regclass, collection text DEFAULT NULL,
                                payload_column name DEFAULT 'payload',
                                key_columns jsonb DEFAULT '{}') RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    coll text;
    keys jsonb;
    k text;
    v jsonb;
    typ regtype;
    rd text;
    wr text;
    pol name;
    other text;
    adv record; citus boolean; unsafe_triggers text;
BEGIN
    IF rel IS NULL OR payload_column IS NULL OR key_columns IS NULL THEN
        RAISE EXCEPTION 'rel, payload_column and key_columns must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT c.relkind, c.relowner, c.relname, c.relpersistence INTO t FROM pg_class c WHERE c.oid = rel;
    IF NOT FOUND OR t.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = '42809';
    END IF;
    IF NOT pg_has_role(current_user, t.relowner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
    END IF;
    IF t.relpersistence = 't' THEN
        -- its registry row would outlive it: sessions end without drop events
        RAISE EXCEPTION 'cannot protect temporary table %', rel USING ERRCODE = '0A000';
    END IF;
    coll := coalesce(collection, t.relname);
    IF coll = '' OR coll ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'invalid collection name' USING ERRCODE = '22023',
            DETAIL = 'A collection name is non-empty text without control characters.';
    END IF;

    SELECT a.atttypid INTO typ FROM pg_attribute a
    WHERE a.attrelid = rel AND a.attname = payload_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of table % does not exist', payload_column, rel USING ERRCODE = '42703';
    ELSIF typ <> 'jsonb'::regtype THEN
        RAISE EXCEPTION 'payload column "%" must be of type jsonb, not %', payload_column, typ
            USING ERRCODE = '42804';
    END IF;

    -- key_columns: {"token key": "column"}, or ["column", ...] for same-named keys
    IF jsonb_typeof(key_columns) = 'array' THEN
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(key_columns) e WHERE jsonb_typeof(e) <> 'string') THEN
            RAISE EXCEPTION 'key_columns must be an object {"token key": "column"} or a list of column names'
                USING ERRCODE = '22023';
        END IF;
        keys := (SELECT coalesce(jsonb_object_agg(e, e), '{}') FROM jsonb_array_elements_text(key_columns) e);
    ELSIF jsonb_typeof(key_columns) = 'object' THEN
        keys := key_columns;
    ELSE
        RAISE EXCEPTION 'key_columns must be an object {"token key": "column"} or a list of column names'
            USING ERRCODE = '22023';
    END IF;
    IF (SELECT count(*) FROM jsonb_object_keys(keys)) > 8 THEN
        RAISE EXCEPTION 'at most 8 key columns are supported' USING ERRCODE = '22023';
    END IF;
    FOR k, v IN SELECT * FROM jsonb_each(keys) LOOP
        IF jsonb_typeof(v) <> 'string' THEN
            RAISE EXCEPTION 'key_columns: the column for key "%" must be a column name', k USING ERRCODE = '22023';
        END IF;
        IF k = '' OR strpos(k, '.') > 0 THEN
            RAISE EXCEPTION 'key_columns: a token key for a column must be a plain name without dots'
                USING ERRCODE = '22023';
        END IF;
        SELECT a.atttypid INTO typ FROM pg_attribute a
        WHERE a.attrelid = rel AND a.attname = v #>> '{}' AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'column "%" of table % does not exist', v #>> '{}', rel USING ERRCODE = '42703';
        ELSIF typ NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'bool'::regtype,
                          'text'::regtype, 'uuid'::regtype) THEN
            RAISE EXCEPTION 'key column "%" has type %', v #>> '{}', typ USING ERRCODE = '42804',
                DETAIL = 'Key columns are smallint, integer, bigint, boolean, text or uuid.';
        ELSIF v #>> '{}' = payload_column THEN
            RAISE EXCEPTION 'the payload column cannot be a key column' USING ERRCODE = '22023';
        END IF;
    END LOOP;

    -- Another permissive policy would be ORed with ours and widen access.
    IF EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = rel AND p.polpermissive
               AND p.polname NOT IN ('vecrbac_select', 'vecrbac_insert', 'vecrbac_update', 'vecrbac_delete')) THEN
        RAISE EXCEPTION 'table % has other permissive policies, which would widen what tokens allow', rel
            USING ERRCODE = '55000', HINT = 'Drop them, or make them AS RESTRICTIVE.';
    END IF;

    SELECT c.name INTO other FROM vecrbac.collections c WHERE c.rel = protect.rel AND c.name <> coll;
    IF FOUND THEN
        RAISE EXCEPTION 'table % is already protected as collection "%"', rel, other
            USING ERRCODE = '42710', HINT = 'Call vecrbac.unprotect first to rename it.';
    END IF;

    -- what the table's hnsw indexes lack for these key columns (vecrbac.index_advice)
    FOR adv IN SELECT * FROM vecrbac.index_advice(rel, keys, payload_column) LOOP
        RAISE NOTICE '%', adv.advice USING HINT = adv.create_index || ';';
    END LOOP;

    -- Citus tables (docs/scaling.md). Citus passes CREATE POLICY and the row-level
    -- security settings on to every shard, but a TRUNCATE trigger only to shards made
    -- after it exists: the shards there are now get theirs here, named as Citus names a
    -- shard's trigger (vecrbac_truncate_<shard id>). Citus runs these commands in
    -- connections of their own, committed at once, so they come before this
    -- transaction locks any shard; a lock they still wait for fails them after 10 s.
    -- The command is a format() template for Citus: %1$L is the shard's name.
    citus := to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL;
    IF citus THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition '
                'WHERE logicalrelid OPERATOR(pg_catalog.=) $1)' INTO citus USING rel;
    END IF;
    IF citus THEN
        EXECUTE 'SELECT pg_catalog.string_agg(r.result, ''; '') FROM pg_catalog.run_command_on_placements($1, $2) r '
                'WHERE NOT r.success' INTO other USING rel,
            'DO $vecrbac_shard$ BEGIN '
            'PERFORM pg_catalog.set_config(''citus.enable_manual_changes_to_shards'', ''on'', true); '
            'PERFORM pg_catalog.set_config(''lock_timeout'', ''10s'', true); '
            'EXECUTE pg_catalog.format(''CREATE OR REPLACE TRIGGER %%I BEFORE TRUNCATE ON %%s '
            'FOR EACH STATEMENT EXECUTE FUNCTION vecrbac._truncate_guard(%%L, %%L, %%L)'', '
            '''vecrbac_truncate_'' OPERATOR(pg_catalog.||) pg_catalog.substring(%1$L, ''_([0-9]+)$''), %1$L, '
            || replace(quote_literal(coll), '%', '%%') || ', '
            || replace(quote_literal(payload_column), '%', '%%') || ', '
            || replace(quote_literal(keys::text), '%', '%%') || '); END $vecrbac_shard$';
        IF other IS NOT NULL THEN
            RAISE EXCEPTION 'could not put the TRUNCATE guard on the shards of %', rel
                USING ERRCODE = '55000', DETAIL = other;
        END IF;
    END IF;

    rd := vecrbac.policy_condition(coll, 'read', payload_column, keys);
    wr := vecrbac.policy_condition(coll, 'write', payload_column, keys);
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', rel);
    FOR pol IN SELECT p.polname FROM pg_policy p WHERE p.polrelid = rel
               AND p.polname IN ('vecrbac_select', 'vecrbac_insert', 'vecrbac_update', 'vecrbac_delete') LOOP
        EXECUTE format('DROP POLICY %I ON %s', pol, rel);
    END LOOP;
    EXECUTE format(E'CREATE POLICY vecrbac_select ON %s FOR SELECT USING (\n    %s)', rel, rd);
    EXECUTE format(E'CREATE POLICY vecrbac_insert ON %s FOR INSERT WITH CHECK (\n    %s)', rel, wr);
    EXECUTE format(E'CREATE POLICY vecrbac_update ON %s FOR UPDATE USING (\n    %s)\n  WITH CHECK (\n    %s)', rel, wr, wr);
    EXECUTE format(E'CREATE POLICY vecrbac_delete ON %s FOR DELETE USING (\n    %s)', rel, wr);
    -- Citus refuses triggers on its distributed and reference tables unless
    -- citus.enable_unsafe_triggers; this one only guards TRUNCATE, so it is allowed for
    -- this command.
    IF citus THEN
        unsafe_triggers := current_setting('citus.enable_unsafe_triggers');
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    END IF;
    -- Its arguments register the collection (vecrbac._on_ddl_end), which fails here if
    -- the name belongs to another table.
    EXECUTE format('CREATE OR REPLACE TRIGGER vecrbac_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION vecrbac._truncate_guard(%L, %L, %L)',
                   rel, coll, payload_column, keys::text);
    IF citus THEN
        PERFORM set_config('citus.enable_unsafe_triggers', unsafe_triggers, true);
    END IF;
END $$;
COMMENT ON FUNCTION vecrbac.protect(regclass, text, name, jsonb) IS
    'registers a table as a collection, enables and forces row-level security and creates the token policies';

CREATE FUNCTION vecrbac.unprotect(rel regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE owner oid; pol name; citus boolean; unsafe_triggers text; failed text;
BEGIN
    SELECT c.relowner INTO owner FROM pg_class c WHERE c.oid = rel AND c.relkind IN ('r', 'p');
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = '42809';
    END IF;
    IF NOT pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
    END IF;
    -- the TRUNCATE guards of a Citus table's shards, as in protect()
    citus := to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL;
    IF citus THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition '
                'WHERE logicalrelid OPERATOR(pg_catalog.=) $1)' INTO citus USING rel;
    END IF;
    IF citus THEN
        EXECUTE 'SELECT pg_catalog.string_agg(r.result, ''; '') FROM pg_catalog.run_command_on_placements($1, $2) r '
                'WHERE NOT r.success' INTO failed USING rel,
            'DO $vecrbac_shard$ BEGIN '
            'PERFORM pg_catalog.set_config(''citus.enable_manual_changes_to_shards'', ''on'', true); '
            'PERFORM pg_catalog.set_config(''lock_timeout'', ''10s'', true); '
            'EXECUTE pg_catalog.format(''DROP TRIGGER IF EXISTS %%I ON %%s'', '
            '''vecrbac_truncate_'' OPERATOR(pg_catalog.||) pg_catalog.substring(%1$L, ''_([0-9]+)$''), %1$L); '
            'END $vecrbac_shard$';
        IF failed IS NOT NULL THEN
            RAISE EXCEPTION 'could not drop the TRUNCATE guard from the shards of %', rel
                USING ERRCODE = '55000', DETAIL = failed;
        END IF;
    END IF;
    FOR pol IN SELECT p.polname FROM pg_policy p WHERE p.polrelid = rel
               AND p.polname IN ('vecrbac_select', 'vecrbac_insert', 'vecrbac_update', 'vecrbac_delete') LOOP
        EXECUTE format('DROP POLICY %I ON %s', pol, rel);
    END LOOP;
    -- dropping the trigger unregisters the collection (vecrbac._on_sql_drop); Citus
    -- needs citus.enable_unsafe_triggers for it, as in protect()
    IF citus THEN
        unsafe_triggers := current_setting('citus.enable_unsafe_triggers');
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS vecrbac_truncate ON %s', rel);
    IF citus THEN
        PERFORM set_config('citus.enable_unsafe_triggers', unsafe_triggers, true);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = rel) THEN
        EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY', rel);
    ELSE
        RAISE NOTICE 'row-level security stays enabled on %: it has other policies', rel;
    END IF;
END $$;

-- ---- manage operations: a token with global m, and the PostgreSQL privileges of the DDL --------
-- key_columns here declares columns to create: {"tenant_id": "bigint", ...}; each is also
-- the token key of the same name, and comes first in the hnsw index (the first one is
-- its partition column).
-- The table goes into `schema`, by default the caller's current schema: the default is
-- evaluated in the caller's statement, while the body runs with a fixed search_path.
CREATE FUNCTION vecrbac.create_collection(name text, dimensions integer, distance text DEFAULT 'l2',
                                          key_columns jsonb DEFAULT '{}', m integer DEFAULT 16,
                                          ef_construction integer DEFAULT 64,
                                          schema name DEFAULT pg_catalog.current_schema()) RETURNS regclass
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    opclass text;
    cols text := '';
    idxcols text := '';
    keymap jsonb := '{}';
    k text;
    v jsonb;
    typ text;
    rel regclass;
BEGIN
    PERFORM vecrbac.authorize(name, 'manage');
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'collection name must not be empty' USING ERRCODE = '22023';
    END IF;
    IF schema IS NULL THEN
        RAISE EXCEPTION 'no schema has been selected to create in' USING ERRCODE = '3F000';
    END IF;
    opclass := CASE pg_catalog.lower(distance)
        WHEN 'l2' THEN 'vector_l2_ops' WHEN 'euclid' THEN 'vector_l2_ops'
        WHEN 'ip' THEN 'vector_ip_ops' WHEN 'dot' THEN 'vector_ip_ops'
        WHEN 'cosine' THEN 'vector_cosine_ops'
        WHEN 'l1' THEN 'vector_l1_ops' WHEN 'manhattan' THEN 'vector_l1_ops' END;
    IF opclass IS NULL THEN
        RAISE EXCEPTION 'unknown distance "%"', distance USING ERRCODE = '22023',
            HINT = 'Distances are l2, ip (dot), cosine and l1.';
    END IF;
    IF dimensions IS NULL OR dimensions < 1 OR dimensions > 16000 THEN
        RAISE EXCEPTION 'dimensions must be between 1 and 16000' USING ERRCODE = '22023';
    END IF;
    IF key_columns IS NULL OR pg_catalog.jsonb_typeof(key_columns) <> 'object' THEN
        RAISE EXCEPTION 'key_columns must be an object {"column": "type"}' USING ERRCODE = '22023';
    END IF;
    IF (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(key_columns)) > 3 THEN
        RAISE EXCEPTION 'at most 3 key columns are supported' USING ERRCODE = '22023';
    END IF;
    FOR k, v IN SELECT * FROM pg_catalog.jsonb_each(key_columns) ORDER BY 1 LOOP
        typ := CASE pg_catalog.lower(v #>> '{}')
            WHEN 'smallint' THEN 'smallint' WHEN 'int2' THEN 'smallint'
            WHEN 'integer' THEN 'integer' WHEN 'int' THEN 'integer' WHEN 'int4' THEN 'integer'
            WHEN 'bigint' THEN 'bigint' WHEN 'int8' THEN 'bigint'
            WHEN 'boolean' THEN 'boolean' WHEN 'bool' THEN 'boolean'
            WHEN 'text' THEN 'text' WHEN 'uuid' THEN 'uuid' END;
        IF typ IS NULL THEN
            RAISE EXCEPTION 'key column "%" has unsupported type', k USING ERRCODE = '22023',
                DETAIL = 'Key columns are smallint, integer, bigint, boolean, text or uuid.';
        END IF;
        IF k IN ('id', 'embedding', 'payload') OR k = '' OR pg_catalog.strpos(k, '.') > 0 THEN
            RAISE EXCEPTION 'invalid key column name "%"', k USING ERRCODE = '22023';
        END IF;
        cols := cols || pg_catalog.format('%I %s NOT NULL, ', k, typ);
        idxcols := idxcols || pg_catalog.format('%I, ', k);
        keymap := keymap || pg_catalog.jsonb_build_object(k, k);
    END LOOP;

    EXECUTE pg_catalog.format('CREATE TABLE %I.%I (id bigserial PRIMARY KEY, %sembedding @extschema@.vector(%s) NOT NULL, '
                              'payload jsonb NOT NULL DEFAULT ''{}'')', schema, name, cols, dimensions);
    rel := pg_catalog.format('%I.%I', schema, name)::regclass;
    IF dimensions <= 1900 THEN
        -- inline vectors: result rows are fetched without TOAST lookups
        EXECUTE pg_catalog.format('ALTER TABLE %s ALTER COLUMN embedding SET STORAGE PLAIN', rel);
    END IF;
    EXECUTE pg_catalog.format('CREATE INDEX %I ON %s USING hnsw (%sembedding @extschema@.%I, payload) '
                              'WITH (m = %s, ef_construction = %s)',
                              name || '_hnsw', rel, idxcols, opclass, m, ef_construction);
    PERFORM vecrbac.protect(rel, name, 'payload', keymap);
    RETURN rel;
END $$;
COMMENT ON FUNCTION vecrbac.create_collection(text, integer, text, jsonb, integer, integer, name) IS
    'creates a protected collection table (id, embedding, payload, key columns) with its hnsw index; needs a token with global m';

CREATE FUNCTION vecrbac.drop_collection(name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE rel regclass;
BEGIN
    PERFORM vecrbac.authorize(name, 'manage');
    SELECT c.rel INTO rel FROM vecrbac.collections c JOIN pg_class r ON r.oid = c.rel::oid
    WHERE c.name = name;
    IF rel IS NULL THEN
        RAISE EXCEPTION 'collection "%" does not exist', name USING ERRCODE = '42704';
    END IF;
    EXECUTE pg_catalog.format('DROP TABLE %s', rel);
END $$;
COMMENT ON FUNCTION vecrbac.drop_collection(text) IS 'drops a collection''s table; needs a token with global m and ownership';
