-- The examples of docs/sparsevec.md, statement for statement, so the documentation
-- cannot drift from what the type does.
CREATE EXTENSION vecrbac;

CREATE TABLE docs (id bigserial PRIMARY KEY, terms sparsevec(30000));
INSERT INTO docs (terms) VALUES ('{1:0.5,120:2,29999:1}/30000'), ('{120:1,7:3}/30000');
SELECT id, terms FROM docs ORDER BY id;

-- Operators and functions.
SELECT id, terms <-> '{120:2}/30000' AS l2, terms <#> '{120:2}/30000' AS neg_inner_product,
       terms <=> '{120:2}/30000' AS cosine, terms <+> '{120:2}/30000' AS l1
FROM docs ORDER BY id;
SELECT l2_norm('{1:3,2:4}/2'::sparsevec), l2_normalize('{1:3,2:4}/2'::sparsevec);

-- Casts.
SELECT '[0,1.5,0,3.5]'::vector::sparsevec AS from_vector, '{2:1.5}/3'::sparsevec::vector AS to_vector,
       ARRAY[0,0,7]::sparsevec AS from_array;

-- Errors carry pgvector's messages.
SELECT '{1:1,1:2}/2'::sparsevec;
SELECT '{3:1}/2'::sparsevec;
SELECT '{1:1}/3'::sparsevec <-> '{1:1}/2';
INSERT INTO docs (terms) VALUES ('{1:1}/5');

DROP TABLE docs;
DROP EXTENSION vecrbac;
