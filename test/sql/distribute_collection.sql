-- vecrbac.distribute_collection without Citus (test/tap/018_citus_rebalance.pl runs it on a
-- Citus cluster): what it checks before it asks Citus, and that nothing changes when it
-- refuses.
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SET vecrbac.jwt_test_now = 1700000000;
SELECT vecrbac.jwt_sign('{"access":"m","exp":1700003600}', :'secret') AS t_manage \gset
SELECT vecrbac.jwt_sign('{"access":[{"collection":"dc_one","access":"rw"}],"exp":1700003600}', :'secret') AS t_rw \gset
SET vecrbac.token = :'t_manage';
SELECT vecrbac.create_collection('dc_one', 2, key_columns => '{"tenant": "int"}');
SELECT vecrbac.create_collection('dc_two', 2, key_columns => '{"tenant": "int", "team": "int"}');

-- a manage token is needed, as for create_collection
SET vecrbac.token = :'t_rw';
SELECT vecrbac.distribute_collection('dc_one');
SET vecrbac.token = :'t_manage';
SELECT vecrbac.distribute_collection('no_such_collection');
-- and ownership
CREATE ROLE vr_dc_other NOSUPERUSER NOBYPASSRLS;
SET ROLE vr_dc_other;
SELECT vecrbac.distribute_collection('dc_one');
RESET ROLE;
-- the key: the only one by default, else one of the collection's keys
SELECT vecrbac.distribute_collection('dc_two');
SELECT vecrbac.distribute_collection('dc_two', 'nope');
SELECT vecrbac.distribute_collection('dc_one', 'id');
-- colocate_with: a collection, 'default' or 'none'
SELECT vecrbac.distribute_collection('dc_one', colocate_with => 'no_such_collection');
SELECT vecrbac.distribute_collection('dc_one', colocate_with => NULL);
-- without Citus
SELECT vecrbac.distribute_collection('dc_one');
\echo :LAST_ERROR_SQLSTATE
-- the primary key is unchanged
SELECT conrelid::regclass, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid IN ('dc_one'::regclass, 'dc_two'::regclass) AND contype = 'p' ORDER BY 1;

SELECT vecrbac.drop_collection('dc_one');
SELECT vecrbac.drop_collection('dc_two');
RESET vecrbac.token;
DROP ROLE vr_dc_other;
DROP EXTENSION vecrbac;
