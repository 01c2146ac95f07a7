-- since 0.9.1
-- Citus (docs/scaling.md): the TRUNCATE guard of shards made in the same transaction as
-- their table's vecrbac_truncate trigger, as alter_distributed_table makes them when it
-- rebuilds a table. Citus puts a TRUNCATE trigger only on shards made after it, and it
-- creates the rebuilt table's triggers last; protect() cannot reach such shards either
-- (its commands run in connections of their own, which do not see them). But Citus
-- sends the trigger to every node with metadata, in the transaction that made the
-- shards: there, this function guards the node's own shards of the table, named as
-- protect() names them (vecrbac_truncate_<shard id>). Shards on nodes without metadata
-- cannot be reached so: the coordinator warns of them, with what to do. Runs as the
-- user whose command made the trigger (the table's owner, or Citus for it); reads
-- catalogs and creates triggers only on shards of that table; not SECURITY DEFINER.
-- Since 0.9.1; from 0.4.0 to 0.9.0 the event trigger vecrbac_citus_unguarded_shards only
-- warned of such shards, and protect() had to run again.
CREATE OR REPLACE FUNCTION vecrbac._on_guard_created() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    s record;
    grp integer;
    args text[];
    raw bytea;
    cut integer;
    manual text;
    n bigint;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_shard') IS NULL OR to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
    FOR t IN SELECT DISTINCT tr.tgrelid, tr.tgnargs, tr.tgargs
             FROM pg_event_trigger_ddl_commands() d
             JOIN pg_trigger tr ON tr.oid OPERATOR(pg_catalog.=) d.objid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::regclass
               AND tr.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate'
               AND tr.tgfoid OPERATOR(pg_catalog.=) 'vecrbac._truncate_guard()'::regprocedure LOOP
        -- the guard's arguments (collection, payload column, key columns), each ended by a zero byte
        args := '{}';
        raw := t.tgargs;
        FOR i IN 1 .. t.tgnargs LOOP
            cut := pg_catalog.position(raw, '\x00'::bytea);
            args := args OPERATOR(pg_catalog.||)
                    pg_catalog.convert_from(pg_catalog.substring(raw, 1, cut OPERATOR(pg_catalog.-) 1),
                                            pg_catalog.getdatabaseencoding());
            raw := pg_catalog.substring(raw, cut OPERATOR(pg_catalog.+) 1);
        END LOOP;
        -- this node's shards of the table that this transaction sees, without their guard (a
        -- shard not made here yet, as when a protected table is being distributed, gets its
        -- own copy of the trigger from Citus when it is made)
        FOR s IN EXECUTE
            -- (shard_name leaves the schema public out, and search_path here is pg_catalog)
            'SELECT sh.shardid, pg_catalog.to_regclass(CASE WHEN n.nspname OPERATOR(pg_catalog.=) ''public'' '
            '  THEN ''public.'' ELSE '''' END OPERATOR(pg_catalog.||) pg_catalog.shard_name(sh.logicalrelid, sh.shardid)) AS shard '
            'FROM pg_catalog.pg_dist_shard sh JOIN pg_catalog.pg_dist_placement pl '
            '  ON pl.shardid OPERATOR(pg_catalog.=) sh.shardid '
            'JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) sh.logicalrelid '
            'JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace '
            'WHERE sh.logicalrelid OPERATOR(pg_catalog.=) $1 AND pl.groupid OPERATOR(pg_catalog.=) $2'
            USING t.tgrelid, grp LOOP
            CONTINUE WHEN s.shard IS NULL OR EXISTS (
                SELECT 1 FROM pg_trigger x WHERE x.tgrelid OPERATOR(pg_catalog.=) s.shard
                  AND x.tgname OPERATOR(pg_catalog.=) ('vecrbac_truncate_' OPERATOR(pg_catalog.||) s.shardid));
            manual := current_setting('citus.enable_manual_changes_to_shards');
            PERFORM set_config('citus.enable_manual_changes_to_shards', 'on', true);
            EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s '
                           'FOR EACH STATEMENT EXECUTE FUNCTION vecrbac._truncate_guard(%L, %L, %L)',
                           'vecrbac_truncate_' OPERATOR(pg_catalog.||) s.shardid, s.shard,
                           args[1], args[2], args[3]);
            PERFORM set_config('citus.enable_manual_changes_to_shards', manual, true);
        END LOOP;
        -- the coordinator: shards made in this transaction (or one of its subtransactions)
        -- on nodes that Citus sends no metadata, which therefore stay without a guard
        CONTINUE WHEN grp IS DISTINCT FROM 0;
        EXECUTE 'SELECT count(*) FROM pg_catalog.pg_dist_shard sh '
                'WHERE sh.logicalrelid OPERATOR(pg_catalog.=) $1 AND pg_catalog.age(sh.xmin) OPERATOR(pg_catalog.<=) 0 '
                '  AND EXISTS (SELECT 1 FROM pg_catalog.pg_dist_placement pl JOIN pg_catalog.pg_dist_node nd '
                '              ON nd.groupid OPERATOR(pg_catalog.=) pl.groupid '
                '              WHERE pl.shardid OPERATOR(pg_catalog.=) sh.shardid '
                '                AND pl.groupid OPERATOR(pg_catalog.<>) 0 AND NOT nd.hasmetadata)'
            INTO n USING t.tgrelid;
        IF n > 0 THEN
            RAISE WARNING '% shards of % made in this transaction have no TRUNCATE guard', n, t.tgrelid::regclass
                USING DETAIL = 'Citus made them before the table''s vecrbac_truncate trigger, on nodes without Citus metadata, which do not receive the trigger.',
                      HINT = pg_catalog.format('Once this transaction has committed, run vecrbac.protect(%L, ...) again, with the same arguments.',
                                               t.tgrelid::regclass::text);
        END IF;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION vecrbac._on_guard_created() FROM PUBLIC;
-- 0.4.0 to 0.9.0's name for it (an upgrade replaces it; a new install has none)
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger
               WHERE evtname OPERATOR(pg_catalog.=) 'vecrbac_citus_unguarded_shards') THEN
        DROP EVENT TRIGGER vecrbac_citus_unguarded_shards;
    END IF;
END $$;
CREATE EVENT TRIGGER vecrbac_citus_shard_guards ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER') EXECUTE FUNCTION vecrbac._on_guard_created();
COMMENT ON FUNCTION vecrbac._on_guard_created() IS
    'event trigger function: guards the shards of a protected Citus table made in the transaction that created its TRUNCATE guard (alter_distributed_table)';
COMMENT ON EVENT TRIGGER vecrbac_citus_shard_guards IS
    'puts the TRUNCATE guard on shards that alter_distributed_table (or similar) made before the table''s guard';
