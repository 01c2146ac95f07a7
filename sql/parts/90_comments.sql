-- since 0.4.0
-- Descriptions of the objects the extension owns, as \dT+, \df+, \do+, \dA+, \dAc+ and
-- \dAf+ show them (psql), written for vecrbac. Objects that had a description in
-- 0.3.0 keep it, except the two access methods, described here more fully.
-- test/sql/comments.sql fails on an owned object without a description: a new object
-- gets its COMMENT next to its CREATE, or here when it is older than its description.

-- ---- types ------------------------------------------------------------------
COMMENT ON TYPE halfvec IS
    'vector of half-precision (2-byte IEEE) elements, up to 16,000 dimensions; text form [1,2,3]';
COMMENT ON TYPE sparsevec IS
    'sparse vector: only its non-zero real elements are stored; text form {1:1.5,3:2}/5 (1-based index:value, then the dimensions)';
COMMENT ON TYPE vector IS 'vector of single-precision (real) elements, up to 16,000 dimensions; text form [1,2,3]';

-- ---- functions --------------------------------------------------------------
COMMENT ON FUNCTION array_to_halfvec(double precision[], integer, boolean) IS
    'cast from a double precision array to halfvec, checked against the type modifier';
COMMENT ON FUNCTION array_to_halfvec(integer[], integer, boolean) IS
    'cast from an integer array to halfvec, checked against the type modifier';
COMMENT ON FUNCTION array_to_halfvec(numeric[], integer, boolean) IS
    'cast from a numeric array to halfvec, checked against the type modifier';
COMMENT ON FUNCTION array_to_halfvec(real[], integer, boolean) IS
    'cast from a real (float4) array to halfvec, checked against the type modifier';
COMMENT ON FUNCTION array_to_sparsevec(double precision[], integer, boolean) IS
    'cast from a double precision array to sparsevec, checked against the type modifier';
COMMENT ON FUNCTION array_to_sparsevec(integer[], integer, boolean) IS
    'cast from an integer array to sparsevec, checked against the type modifier';
COMMENT ON FUNCTION array_to_sparsevec(numeric[], integer, boolean) IS
    'cast from a numeric array to sparsevec, checked against the type modifier';
COMMENT ON FUNCTION array_to_sparsevec(real[], integer, boolean) IS
    'cast from a real (float4) array to sparsevec, checked against the type modifier';
COMMENT ON FUNCTION array_to_vector(double precision[], integer, boolean) IS
    'cast from a double precision array to vector, checked against the type modifier';
COMMENT ON FUNCTION array_to_vector(integer[], integer, boolean) IS
    'cast from an integer array to vector, checked against the type modifier';
COMMENT ON FUNCTION array_to_vector(numeric[], integer, boolean) IS
    'cast from a numeric array to vector, checked against the type modifier';
COMMENT ON FUNCTION array_to_vector(real[], integer, boolean) IS
    'cast from a real (float4) array to vector, checked against the type modifier';
COMMENT ON FUNCTION binary_quantize(halfvec) IS
    'one bit per dimension of the halfvec value, 1 where the element is greater than zero';
COMMENT ON FUNCTION binary_quantize(vector) IS
    'one bit per dimension of the vector value, 1 where the element is greater than zero';
COMMENT ON FUNCTION cosine_distance(halfvec, halfvec) IS
    'one minus the cosine of the angle between two halfvec values; also the operator <=>';
COMMENT ON FUNCTION cosine_distance(sparsevec, sparsevec) IS
    'one minus the cosine of the angle between two sparsevec values; also the operator <=>';
COMMENT ON FUNCTION cosine_distance(vector, vector) IS
    'one minus the cosine of the angle between two vector values; also the operator <=>';
COMMENT ON FUNCTION halfvec(halfvec, integer, boolean) IS
    'applies a halfvec(n) type modifier: the value must have n dimensions';
COMMENT ON FUNCTION halfvec_accum(double precision[], halfvec) IS
    'avg(halfvec) and sum(halfvec) transition: adds one value to the state (count, then element sums)';
COMMENT ON FUNCTION halfvec_add(halfvec, halfvec) IS
    'function of the operator +: element-wise sum of two halfvec values';
COMMENT ON FUNCTION halfvec_avg(double precision[]) IS
    'avg(halfvec) final step: the element sums of the state divided by its count';
COMMENT ON FUNCTION halfvec_cmp(halfvec, halfvec) IS
    'btree support: -1, 0 or 1 as the first halfvec sorts before, equal to or after the second';
COMMENT ON FUNCTION halfvec_combine(double precision[], double precision[]) IS
    'avg(halfvec) and sum(halfvec): merges two partial states (parallel aggregation)';
COMMENT ON FUNCTION halfvec_concat(halfvec, halfvec) IS
    'function of the operator ||: the elements of the first halfvec followed by those of the second';
COMMENT ON FUNCTION halfvec_eq(halfvec, halfvec) IS
    'function of the operator =: true if the first halfvec equals the second in btree order';
