-- The examples of docs/bit.md, statement for statement, so the documentation cannot
-- drift from what the functions do.
CREATE EXTENSION vecrbac;

SELECT '1011'::bit(4) <~> '0110' AS hamming, '1100'::bit(4) <%> '0110' AS jaccard;

-- Binary quantization with re-ranking.
CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3));
INSERT INTO items (embedding) VALUES ('[1,-2,3]'), ('[-1,2,-3]'), ('[1,2,3]'), ('[0.5,-1,2]');
SELECT id, embedding FROM (
    SELECT * FROM items ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,-2,3]'::vector) LIMIT 3
) shortlist ORDER BY embedding <=> '[1,-2,3]' LIMIT 2;

SELECT hamming_distance('111', '00');

DROP TABLE items;
DROP EXTENSION vecrbac;
