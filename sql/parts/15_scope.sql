-- vecrbac.scope: the rows a token may see in one column (src/scope/scope.h; the SQL glue in src/scope_sql/).
-- Row-level security policies test `column OPERATOR(vecrbac.<@) scope`; the hnsw
-- index takes the same test as a scan key on its filter columns.
CREATE TYPE vecrbac.scope;
CREATE FUNCTION vecrbac.scope_in(cstring) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_scope_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrbac.scope_out(vecrbac.scope) RETURNS cstring
    AS 'MODULE_PATHNAME', 'vecrbac_scope_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrbac.scope_recv(internal) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_scope_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrbac.scope_send(vecrbac.scope) RETURNS bytea
    AS 'MODULE_PATHNAME', 'vecrbac_scope_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE vecrbac.scope (
    INPUT = vecrbac.scope_in, OUTPUT = vecrbac.scope_out,
    RECEIVE = vecrbac.scope_recv, SEND = vecrbac.scope_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended, ALIGNMENT = int4
);
COMMENT ON TYPE vecrbac.scope IS 'values a token may see in one column: {"all":true}, {"values":[...]} or {"any":[{path: value, ...}]}';

CREATE FUNCTION vecrbac.scope(jsonb) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_scope_from_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (jsonb AS vecrbac.scope) WITH FUNCTION vecrbac.scope(jsonb);
CREATE CAST (vecrbac.scope AS jsonb) WITHOUT FUNCTION;

CREATE FUNCTION vecrbac.scope_contains(int2, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(int4, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(int8, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(boolean, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_bool' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(text, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_text' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(uuid, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_uuid' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(jsonb, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_payload' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;

-- The planner's estimate (src/scope_sql/scope_selectivity.cpp): a constant scope as an
-- equality; a scope known only when the statement runs
-- (a policy's InitPlan) half-way, in orders of magnitude, between one value and all.
CREATE FUNCTION vecrbac.scope_restrict_sel(internal, oid, internal, integer) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_scope_restrict_sel' LANGUAGE C STRICT STABLE PARALLEL SAFE;
REVOKE ALL ON FUNCTION vecrbac.scope_restrict_sel(internal, oid, internal, integer) FROM PUBLIC;

-- "is within": true when the value is in the scope.
CREATE OPERATOR vecrbac.<@ (LEFTARG = int2, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = int4, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = int8, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = boolean, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = text, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = uuid, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = jsonb, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = contjoinsel);

-- "is wholly within", for writes: the payload matches, and no array at a scoped path
-- carries a value outside the scope (a row cannot be put into another tenant's
-- scope beside the writer's own). Not an index operator: writes are never searched.
CREATE FUNCTION vecrbac.scope_holds(jsonb, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_holds_payload' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE OPERATOR vecrbac.<<@ (LEFTARG = jsonb, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_holds, RESTRICT = contsel, JOIN = contjoinsel);