COMMENT ON FUNCTION halfvec_ge(halfvec, halfvec) IS
    'function of the operator >=: true if the first halfvec sorts after or equals the second in btree order';
COMMENT ON FUNCTION halfvec_gt(halfvec, halfvec) IS
    'function of the operator >: true if the first halfvec sorts after the second in btree order';
COMMENT ON FUNCTION halfvec_in(cstring, oid, integer) IS
    'text input of halfvec (the form [1,2,3]), checked against the type modifier';
COMMENT ON FUNCTION halfvec_l2_squared_distance(halfvec, halfvec) IS
    'squared Euclidean distance between two halfvec values: ranks as l2_distance does, without the square root (index support)';
COMMENT ON FUNCTION halfvec_le(halfvec, halfvec) IS
    'function of the operator <=: true if the first halfvec sorts before or equals the second in btree order';
COMMENT ON FUNCTION halfvec_lt(halfvec, halfvec) IS
    'function of the operator <: true if the first halfvec sorts before the second in btree order';
COMMENT ON FUNCTION halfvec_mul(halfvec, halfvec) IS
    'function of the operator *: element-wise product of two halfvec values';
COMMENT ON FUNCTION halfvec_ne(halfvec, halfvec) IS
    'function of the operator <>: true if the first halfvec differs from the second in btree order';
COMMENT ON FUNCTION halfvec_negative_inner_product(halfvec, halfvec) IS
    'the dot product of two halfvec values, negated so that smaller means closer; also the operator <#>';
COMMENT ON FUNCTION halfvec_out(halfvec) IS 'text output of halfvec';
COMMENT ON FUNCTION halfvec_recv(internal, oid, integer) IS
    'binary input of halfvec (COPY BINARY, binary bind parameters), checked like text input';
COMMENT ON FUNCTION halfvec_send(halfvec) IS 'binary output of halfvec';
COMMENT ON FUNCTION halfvec_spherical_distance(halfvec, halfvec) IS
    'angle between two unit-length halfvec values, divided by pi (ivfflat support for cosine k-means)';
COMMENT ON FUNCTION halfvec_sub(halfvec, halfvec) IS
    'function of the operator -: element-wise difference of two halfvec values';
COMMENT ON FUNCTION halfvec_to_float4(halfvec, integer, boolean) IS 'cast from halfvec to real[]';
COMMENT ON FUNCTION halfvec_to_sparsevec(halfvec, integer, boolean) IS
    'cast from halfvec to sparsevec, keeping only the non-zero elements';
COMMENT ON FUNCTION halfvec_to_vector(halfvec, integer, boolean) IS 'cast from halfvec to vector, exact';
COMMENT ON FUNCTION halfvec_typmod_in(cstring[]) IS 'reads the dimensions written in halfvec(n) and checks them';
COMMENT ON FUNCTION hamming_distance(bit, bit) IS
    'number of positions at which two bit strings of the same length differ; also the operator <~>';
COMMENT ON FUNCTION hnsw_bit_support(internal) IS
    'hnsw support function 3: tells the index that its elements are bit values';
COMMENT ON FUNCTION hnsw_halfvec_support(internal) IS
    'hnsw support function 3: tells the index that its elements are halfvec values';
COMMENT ON FUNCTION hnsw_sparsevec_support(internal) IS
    'hnsw support function 3: tells the index that its elements are sparsevec values';
COMMENT ON FUNCTION hnswhandler(internal) IS 'returns the callbacks of the hnsw index access method';
COMMENT ON FUNCTION inner_product(halfvec, halfvec) IS
    'dot product of two halfvec values of the same dimensions (the operator <#> returns its negation)';
COMMENT ON FUNCTION inner_product(sparsevec, sparsevec) IS
    'dot product of two sparsevec values of the same dimensions (the operator <#> returns its negation)';
COMMENT ON FUNCTION inner_product(vector, vector) IS
    'dot product of two vector values of the same dimensions (the operator <#> returns its negation)';
COMMENT ON FUNCTION ivfflathandler(internal) IS 'returns the callbacks of the ivfflat index access method';
COMMENT ON FUNCTION jaccard_distance(bit, bit) IS
    'one minus (bits set in both) / (bits set in either) of two bit strings of the same length; also the operator <%>';
COMMENT ON FUNCTION l1_distance(halfvec, halfvec) IS
    'Manhattan (L1) distance, the sum of the absolute element differences, between two halfvec values; also the operator <+>';
COMMENT ON FUNCTION l1_distance(sparsevec, sparsevec) IS
    'Manhattan (L1) distance, the sum of the absolute element differences, between two sparsevec values; also the operator <+>';
COMMENT ON FUNCTION l1_distance(vector, vector) IS
    'Manhattan (L1) distance, the sum of the absolute element differences, between two vector values; also the operator <+>';
COMMENT ON FUNCTION l2_distance(halfvec, halfvec) IS
    'Euclidean (L2) distance between two halfvec values of the same dimensions; also the operator <->';
