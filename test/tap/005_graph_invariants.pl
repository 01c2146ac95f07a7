# 005_graph_invariants.pl: the page-level invariants of the hnsw graph (VecrbacTest's
# vr_inspect_index: sound tuples, no duplicate or dangling links, links only to
# elements of a high enough level, every row's TID in exactly one element, an
# exhaustive scan that returns exactly the reachable rows) hold for every opclass
# through the operations that rewrite links: inserts after the build, VACUUM's
# graph repair after small and large deletes, and inserts into the freed space.
# Then the space VACUUM frees must be reused (the index does not grow when rows are
# replaced). Small and quick; the crash and replication tests check the same
# invariants under harder conditions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 24;
my $node = vr_node('graph');
$node->start;
vr_create_extension($node);

for my $o ([ 'vector_l2_ops', '<->' ], [ 'vector_ip_ops', '<#>' ], [ 'vector_cosine_ops', '<=>' ],
	[ 'vector_l1_ops', '<+>' ])
{
	my ($opclass, $op) = @$o;
	my %a = (index => "i_$opclass", table => "t_$opclass", op => $op);
	$node->safe_psql('postgres', qq{
CREATE TABLE t_$opclass (id int, v vector($dim));
INSERT INTO t_$opclass SELECT i, vr_vec(i, $dim) FROM generate_series(1, 3000) i;
CREATE INDEX i_$opclass ON t_$opclass USING hnsw (v $opclass);
INSERT INTO t_$opclass SELECT i, vr_vec(i, $dim) FROM generate_series(3001, 3500) i;
});
	vr_assert_healthy($node, 'postgres', %a, exact => 1, label => "($opclass, after inserts)");
	$node->safe_psql('postgres', "DELETE FROM t_$opclass WHERE id % 11 = 0; VACUUM t_$opclass;");
	vr_assert_healthy($node, 'postgres', %a, exact => 1, label => "($opclass, after a small VACUUM)");
	$node->safe_psql('postgres', "DELETE FROM t_$opclass WHERE id % 5 <> 0; VACUUM t_$opclass;");
	vr_assert_healthy($node, 'postgres', %a, exact => 1, label => "($opclass, after a large VACUUM)");
	$node->safe_psql('postgres',
		"INSERT INTO t_$opclass SELECT i, vr_vec(i, $dim) FROM generate_series(4001, 5000) i;");
	vr_assert_healthy($node, 'postgres', %a, exact => 1, label => "($opclass, inserts into freed space)");
}

# Space VACUUM frees is reused: the same number of rows replaced over and over keeps
# the index the same size. (Line pointers of freed tuples must be reusable: left
# unused for ever, each round adds a line pointer per new tuple and the pages fill
# with them.)
$node->safe_psql('postgres', qq{
CREATE TABLE churn (id int, v vector($dim));
INSERT INTO churn SELECT i, vr_vec(i, $dim) FROM generate_series(1, 2000) i;
CREATE INDEX churn_v ON churn USING hnsw (v vector_l2_ops);
});
my @blocks;
for my $round (1 .. 6)
{
	$node->safe_psql('postgres', qq{
DELETE FROM churn;
VACUUM churn;
INSERT INTO churn SELECT i, vr_vec(i + $round * 10000, $dim) FROM generate_series(1, 2000) i;
});
	push @blocks, $node->safe_psql('postgres', q{SELECT pg_relation_size('churn_v') / current_setting('block_size')::int});
}
my $info = vr_inspect_index($node, 'postgres', 'churn_v');
note("churn: index blocks per round @blocks; $info->{lp_unused} of $info->{lp_total} line pointers unused");
cmp_ok($blocks[-1], '<=', $blocks[1] * 1.05, "rows replaced 6 times: index stays the size it had after the first ($blocks[1] -> $blocks[-1] blocks)");
cmp_ok($info->{lp_unused}, '<=', $info->{lp_total} * 0.5, 'freed line pointers are reused');
vr_assert_healthy($node, 'postgres', index => 'churn_v', table => 'churn', label => '(after churn)');

$node->stop;
done_testing();
