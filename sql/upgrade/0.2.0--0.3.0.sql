-- vecrbac 0.2.0 -> 0.3.0: changes to objects that 0.2.0 installed (the Makefile puts
-- this before the parts marked '-- since 0.3.0').
--
-- Policies without subqueries (docs/scaling.md): Citus refuses policies with subqueries
-- on distributed and reference tables, and every 0.2.0 accessor was a scalar subquery.
-- The accessors now keep their first answer per statement themselves (rbac_sql.cpp).

-- policy_condition as in sql/parts/40_rbac.sql (extension_upgrade compares the two).
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
        e := e || format(E'\n    AND (vecrbac.scope_is_exact(%s, %s)'
                         || E'\n         OR jsonb_build_object(''k'', jsonb_build_object(%s), ''p'', %I)'
                         || E'\n            %s vecrbac.row_scope(%s, %s))',
                         c, klit, row_keys, payload_column, within, c, klit);
    END IF;
    RETURN e;
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