COMMENT ON FUNCTION l2_distance(sparsevec, sparsevec) IS
    'Euclidean (L2) distance between two sparsevec values of the same dimensions; also the operator <->';
COMMENT ON FUNCTION l2_distance(vector, vector) IS
    'Euclidean (L2) distance between two vector values of the same dimensions; also the operator <->';
COMMENT ON FUNCTION l2_norm(halfvec) IS 'length of a halfvec value: the square root of the sum of its squared elements';
COMMENT ON FUNCTION l2_norm(sparsevec) IS
    'length of a sparsevec value: the square root of the sum of its squared elements';
COMMENT ON FUNCTION l2_normalize(halfvec) IS 'the halfvec value divided by its length, so that its Euclidean norm is 1';
COMMENT ON FUNCTION l2_normalize(sparsevec) IS
    'the sparsevec value divided by its length, so that its Euclidean norm is 1';
COMMENT ON FUNCTION l2_normalize(vector) IS 'the vector value divided by its length, so that its Euclidean norm is 1';
COMMENT ON FUNCTION sparsevec(sparsevec, integer, boolean) IS
    'applies a sparsevec(n) type modifier: the value must have n dimensions';
COMMENT ON FUNCTION sparsevec_cmp(sparsevec, sparsevec) IS
    'btree support: -1, 0 or 1 as the first sparsevec sorts before, equal to or after the second';
COMMENT ON FUNCTION sparsevec_eq(sparsevec, sparsevec) IS
    'function of the operator =: true if the first sparsevec equals the second in btree order';
COMMENT ON FUNCTION sparsevec_ge(sparsevec, sparsevec) IS
    'function of the operator >=: true if the first sparsevec sorts after or equals the second in btree order';
COMMENT ON FUNCTION sparsevec_gt(sparsevec, sparsevec) IS
    'function of the operator >: true if the first sparsevec sorts after the second in btree order';
COMMENT ON FUNCTION sparsevec_in(cstring, oid, integer) IS
    'text input of sparsevec (the form {index:value,...}/dimensions), checked against the type modifier';
COMMENT ON FUNCTION sparsevec_l2_squared_distance(sparsevec, sparsevec) IS
    'squared Euclidean distance between two sparsevec values: ranks as l2_distance does, without the square root (index support)';
COMMENT ON FUNCTION sparsevec_le(sparsevec, sparsevec) IS
    'function of the operator <=: true if the first sparsevec sorts before or equals the second in btree order';
COMMENT ON FUNCTION sparsevec_lt(sparsevec, sparsevec) IS
    'function of the operator <: true if the first sparsevec sorts before the second in btree order';
COMMENT ON FUNCTION sparsevec_ne(sparsevec, sparsevec) IS
    'function of the operator <>: true if the first sparsevec differs from the second in btree order';
COMMENT ON FUNCTION sparsevec_negative_inner_product(sparsevec, sparsevec) IS
    'the dot product of two sparsevec values, negated so that smaller means closer; also the operator <#>';
COMMENT ON FUNCTION sparsevec_out(sparsevec) IS 'text output of sparsevec';
COMMENT ON FUNCTION sparsevec_recv(internal, oid, integer) IS
    'binary input of sparsevec (COPY BINARY, binary bind parameters), checked like text input';
COMMENT ON FUNCTION sparsevec_send(sparsevec) IS 'binary output of sparsevec';
COMMENT ON FUNCTION sparsevec_to_halfvec(sparsevec, integer, boolean) IS
    'cast from sparsevec to halfvec; an element beyond half precision''s range is an error';
COMMENT ON FUNCTION sparsevec_to_vector(sparsevec, integer, boolean) IS
    'cast from sparsevec to vector, zeros where no element is stored';
COMMENT ON FUNCTION sparsevec_typmod_in(cstring[]) IS 'reads the dimensions written in sparsevec(n) and checks them';
COMMENT ON FUNCTION subvector(halfvec, integer, integer) IS
    'part of a halfvec value: count elements starting at a 1-based position';
COMMENT ON FUNCTION subvector(vector, integer, integer) IS
    'part of a vector value: count elements starting at a 1-based position';
COMMENT ON FUNCTION vector(vector, integer, boolean) IS
    'applies a vector(n) type modifier: the value must have n dimensions';
COMMENT ON FUNCTION vector_accum(double precision[], vector) IS
    'avg(vector) and sum(vector) transition: adds one value to the state (count, then element sums)';
COMMENT ON FUNCTION vector_add(vector, vector) IS 'function of the operator +: element-wise sum of two vector values';
COMMENT ON FUNCTION vector_avg(double precision[]) IS
    'avg(vector) final step: the element sums of the state divided by its count';
COMMENT ON FUNCTION vector_cmp(vector, vector) IS
    'btree support: -1, 0 or 1 as the first vector sorts before, equal to or after the second';
COMMENT ON FUNCTION vector_combine(double precision[], double precision[]) IS
    'avg(vector) and sum(vector): merges two partial states (parallel aggregation)';
