-- Index advice for a protected table (docs/hnsw.md, "Conditions the index does not take").
--
-- A token's scope on a key column reaches an hnsw index only if the index holds that
-- column; otherwise it is a Filter above the scan, which stays correct (the scan streams)
-- but walks more of the graph. vecrbac.index_advice lists what the table's hnsw indexes
-- lack and the index that would take every key column (protect says the same as NOTICEs).
-- It reads only the catalog, as the caller.
CREATE FUNCTION vecrbac.index_advice(rel regclass, key_columns jsonb, payload_column name DEFAULT 'payload')
RETURNS TABLE (advice text, create_index text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    keys text[];
    vec text;
    ops text := 'vector_l2_ops';
    covered boolean := false;
    n int := 0;
    idx record;
    has_payload boolean;
BEGIN
    IF jsonb_typeof(key_columns) = 'array' THEN
        keys := ARRAY(SELECT e FROM jsonb_array_elements_text(key_columns) e);
    ELSE
        keys := ARRAY(SELECT v FROM jsonb_each_text(coalesce(key_columns, '{}')) AS kv(k, v) ORDER BY k);
    END IF;
    has_payload := EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = rel AND attname = payload_column
                                                          AND attnum > 0 AND NOT attisdropped);
    -- each hnsw index: its plain columns, its vector column and operator class
    FOR idx IN
        SELECT array_agg(a.attname::text ORDER BY k.ord) FILTER (WHERE oc.opcname NOT LIKE 'vector\_%') AS cols,
               min(a.attname::text) FILTER (WHERE oc.opcname LIKE 'vector\_%') AS vector_column,
               min(oc.opcname::text) FILTER (WHERE oc.opcname LIKE 'vector\_%') AS opclass
        FROM pg_index x
        JOIN pg_class c ON c.oid = x.indexrelid
        JOIN pg_am am ON am.oid = c.relam AND am.amname = 'hnsw'
        CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indclass::oid[]) WITH ORDINALITY AS k(attnum, opclass, ord)
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
        JOIN pg_opclass oc ON oc.oid = k.opclass
        WHERE x.indrelid = rel
        GROUP BY x.indexrelid
    LOOP
        n := n + 1;
        vec := coalesce(vec, idx.vector_column);
        ops := CASE WHEN n = 1 AND idx.opclass IS NOT NULL THEN idx.opclass ELSE ops END;
        covered := covered OR coalesce(idx.cols, '{}') @> keys;
    END LOOP;
    IF vec IS NULL THEN
        vec := (SELECT attname FROM pg_attribute WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped
                AND atttypid = '@extschema@.vector'::regtype ORDER BY attnum LIMIT 1);
    END IF;
    IF covered OR vec IS NULL THEN
        RETURN;
    END IF;
    create_index := format('CREATE INDEX ON %s USING hnsw (%s%I %s%s)', rel,
                           (SELECT string_agg(format('%I, ', k), '' ORDER BY o) FROM unnest(keys) WITH ORDINALITY u(k, o)),
                           vec, ops, CASE WHEN has_payload THEN format(', %I', payload_column) ELSE '' END);
    IF n = 0 THEN
        advice := format('%s has no hnsw index: every token''s search reads the whole table', rel);
    ELSE
        advice := format('no hnsw index of %s holds every key column (%s): a token scoped by a column the chosen '
                         'index lacks is filtered above its scan, which stays correct but walks more of the graph',
                         rel, array_to_string(keys, ', '));
    END IF;
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION vecrbac.index_advice(regclass, jsonb, name) IS
    'what the hnsw indexes of a table with these key columns lack, and the index that takes every key column';

