-- scope_format: the vecrbac.scope type's text format (src/scope/scope.h, read through
-- jsonb): what it keeps, every reason it refuses a document (message, detail and
-- SQLSTATE), the jsonb cast, the binary form, and how values match rows. Every output
-- here is the one the format gave before it moved to src/scope (compared, same SQL).
CREATE EXTENSION vecrbac;

-- Accepted documents, shown as stored (jsonb's spelling).
SELECT s::vecrbac.scope AS stored FROM (VALUES
    ('{"all": true}'), ('{"values": []}'), ('{"values": [7, 7.0, 1e2, -0, "x", true, false]}'),
    ('{"values": [9223372036854775807, -9223372036854775808]}'),
    ('{"any": []}'), ('{"any": [{}]}'), ('{"any": [{"dept.name": "a\"b", "vip": true, "n": 5}]}'),
    ('{"values": ["\u00e9\n"]}'), ('{"all": false, "all": true}')) v(s);

-- Refused documents: each reason once, then the first problem in document order.
SELECT '[]'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"all": true, "values": []}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"other": []}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"all": false}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"all": [[[true]]]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"values": {"a": 1}}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": 1}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"values": [[1]]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"values": [{}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"values": [null]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"values": [1.5]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"values": [9223372036854775808]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"values": [1e400]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [1]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [[]]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [{"a..b": 1}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [{".a": 1}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [{"": 1}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [{"a": null}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [{"a": 0.5}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [{"a": {"b": 1}}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [{"a": [1]}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"values": [null, [1]]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
-- jsonb orders keys by length: "b" (an invalid path) is checked before "aa.."
SELECT '{"any": [{"aa..": 1, "b": null}]}'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT '{"any": [{"a": ' || repeat('[', 5000) || repeat(']', 5000) || '}]}'::text::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT 'not json'::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE

-- The jsonb cast validates the same way; the binary form is jsonb's.
SELECT '{"values": [1, "a"]}'::jsonb::vecrbac.scope AS cast;
SELECT '{"values": [1.5]}'::jsonb::vecrbac.scope;
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.scope_send('{"any": [{"a.b": 1}]}') AS binary_form;

-- Matching: type-strict, integers by value, uuids by the uuid they spell, payload paths.
SELECT 7 OPERATOR(vecrbac.<@) '{"values": [7.0]}' AS int_7_0,
       7::smallint OPERATOR(vecrbac.<@) '{"values": [1e1, 7]}' AS int2,
       7 OPERATOR(vecrbac.<@) '{"values": ["7"]}' AS int_vs_string,
       'x'::text OPERATOR(vecrbac.<@) '{"values": ["x"]}' AS text,
       true OPERATOR(vecrbac.<@) '{"values": [false]}' AS bool,
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid
           OPERATOR(vecrbac.<@) '{"values": ["{A0EEBC99-9C0B4EF8-BB6D6BB9BD380A11}"]}' AS uuid,
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid
           OPERATOR(vecrbac.<@) '{"values": ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"]}' AS uuid_short;
SELECT p, p OPERATOR(vecrbac.<@) '{"any": [{"d.n": 5, "t": "x"}, {"v": true}]}' AS within,
       p OPERATOR(vecrbac.<<@) '{"any": [{"d.n": 5, "t": "x"}, {"v": true}]}' AS wholly
FROM (VALUES ('{"d": {"n": 5.0}, "t": "x"}'::jsonb), ('{"d": {"n": 5}, "t": ["x", "y"]}'),
             ('{"d": {"n": 5}, "t": ["x"]}'), ('{"d.n": 5, "t": "x"}'), ('{"v": true}'),
             ('{"v": "true"}'), ('{}')) r(p);
SELECT '{}'::jsonb OPERATOR(vecrbac.<@) '{"any": [{}]}' AS empty_conjunction,
       '{}'::jsonb OPERATOR(vecrbac.<@) '{"any": []}' AS empty_list;
DROP EXTENSION vecrbac;