COMMENT ON FUNCTION vector_concat(vector, vector) IS
    'function of the operator ||: the elements of the first vector followed by those of the second';
COMMENT ON FUNCTION vector_dims(halfvec) IS 'how many dimensions a halfvec value has';
COMMENT ON FUNCTION vector_dims(vector) IS 'how many dimensions a vector value has';
COMMENT ON FUNCTION vector_eq(vector, vector) IS
    'function of the operator =: true if the first vector equals the second in btree order';
COMMENT ON FUNCTION vector_ge(vector, vector) IS
    'function of the operator >=: true if the first vector sorts after or equals the second in btree order';
COMMENT ON FUNCTION vector_gt(vector, vector) IS
    'function of the operator >: true if the first vector sorts after the second in btree order';
COMMENT ON FUNCTION vector_in(cstring, oid, integer) IS
    'text input of vector (the form [1,2,3]), checked against the type modifier';
COMMENT ON FUNCTION vector_l2_squared_distance(vector, vector) IS
    'squared Euclidean distance between two vector values: ranks as l2_distance does, without the square root (index support)';
COMMENT ON FUNCTION vector_le(vector, vector) IS
    'function of the operator <=: true if the first vector sorts before or equals the second in btree order';
COMMENT ON FUNCTION vector_lt(vector, vector) IS
    'function of the operator <: true if the first vector sorts before the second in btree order';
COMMENT ON FUNCTION vector_mul(vector, vector) IS
    'function of the operator *: element-wise product of two vector values';
COMMENT ON FUNCTION vector_ne(vector, vector) IS
    'function of the operator <>: true if the first vector differs from the second in btree order';
COMMENT ON FUNCTION vector_negative_inner_product(vector, vector) IS
    'the dot product of two vector values, negated so that smaller means closer; also the operator <#>';
COMMENT ON FUNCTION vector_norm(vector) IS 'length of a vector: the square root of the sum of its squared elements';
COMMENT ON FUNCTION vector_out(vector) IS 'text output of vector';
COMMENT ON FUNCTION vector_recv(internal, oid, integer) IS
    'binary input of vector (COPY BINARY, binary bind parameters), checked like text input';
COMMENT ON FUNCTION vector_send(vector) IS 'binary output of vector';
COMMENT ON FUNCTION vector_spherical_distance(vector, vector) IS
    'angle between two unit-length vector values, divided by pi (ivfflat support for cosine k-means)';
COMMENT ON FUNCTION vector_sub(vector, vector) IS
    'function of the operator -: element-wise difference of two vector values';
COMMENT ON FUNCTION vector_to_float4(vector, integer, boolean) IS 'cast from vector to real[]';
COMMENT ON FUNCTION vector_to_halfvec(vector, integer, boolean) IS
    'cast from vector to halfvec; an element beyond half precision''s range is an error';
COMMENT ON FUNCTION vector_to_sparsevec(vector, integer, boolean) IS
    'cast from vector to sparsevec, keeping only the non-zero elements';
COMMENT ON FUNCTION vector_typmod_in(cstring[]) IS 'reads the dimensions written in vector(n) and checks them';
COMMENT ON FUNCTION vecrbac._boundary_selftest(text) IS
    'test only (test/sql/boundary.sql): raises a C++ failure of the given kind to show that it becomes a clean SQL error';
COMMENT ON FUNCTION vecrbac._forget_stale() IS
    'internal: removes registry rows whose table no longer carries its collection''s vecrbac_truncate trigger';
COMMENT ON FUNCTION vecrbac._load() IS
    'internal: loads the library when a protected table''s policy is planned; the planner folds the call to true';
COMMENT ON FUNCTION vecrbac._on_ddl_end() IS
    'internal, event trigger vecrbac_ddl_end: registers the collection named by a vecrbac_truncate trigger that was created or altered';
COMMENT ON FUNCTION vecrbac._on_sql_drop() IS
    'internal, event trigger vecrbac_sql_drop: forgets the collections of dropped tables and triggers';
COMMENT ON FUNCTION vecrbac._trigger_args(oid) IS
    'internal: the arguments of a trigger (pg_trigger.tgargs) as a text array';
COMMENT ON FUNCTION vecrbac._truncate_guard() IS
    'trigger function of protected tables: TRUNCATE is allowed only to a token that may delete every row of the collection';
COMMENT ON FUNCTION vecrbac.hnsw_check(regclass) IS
    'checks the pages and graph of an hnsw index: one row per problem (error, warning) and info rows with a summary; superuser only unless granted';
COMMENT ON FUNCTION vecrbac.jwt_sign(jsonb, bytea, text) IS
    'signs the claims as a compact JWT with the given algorithm; key is the HMAC secret as bytes, or a private key (PEM or JWK)';
COMMENT ON FUNCTION vecrbac.jwt_sign(jsonb, text, text) IS
    'signs the claims as a compact JWT with the given algorithm; key as text: an HMAC secret as its UTF-8 bytes, or a private key (PEM or JWK)';
