-- since 0.4.0
-- Citus (docs/scaling.md): a collection hash-distributed by one of its key columns, so that
-- each tenant's rows live in one shard with its own hnsw index. A table made by
-- create_collection has `id` as its primary key, and Citus needs the distribution column
-- in every unique constraint: the primary key becomes (key column, id) first. The table
-- stays protected: its policies, TRUNCATE guard and registry rows reach every shard and
-- node as for any table protected before it was distributed.
CREATE FUNCTION vecrbac.distribute_collection(name text, key text DEFAULT NULL,
                                              shard_count integer DEFAULT NULL,
                                              colocate_with text DEFAULT 'default') RETURNS regclass
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
    rel regclass;
    keys jsonb;
    col text;
    owner oid;
    pk_name name;
    pk_cols text[];
    colocate text;
    unsafe_triggers text;
BEGIN
    PERFORM vecrbac.authorize(name, 'manage');
    SELECT c.rel, c.key_columns, r.relowner INTO rel, keys, owner
    FROM vecrbac.collections c JOIN pg_class r ON r.oid = c.rel::oid
    WHERE c.name = name;
    IF rel IS NULL THEN
        RAISE EXCEPTION 'collection "%" does not exist', name USING ERRCODE = '42704';
    END IF;
    IF NOT pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
    END IF;
    IF key IS NULL THEN
        IF (SELECT count(*) FROM jsonb_object_keys(keys)) <> 1 THEN
            RAISE EXCEPTION 'collection "%" has % key columns: name the one to distribute by', name,
                (SELECT count(*) FROM jsonb_object_keys(keys)) USING ERRCODE = '22023';
        END IF;
        key := (SELECT k FROM jsonb_object_keys(keys) k);
    END IF;
    col := keys ->> key;
    IF col IS NULL THEN
        RAISE EXCEPTION '"%" is not a key of collection "%"', key, name USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('Its keys: %s.',
                coalesce((SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(keys) k), 'none'));
    END IF;

    -- colocate_with names a collection (the function's search_path is not the caller's:
    -- Citus gets its table's qualified name), or is Citus's 'default' or 'none'
    IF colocate_with IS NULL THEN
        RAISE EXCEPTION 'colocate_with must not be null' USING ERRCODE = '22004',
            HINT = 'Name a collection, or use ''default'' or ''none''.';
    ELSIF colocate_with NOT IN ('default', 'none') THEN
        colocate := (SELECT c.rel::text FROM vecrbac.collections c JOIN pg_class r ON r.oid = c.rel::oid
                     WHERE c.name = colocate_with);
        IF colocate IS NULL THEN
            RAISE EXCEPTION 'collection "%" does not exist', colocate_with USING ERRCODE = '42704';
        END IF;
    ELSE
        colocate := colocate_with;
    END IF;

    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RAISE EXCEPTION 'Citus is not installed in this database' USING ERRCODE = '0A000',
            HINT = 'CREATE EXTENSION citus first (docs/scaling.md).';
    END IF;

    -- Citus needs the distribution column in the primary key: put it first.
    SELECT con.conname, ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY u(attnum, i)
                              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = u.attnum
                              ORDER BY u.i)
      INTO pk_name, pk_cols
    FROM pg_constraint con WHERE con.conrelid = rel AND con.contype = 'p';
    IF pk_name IS NOT NULL AND NOT col = ANY (pk_cols) THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (%s)',
            rel, pk_name, pk_name,
            (SELECT string_agg(quote_ident(c), ', ' ORDER BY i) FROM unnest(col || pk_cols) WITH ORDINALITY u(c, i)));
    END IF;

    -- Citus refuses to distribute a table with triggers (the TRUNCATE guard) unless
    -- citus.enable_unsafe_triggers: allowed for this command, as in protect().
    unsafe_triggers := current_setting('citus.enable_unsafe_triggers');
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3, shard_count => $4)'
        USING rel, col, colocate, shard_count;
    PERFORM set_config('citus.enable_unsafe_triggers', unsafe_triggers, true);
    RETURN rel;
END $$;
COMMENT ON FUNCTION vecrbac.distribute_collection(text, text, integer, text) IS
    'Citus: hash-distributes a collection by one of its key columns (made the first column of its primary key); needs a token with global m and ownership';
