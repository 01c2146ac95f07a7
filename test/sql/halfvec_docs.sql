-- The examples of docs/halfvec.md, statement for statement, so the documentation
-- cannot drift from what the type does.
CREATE EXTENSION vecrbac;

-- The type.
CREATE TABLE items (id bigserial PRIMARY KEY, embedding halfvec(3));
INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]');
INSERT INTO items (embedding) VALUES ('[0.1,1.23456,65504]');
SELECT embedding FROM items WHERE id = 3;

-- Operators and functions.
SELECT id, embedding <-> '[3,1,2]' AS l2 FROM items ORDER BY id;
SELECT l2_normalize('[3,4]'::halfvec), binary_quantize('[1,-2,3]'::halfvec);
SELECT '[65504]'::halfvec + '[65504]';

-- Casts.
SELECT '[1.5,2.25]'::vector::halfvec(2), '[0.1]'::halfvec::vector;
SELECT ARRAY[70000]::halfvec;

-- Errors.
SELECT '[1,2]'::halfvec <-> '[1,2,3]';
SELECT '[65520]'::halfvec;

DROP TABLE items;
DROP EXTENSION vecrbac;