COMMENT ON FUNCTION vecrbac.jwt_verify(text, bytea, text[], integer, boolean) IS
    'verifies a compact JWT (signature, algorithm among those allowed, exp and nbf with leeway seconds) and returns its claims; key is the HMAC secret as bytes, or a public key (PEM or JWK); a refused token raises 28000';
COMMENT ON FUNCTION vecrbac.jwt_verify(text, text, text[], integer, boolean) IS
    'verifies a compact JWT (signature, algorithm among those allowed, exp and nbf with leeway seconds) and returns its claims; key as text: an HMAC secret as its UTF-8 bytes, or a public key (PEM or JWK); a refused token raises 28000';
COMMENT ON FUNCTION vecrbac.key_scope(text, text) IS
    'policy accessor: the values of one key column that the session token may see or write in a collection';
COMMENT ON FUNCTION vecrbac.logout() IS 'forgets the session token, as RESET vecrbac.token does';
COMMENT ON FUNCTION vecrbac.payload_scope(text, text[]) IS
    'policy accessor: the payload conditions of the session token''s grants on a collection (key columns excluded)';
COMMENT ON FUNCTION vecrbac.policy_condition(text, text, name, jsonb) IS
    'the SQL condition that protect() writes into the policies of one operation (read or write) of a collection';
COMMENT ON FUNCTION vecrbac.row_scope(text, text[]) IS
    'policy accessor: key columns and payload tested together, for tokens whose grants combine them';
