# 006_pgbench.pl: a bounded pgbench run with several clients mixing nearest-neighbour
# searches, inserts, updates and deletes on one hnsw-indexed table, while another
# client VACUUMs it every two seconds. Then:
#   - pgbench reports no failed transaction and no client aborted (at READ COMMITTED
#     these statements cannot fail with serialization errors, so none is tolerated);
#   - no row is lost or invented: every insert and every delete logs its id in the
#     same statement, and afterwards the table holds exactly the initial and
#     inserted ids that were not deleted (pgbench's own count of inserts agrees, up
#     to the transactions in flight when its timer ran out); every row's vector is
#     the one its version implies;
#   - the index holds every row once with sound pages (and is exact after a final
#     VACUUM), the checker is clean when installed, and recall@10 holds.
# VR_PGBENCH_SECONDS sets the duration (30 by default), VR_PGBENCH_CLIENTS the
# number of clients (4), VR_PGBENCH_VACUUM_EVERY the seconds between VACUUMs (2).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $seconds = vr_env_int('VR_PGBENCH_SECONDS', 30);
my $clients = vr_env_int('VR_PGBENCH_CLIENTS', 4);
my $vacuum_every = $ENV{VR_PGBENCH_VACUUM_EVERY} // 2;
my $dim = 16;
my $initial = 2000;

my $node = vr_node('bench');
$node->start;
vr_create_extension($node);
$node->safe_psql('postgres', qq{
CREATE TABLE pb (id bigint PRIMARY KEY, ver int NOT NULL, v vector($dim) NOT NULL);
INSERT INTO pb SELECT i, 0, vr_vec(i * 1000, $dim) FROM generate_series(1, $initial) i;
CREATE SEQUENCE pb_id START $initial;
SELECT setval('pb_id', $initial);
CREATE INDEX pb_v ON pb USING hnsw (v vector_l2_ops);
CREATE TABLE queries (qid int PRIMARY KEY, v vector($dim));
INSERT INTO queries SELECT q, vr_vec(-q, $dim) FROM generate_series(1, 100) q;
CREATE TABLE deleted_log (id bigint PRIMARY KEY);
CREATE TABLE inserted_log (id bigint PRIMARY KEY);
});

my %scripts = (
	search => [ 6, "\\set q random(1, 100)\n"
		  . "SELECT id FROM pb ORDER BY v <-> (SELECT v FROM queries WHERE qid = :q) LIMIT 10;\n" ],
	insert => [ 2, "WITH i AS (INSERT INTO pb SELECT n, 0, vr_vec(n * 1000, $dim) FROM nextval('pb_id') n RETURNING id) "
		  . "INSERT INTO inserted_log SELECT id FROM i;\n" ],
	update => [ 2, "SELECT last_value AS maxid FROM pb_id \\gset\n\\set id random(1, :maxid)\n"
		  . "UPDATE pb SET ver = ver + 1, v = vr_vec(id * 1000 + ver + 1, $dim) WHERE id = :id;\n" ],
	delete => [ 1, "SELECT last_value AS maxid FROM pb_id \\gset\n\\set id random(1, :maxid)\n"
		  . "WITH d AS (DELETE FROM pb WHERE id = :id RETURNING id) INSERT INTO deleted_log SELECT id FROM d;\n" ],
);
my ($done, $tps) = vr_pgbench($node, \%scripts, table => 'pb', seconds => $seconds, clients => $clients,
	vacuum_every => $vacuum_every);
my %done = %$done;
note(sprintf('%d s, %d clients: %s transactions (%s), tps %s', $seconds, $clients,
		join(' + ', map { "$done{$_} $_" } sort keys %done), join(', ', sort keys %done), $tps // '?'));

my ($rows, $deleted, $inserted, $lost, $ghost, $both, $bad) = split /\|/, $node->safe_psql('postgres', qq{
WITH expected AS (SELECT generate_series(1, $initial)::bigint AS id UNION ALL SELECT id FROM inserted_log)
SELECT (SELECT count(*) FROM pb), (SELECT count(*) FROM deleted_log), (SELECT count(*) FROM inserted_log),
       (SELECT count(*) FROM expected e WHERE NOT EXISTS (SELECT 1 FROM pb WHERE pb.id = e.id)
                                          AND NOT EXISTS (SELECT 1 FROM deleted_log d WHERE d.id = e.id)),
       (SELECT count(*) FROM pb WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.id = pb.id)),
       (SELECT count(*) FROM pb JOIN deleted_log USING (id)),
       (SELECT count(*) FROM pb WHERE v <> vr_vec(id * 1000 + ver, $dim));});
is("$lost $ghost $both", '0 0 0',
	"no row lost, invented or both deleted and present ($rows rows, $inserted inserted, $deleted deleted)");
cmp_ok($inserted, '>=', $done{insert} // 0, 'every insert pgbench counted is logged');
cmp_ok($inserted, '<=', ($done{insert} // 0) + $clients, 'and at most the in-flight ones more');
is($bad, 0, 'every vector is the one its version implies');

vr_assert_healthy($node, 'postgres', index => 'pb_v', table => 'pb', label => '(after pgbench)');
vr_wait_idle($node);
$node->safe_psql('postgres', 'VACUUM pb;');
vr_assert_healthy($node, 'postgres', index => 'pb_v', table => 'pb', exact => 1, label => '(after pgbench and VACUUM)');
my $sum = 0;
for my $q (1 .. 20)
{
	my %a = (table => 'pb', query => "vr_vec(-$q, $dim)", k => 10);
	$sum += vr_recall(vr_knn($node, 'postgres', %a), vr_exact($node, 'postgres', %a));
}
# A fresh index on this data (16 dimensions, a few thousand rows, defaults) has
# recall@10 near 1.0 at ef_search = 40; 0.9 leaves room for churn, not for lost links.
cmp_ok($sum / 20, '>=', 0.9, 'recall@10 after the run: ' . ($sum / 20));

$node->stop;
done_testing();
