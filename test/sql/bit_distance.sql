-- Bit distances: hamming_distance, jaccard_distance and the operators <~> and <%>,
-- as pgvector 0.8 (float8 results, errors on different bit lengths).
CREATE EXTENSION vecrbac;

-- Hamming: the number of differing bits.
SELECT hamming_distance('111', '111') AS same,
       hamming_distance('111', '110') AS one,
       hamming_distance('111', '100') AS two,
       hamming_distance('111', '000') AS three;
SELECT hamming_distance('10101010101010101010', '01010101010101010101');
SELECT '1011'::bit(4) <~> '0110'::bit(4) AS operator;
SELECT hamming_distance('', '') AS empty;
-- bit and varbit mix; only the lengths must agree.
SELECT hamming_distance('111', '0000'::varbit(4)::bit(3));
SELECT hamming_distance(B'1010', B'1010'::varbit);

-- Lengths around the kernels' 8- and 32-byte blocks (every tail) up to 64,000 bits,
-- the largest bit strings hnsw indexes; set bits at both ends and everywhere.
SELECT n, hamming_distance(repeat('10', n / 2)::varbit, repeat('01', n / 2)::varbit) AS all_differ
FROM (VALUES (8), (256), (64000)) v(n);
SELECT n,
       hamming_distance(lpad('1', n, '0')::varbit, rpad('1', n, '0')::varbit) AS ends,
       hamming_distance(repeat('1', n)::varbit, repeat('0', n)::varbit) AS ones
FROM (VALUES (1), (7), (9), (255), (257), (511), (64000)) v(n);

-- Jaccard: 1 - |a & b| / |a | b|; 1 when no bit is shared (also for all zeros).
SELECT jaccard_distance('1111', '1111') AS same,
       jaccard_distance('1111', '1110') AS quarter,
       jaccard_distance('1111', '1100') AS half,
       jaccard_distance('1111', '1000') AS three_quarters,
       jaccard_distance('1111', '0000') AS disjoint,
       jaccard_distance('1100', '1000') AS half_again;
SELECT jaccard_distance('10101010101010101010', '01010101010101010101') AS disjoint;
SELECT jaccard_distance('', '') AS empty, jaccard_distance('000', '000') AS zeros;
SELECT '1100'::bit(4) <%> '0110'::bit(4) AS operator;
SELECT n, jaccard_distance(repeat('1', n)::varbit, rpad('1', n, '0')::varbit) AS one_shared
FROM (VALUES (4), (300), (64000)) v(n);

-- Commutators, and the operators on a table ordered by distance.
SELECT oprname, oprcom::regoper AS commutator, oprresult::regtype
FROM pg_operator WHERE oprname IN ('<~>', '<%>') ORDER BY oprname;
CREATE TABLE bits (id int, b bit(8));
INSERT INTO bits VALUES (1, '00000000'), (2, '11111111'), (3, '11110000'), (4, '10000000');
SELECT id, b <~> '11000000' AS hamming, b <%> '11000000' AS jaccard
FROM bits ORDER BY b <~> '11000000', id;

-- binary_quantize(vector) feeds them: re-ranking by Hamming distance.
SELECT binary_quantize('[1,-2,3,0]'::vector) <~> binary_quantize('[1,2,-3,0]'::vector) AS hamming,
       binary_quantize('[1,-2,3,0]'::vector) <%> binary_quantize('[1,2,-3,0]'::vector) AS jaccard;

-- Different lengths are refused (SQLSTATE 22000), whatever the varbit limit.
SELECT hamming_distance('111', '00');
\echo :LAST_ERROR_SQLSTATE
SELECT hamming_distance('111', '0000'::varbit(4));
\echo :LAST_ERROR_SQLSTATE
SELECT jaccard_distance('1111', '000');
\echo :LAST_ERROR_SQLSTATE
SELECT jaccard_distance('1111', '00000'::varbit(5));
\echo :LAST_ERROR_SQLSTATE
SELECT B'1' <%> B'11';
\echo :LAST_ERROR_SQLSTATE

-- NULLs: the functions are strict.
SELECT hamming_distance(NULL, '1') IS NULL AS strict_hamming,
       jaccard_distance('1', NULL) IS NULL AS strict_jaccard;

DROP TABLE bits;
DROP EXTENSION vecrbac;