COMMENT ON FUNCTION vecrbac.scope(jsonb) IS 'cast from jsonb to vecrbac.scope; the document''s shape is checked';
COMMENT ON FUNCTION vecrbac.scope_contains(bigint, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for bigint: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(boolean, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for boolean: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(integer, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for integer: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(jsonb, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for jsonb: true when the value lies within the scope (an array in the payload matches if one element does)';
COMMENT ON FUNCTION vecrbac.scope_contains(smallint, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for smallint: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(text, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for text: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(uuid, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for uuid: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_holds(jsonb, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<<@): true when the payload lies wholly within the scope (every element of an array at a scoped path)';
COMMENT ON FUNCTION vecrbac.scope_in(cstring) IS 'text input of vecrbac.scope (a JSON document)';
COMMENT ON FUNCTION vecrbac.scope_is_exact(text, text[]) IS
    'policy accessor: true when key_scope and payload_scope alone describe exactly the rows the session token may use';
COMMENT ON FUNCTION vecrbac.scope_out(vecrbac.scope) IS 'text output of vecrbac.scope (a JSON document)';
COMMENT ON FUNCTION vecrbac.scope_recv(internal) IS 'binary input of vecrbac.scope';
COMMENT ON FUNCTION vecrbac.scope_restrict_sel(internal, oid, internal, integer) IS
    'planner estimate of the fraction of rows that pass OPERATOR(vecrbac.<@)';
COMMENT ON FUNCTION vecrbac.scope_send(vecrbac.scope) IS 'binary output of vecrbac.scope';
COMMENT ON FUNCTION vecrbac.unprotect(regclass) IS
    'undoes protect(): drops the table''s token policies and truncate guard, and disables row-level security when no other policy is left';

-- ---- aggregates -------------------------------------------------------------
COMMENT ON AGGREGATE avg(halfvec) IS 'aggregate: element-wise arithmetic mean of the non-null halfvec values';
COMMENT ON AGGREGATE avg(vector) IS 'aggregate: element-wise arithmetic mean of the non-null vector values';
COMMENT ON AGGREGATE sum(halfvec) IS 'aggregate: element-wise sum of the non-null halfvec values';
COMMENT ON AGGREGATE sum(vector) IS 'aggregate: element-wise sum of the non-null vector values';

-- ---- operators --------------------------------------------------------------
COMMENT ON OPERATOR * (halfvec, halfvec) IS 'element-wise product of two halfvec values of the same dimensions';
COMMENT ON OPERATOR * (vector, vector) IS 'element-wise product of two vector values of the same dimensions';
COMMENT ON OPERATOR + (halfvec, halfvec) IS 'element-wise sum of two halfvec values of the same dimensions';
COMMENT ON OPERATOR + (vector, vector) IS 'element-wise sum of two vector values of the same dimensions';
COMMENT ON OPERATOR - (halfvec, halfvec) IS 'element-wise difference of two halfvec values of the same dimensions';
COMMENT ON OPERATOR - (vector, vector) IS 'element-wise difference of two vector values of the same dimensions';
COMMENT ON OPERATOR < (halfvec, halfvec) IS 'true if the first halfvec sorts before the second (btree order)';
COMMENT ON OPERATOR < (sparsevec, sparsevec) IS 'true if the first sparsevec sorts before the second (btree order)';
COMMENT ON OPERATOR < (vector, vector) IS 'true if the first vector sorts before the second (btree order)';
COMMENT ON OPERATOR <#> (halfvec, halfvec) IS
    'negated dot product (smaller is closer) between two halfvec values; ORDER BY it with LIMIT can use an index with the opclass halfvec_ip_ops';
COMMENT ON OPERATOR <#> (sparsevec, sparsevec) IS
    'negated dot product (smaller is closer) between two sparsevec values; ORDER BY it with LIMIT can use an index with the opclass sparsevec_ip_ops';
COMMENT ON OPERATOR <#> (vector, vector) IS
    'negated dot product (smaller is closer) between two vector values; ORDER BY it with LIMIT can use an index with the opclass vector_ip_ops';
COMMENT ON OPERATOR <%> (bit, bit) IS
    'Jaccard distance between bit strings of the same length; ORDER BY it with LIMIT can use an hnsw index with the opclass bit_jaccard_ops';
COMMENT ON OPERATOR <+> (halfvec, halfvec) IS
    'Manhattan (L1) distance between two halfvec values; ORDER BY it with LIMIT can use an index with the opclass halfvec_l1_ops';
COMMENT ON OPERATOR <+> (sparsevec, sparsevec) IS
    'Manhattan (L1) distance between two sparsevec values; ORDER BY it with LIMIT can use an index with the opclass sparsevec_l1_ops';
COMMENT ON OPERATOR <+> (vector, vector) IS
    'Manhattan (L1) distance between two vector values; ORDER BY it with LIMIT can use an index with the opclass vector_l1_ops';
COMMENT ON OPERATOR <-> (halfvec, halfvec) IS
    'Euclidean (L2) distance between two halfvec values; ORDER BY it with LIMIT can use an index with the opclass halfvec_l2_ops';
COMMENT ON OPERATOR <-> (sparsevec, sparsevec) IS
    'Euclidean (L2) distance between two sparsevec values; ORDER BY it with LIMIT can use an index with the opclass sparsevec_l2_ops';
COMMENT ON OPERATOR <-> (vector, vector) IS
    'Euclidean (L2) distance between two vector values; ORDER BY it with LIMIT can use an index with the opclass vector_l2_ops';
COMMENT ON OPERATOR <= (halfvec, halfvec) IS
    'true if the first halfvec sorts before or equals the second (btree order)';
COMMENT ON OPERATOR <= (sparsevec, sparsevec) IS
    'true if the first sparsevec sorts before or equals the second (btree order)';
COMMENT ON OPERATOR <= (vector, vector) IS 'true if the first vector sorts before or equals the second (btree order)';
COMMENT ON OPERATOR <=> (halfvec, halfvec) IS
    'cosine distance (one minus cosine similarity) between two halfvec values; ORDER BY it with LIMIT can use an index with the opclass halfvec_cosine_ops';
COMMENT ON OPERATOR <=> (sparsevec, sparsevec) IS
    'cosine distance (one minus cosine similarity) between two sparsevec values; ORDER BY it with LIMIT can use an index with the opclass sparsevec_cosine_ops';
COMMENT ON OPERATOR <=> (vector, vector) IS
    'cosine distance (one minus cosine similarity) between two vector values; ORDER BY it with LIMIT can use an index with the opclass vector_cosine_ops';
COMMENT ON OPERATOR <> (halfvec, halfvec) IS 'true if the first halfvec differs from the second (btree order)';
COMMENT ON OPERATOR <> (sparsevec, sparsevec) IS 'true if the first sparsevec differs from the second (btree order)';
COMMENT ON OPERATOR <> (vector, vector) IS 'true if the first vector differs from the second (btree order)';
COMMENT ON OPERATOR <~> (bit, bit) IS
    'Hamming distance between bit strings of the same length; ORDER BY it with LIMIT can use an hnsw index with the opclass bit_hamming_ops';
COMMENT ON OPERATOR = (halfvec, halfvec) IS 'true if the first halfvec equals the second (btree order)';
COMMENT ON OPERATOR = (sparsevec, sparsevec) IS 'true if the first sparsevec equals the second (btree order)';
COMMENT ON OPERATOR = (vector, vector) IS 'true if the first vector equals the second (btree order)';
COMMENT ON OPERATOR > (halfvec, halfvec) IS 'true if the first halfvec sorts after the second (btree order)';
COMMENT ON OPERATOR > (sparsevec, sparsevec) IS 'true if the first sparsevec sorts after the second (btree order)';
COMMENT ON OPERATOR > (vector, vector) IS 'true if the first vector sorts after the second (btree order)';
COMMENT ON OPERATOR >= (halfvec, halfvec) IS 'true if the first halfvec sorts after or equals the second (btree order)';
COMMENT ON OPERATOR >= (sparsevec, sparsevec) IS
    'true if the first sparsevec sorts after or equals the second (btree order)';
COMMENT ON OPERATOR >= (vector, vector) IS 'true if the first vector sorts after or equals the second (btree order)';
COMMENT ON OPERATOR || (halfvec, halfvec) IS 'concatenation of two halfvec values';
COMMENT ON OPERATOR || (vector, vector) IS 'concatenation of two vector values';
COMMENT ON OPERATOR vecrbac.<<@ (jsonb, vecrbac.scope) IS
    'is wholly within, for writes: the payload matches the scope and no array at a scoped path holds a value outside it';
COMMENT ON OPERATOR vecrbac.<@ (bigint, vecrbac.scope) IS
    'is within: true when the bigint value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (boolean, vecrbac.scope) IS
    'is within: true when the boolean value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (integer, vecrbac.scope) IS
    'is within: true when the integer value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (jsonb, vecrbac.scope) IS
    'is within: true when the jsonb value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (smallint, vecrbac.scope) IS
    'is within: true when the smallint value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (text, vecrbac.scope) IS
    'is within: true when the text value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (uuid, vecrbac.scope) IS
    'is within: true when the uuid value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';

-- ---- index access methods ---------------------------------------------------
COMMENT ON ACCESS METHOD hnsw IS
    'graph index (hierarchical navigable small world) for approximate nearest-neighbour search, with filter columns and token scopes';
COMMENT ON ACCESS METHOD ivfflat IS
    'inverted-list index (k-means clusters, probed at search time) for approximate nearest-neighbour search, with filter columns and token scopes';

-- ---- operator classes -------------------------------------------------------
COMMENT ON OPERATOR CLASS bit_hamming_ops USING hnsw IS 'hnsw index of bit strings ordered by <~> (Hamming distance)';
COMMENT ON OPERATOR CLASS bit_jaccard_ops USING hnsw IS 'hnsw index of bit strings ordered by <%> (Jaccard distance)';
COMMENT ON OPERATOR CLASS bool_ops USING hnsw IS
    'hnsw filter column of type boolean: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS bool_ops USING ivfflat IS
    'ivfflat filter column of type boolean: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS halfvec_cosine_ops USING hnsw IS
    'hnsw index of halfvec values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS halfvec_ip_ops USING hnsw IS
    'hnsw index of halfvec values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS halfvec_l1_ops USING hnsw IS
    'hnsw index of halfvec values ordered by <+> (Manhattan distance)';
COMMENT ON OPERATOR CLASS halfvec_l2_ops USING hnsw IS
    'hnsw index of halfvec values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS halfvec_ops USING btree IS
    'btree ordering of halfvec values (comparison operators, ORDER BY, unique indexes)';
COMMENT ON OPERATOR CLASS int2_ops USING hnsw IS
    'hnsw filter column of type smallint: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int2_ops USING ivfflat IS
    'ivfflat filter column of type smallint: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int4_ops USING hnsw IS
    'hnsw filter column of type integer: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int4_ops USING ivfflat IS
    'ivfflat filter column of type integer: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int8_ops USING hnsw IS
    'hnsw filter column of type bigint: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int8_ops USING ivfflat IS
    'ivfflat filter column of type bigint: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS jsonb_ops USING hnsw IS
    'hnsw filter column of type jsonb: conditions with @> (containment) and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS jsonb_ops USING ivfflat IS
    'ivfflat filter column of type jsonb: conditions with @> (containment) and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS sparsevec_cosine_ops USING hnsw IS
    'hnsw index of sparsevec values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS sparsevec_ip_ops USING hnsw IS
    'hnsw index of sparsevec values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS sparsevec_l1_ops USING hnsw IS
    'hnsw index of sparsevec values ordered by <+> (Manhattan distance)';
COMMENT ON OPERATOR CLASS sparsevec_l2_ops USING hnsw IS
    'hnsw index of sparsevec values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS sparsevec_ops USING btree IS
    'btree ordering of sparsevec values (comparison operators, ORDER BY, unique indexes)';
COMMENT ON OPERATOR CLASS text_ops USING hnsw IS
    'hnsw filter column of type text: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS text_ops USING ivfflat IS
    'ivfflat filter column of type text: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS uuid_ops USING hnsw IS
    'hnsw filter column of type uuid: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS uuid_ops USING ivfflat IS
    'ivfflat filter column of type uuid: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS vector_cosine_ops USING hnsw IS
    'hnsw index of vector values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS vector_cosine_ops USING ivfflat IS
    'ivfflat index of vector values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS vector_ip_ops USING hnsw IS
    'hnsw index of vector values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS vector_ip_ops USING ivfflat IS
    'ivfflat index of vector values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS vector_l1_ops USING hnsw IS 'hnsw index of vector values ordered by <+> (Manhattan distance)';
COMMENT ON OPERATOR CLASS vector_l2_ops USING hnsw IS 'hnsw index of vector values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS vector_l2_ops USING ivfflat IS
    'ivfflat index of vector values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS vector_ops USING btree IS
    'btree ordering of vector values (comparison operators, ORDER BY, unique indexes)';

-- ---- operator families ------------------------------------------------------
COMMENT ON OPERATOR FAMILY bit_hamming_ops USING hnsw IS 'family of the hnsw operator class bit_hamming_ops';
COMMENT ON OPERATOR FAMILY bit_jaccard_ops USING hnsw IS 'family of the hnsw operator class bit_jaccard_ops';
COMMENT ON OPERATOR FAMILY bool_ops USING hnsw IS 'family of the hnsw operator class bool_ops';
COMMENT ON OPERATOR FAMILY bool_ops USING ivfflat IS 'family of the ivfflat operator class bool_ops';
COMMENT ON OPERATOR FAMILY halfvec_cosine_ops USING hnsw IS 'family of the hnsw operator class halfvec_cosine_ops';
COMMENT ON OPERATOR FAMILY halfvec_ip_ops USING hnsw IS 'family of the hnsw operator class halfvec_ip_ops';
COMMENT ON OPERATOR FAMILY halfvec_l1_ops USING hnsw IS 'family of the hnsw operator class halfvec_l1_ops';
COMMENT ON OPERATOR FAMILY halfvec_l2_ops USING hnsw IS 'family of the hnsw operator class halfvec_l2_ops';
COMMENT ON OPERATOR FAMILY halfvec_ops USING btree IS 'family of the btree operator class halfvec_ops';
COMMENT ON OPERATOR FAMILY integer_ops USING hnsw IS
    'family of the hnsw operator classes int2_ops, int4_ops and int8_ops, with = across the three types (a bigint column takes an integer constant)';
COMMENT ON OPERATOR FAMILY integer_ops USING ivfflat IS
    'family of the ivfflat operator classes int2_ops, int4_ops and int8_ops, with = across the three types (a bigint column takes an integer constant)';
COMMENT ON OPERATOR FAMILY jsonb_ops USING hnsw IS 'family of the hnsw operator class jsonb_ops';
COMMENT ON OPERATOR FAMILY jsonb_ops USING ivfflat IS 'family of the ivfflat operator class jsonb_ops';
COMMENT ON OPERATOR FAMILY sparsevec_cosine_ops USING hnsw IS 'family of the hnsw operator class sparsevec_cosine_ops';
COMMENT ON OPERATOR FAMILY sparsevec_ip_ops USING hnsw IS 'family of the hnsw operator class sparsevec_ip_ops';
COMMENT ON OPERATOR FAMILY sparsevec_l1_ops USING hnsw IS 'family of the hnsw operator class sparsevec_l1_ops';
COMMENT ON OPERATOR FAMILY sparsevec_l2_ops USING hnsw IS 'family of the hnsw operator class sparsevec_l2_ops';
COMMENT ON OPERATOR FAMILY sparsevec_ops USING btree IS 'family of the btree operator class sparsevec_ops';
COMMENT ON OPERATOR FAMILY text_ops USING hnsw IS 'family of the hnsw operator class text_ops';
COMMENT ON OPERATOR FAMILY text_ops USING ivfflat IS 'family of the ivfflat operator class text_ops';
COMMENT ON OPERATOR FAMILY uuid_ops USING hnsw IS 'family of the hnsw operator class uuid_ops';
COMMENT ON OPERATOR FAMILY uuid_ops USING ivfflat IS 'family of the ivfflat operator class uuid_ops';
COMMENT ON OPERATOR FAMILY vector_cosine_ops USING hnsw IS 'family of the hnsw operator class vector_cosine_ops';
COMMENT ON OPERATOR FAMILY vector_cosine_ops USING ivfflat IS 'family of the ivfflat operator class vector_cosine_ops';
COMMENT ON OPERATOR FAMILY vector_ip_ops USING hnsw IS 'family of the hnsw operator class vector_ip_ops';
COMMENT ON OPERATOR FAMILY vector_ip_ops USING ivfflat IS 'family of the ivfflat operator class vector_ip_ops';
COMMENT ON OPERATOR FAMILY vector_l1_ops USING hnsw IS 'family of the hnsw operator class vector_l1_ops';
COMMENT ON OPERATOR FAMILY vector_l2_ops USING hnsw IS 'family of the hnsw operator class vector_l2_ops';
COMMENT ON OPERATOR FAMILY vector_l2_ops USING ivfflat IS 'family of the ivfflat operator class vector_l2_ops';
COMMENT ON OPERATOR FAMILY vector_ops USING btree IS 'family of the btree operator class vector_ops';

-- ---- schema vecrbac, its registry and event triggers ------------------------
COMMENT ON SCHEMA vecrbac IS
    'vecrbac''s own objects: JWT verification and signing, session tokens, collections and their row-level security';
COMMENT ON TABLE vecrbac.collections IS
    'registry of collections (protected tables), written only by vecrbac''s event triggers; readable by everyone';
COMMENT ON EVENT TRIGGER vecrbac_ddl_end IS
    'registers a collection when protect() puts a vecrbac_truncate trigger on its table';
COMMENT ON EVENT TRIGGER vecrbac_sql_drop IS
    'removes collections from the registry when their table or trigger is dropped';
