-- since 0.4.0
-- Citus (docs/scaling.md): a warning when a protected table gets its vecrbac_truncate
-- trigger after shards made in the same transaction, as alter_distributed_table does when
-- it rebuilds a table. Citus puts a TRUNCATE trigger only on shards made after it, so
-- those shards have no TRUNCATE guard until vecrbac.protect() runs again, which cannot
-- happen in that transaction (it reaches the shards through connections of their own).
-- protect() on a distributed table guards its shards itself: they come from earlier
-- transactions. Only on the coordinator (group 0): the workers receive the trigger with
-- the table's metadata. Reads catalogs only; not SECURITY DEFINER.
CREATE FUNCTION vecrbac._on_guard_created() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    grp integer;
    n bigint;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_shard') IS NULL OR to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
    IF grp IS DISTINCT FROM 0 THEN
        RETURN;
    END IF;
    FOR t IN SELECT DISTINCT tr.tgrelid
             FROM pg_event_trigger_ddl_commands() d
             JOIN pg_trigger tr ON tr.oid OPERATOR(pg_catalog.=) d.objid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::regclass
               AND tr.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate' LOOP
        -- shards whose metadata rows this transaction (or one of its subtransactions) wrote
        EXECUTE 'SELECT count(*) FROM pg_catalog.pg_dist_shard '
                'WHERE logicalrelid OPERATOR(pg_catalog.=) $1 AND pg_catalog.age(xmin) OPERATOR(pg_catalog.<=) 0'
            INTO n USING t.tgrelid;
        IF n > 0 THEN
            RAISE WARNING '% shards of % made in this transaction have no TRUNCATE guard', n, t.tgrelid::regclass
                USING DETAIL = 'Citus made them before the table''s vecrbac_truncate trigger, and puts a TRUNCATE trigger only on shards made after it.',
                      HINT = pg_catalog.format('Once this transaction has committed, run vecrbac.protect(%L, ...) again, with the same arguments.',
                                               t.tgrelid::regclass::text);
        END IF;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION vecrbac._on_guard_created() FROM PUBLIC;
CREATE EVENT TRIGGER vecrbac_citus_unguarded_shards ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER') EXECUTE FUNCTION vecrbac._on_guard_created();
COMMENT ON FUNCTION vecrbac._on_guard_created() IS
    'event trigger function: warns when a protected Citus table got its TRUNCATE guard after shards made in the same transaction (run vecrbac.protect again)';
COMMENT ON EVENT TRIGGER vecrbac_citus_unguarded_shards IS
    'warns when alter_distributed_table (or similar) leaves new shards of a protected table without a TRUNCATE guard';
