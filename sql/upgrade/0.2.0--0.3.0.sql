-- vecrbac 0.2.0 -> 0.3.0: changes to objects that 0.2.0 installed (the Makefile puts
-- this before the parts marked '-- since 0.3.0'). Each function below is the one in
-- sql/parts/40_rbac.sql (extension_upgrade compares an upgraded catalog with a fresh one).
--
-- Policies without subqueries (docs/scaling.md): Citus refuses policies with subqueries
-- on distributed and reference tables, and every 0.2.0 accessor was a scalar subquery;
-- the accessors now keep their first answer per statement themselves (rbac_sql.cpp).
-- protect() and unprotect() handle the TRUNCATE guard of Citus tables and their shards.

CREATE OR REPLACE FUNCTION vecrbac.policy_condition(collection text, operation text, payload_column name,
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

CREATE OR REPLACE FUNCTION vecrbac.protect(rel regclass, collection text DEFAULT NULL,
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

CREATE OR REPLACE FUNCTION vecrbac.unprotect(rel regclass) RETURNS void
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

-- ---- every protected table, protected again ------------------------------------------------------
-- Its policies take the new shape; run as the superuser who updates the extension.
DO $$
DECLARE c record;
BEGIN
    FOR c IN SELECT rel, name, payload_column, key_columns FROM vecrbac.collections
             WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class r WHERE r.oid = rel) ORDER BY name LOOP
        PERFORM vecrbac.protect(c.rel, c.name, c.payload_column, c.key_columns);
    END LOOP;
END $$;
