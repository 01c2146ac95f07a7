# 003_crash_ddl.pl: crashes in the middle of the long hnsw operations.
#
#   CREATE INDEX, in memory and spilled to disk: after recovery there is no index
#     (the transaction never committed), the table answers queries, and the index
#     can be built again.
#   CREATE INDEX CONCURRENTLY, killed while building and while waiting before its
#     validation (the index is complete and maintained by inserts but not yet
#     valid): after recovery the index exists with indisvalid = false, the planner
#     ignores it, inserts work, REINDEX CONCURRENTLY makes it valid and healthy.
#   VACUUM, killed at each point of its index pass (removing TIDs, after flagging,
#     repairing the graph, before and while freeing tuples): after recovery searches
#     work on the half-vacuumed graph (every live row in the index, sound pages),
#     and the next VACUUM leaves exactly the table's rows.
#   An unlogged table: a crash empties it, its index is reset to empty and usable.
# Every crash lands at a named wait point of the extension (src/pg/wait_point.h):
# the operation stops there, the test sees it waiting in pg_locks, and kills the
# postmaster and all its children at once (vr_crash). Nothing depends on how fast
# the machine is.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 32;
my $rows = vr_env_int('VR_DDL_ROWS', 12000);
my $node = vr_node('ddl', conf => ['maintenance_work_mem = 64MB']);
$node->start;
vr_create_extension($node);
$node->safe_psql('postgres', qq{
-- No primary key: VACUUM's index phase is then hnsw's alone (no parallel worker).
CREATE TABLE big (id int, v vector($dim));
INSERT INTO big SELECT i, vr_vec(i, $dim) FROM generate_series(1, $rows) i;
CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY, v vector($dim));
INSERT INTO scratch SELECT i, vr_vec(i, $dim) FROM generate_series(1, 500) i;
CREATE INDEX scratch_v ON scratch USING hnsw (v vector_l2_ops);
CHECKPOINT;
});

# Mean recall@10 over 10 queries at ef_search = 100: about 0.99 on a fresh build of
# this data; 0.9 leaves room for a graph repaired by VACUUM, not for lost links.
sub recall
{
	my $sum = 0;
	for my $q (1 .. 10)
	{
		my %a = (table => 'big', query => "vr_vec(-$q, $dim)", k => 10, settings => ['hnsw.ef_search = 100']);
		$sum += vr_recall(vr_knn($node, 'postgres', %a), vr_exact($node, 'postgres', %a));
	}
	return $sum / 10;
}
my %knn = (table => 'big', query => "vr_vec(-1, $dim)", k => 10);

# Runs $ddl in the background with wait point $point armed, and crashes the server
# once $ddl waits there. With during => sub, the sub runs at the point and the point
# is released; the crash then comes once the query then => $sql is true (a state the
# operation stays in until the crash, such as a lock wait).
sub crash_during
{
	my ($label, $ddl, $point, %opt) = @_;
	my $hold = vr_wait_point_hold($node, 'postgres', $point);
	my $c = vr_start_psql($node, 'postgres', "SET vecrbac.test_wait_point = '$point';\n$ddl");
	my $hit = vr_wait_point_await($hold, $c);
	ok($hit, "$label: stopped at wait point $point")
	  or diag('it ended first: ' . vr_client_output($c, 'err'));
	# Make what the operation wrote before the point durable: the crash then leaves
	# the point's state, not whatever the WAL writer happened to flush. (This was a
	# SELECT txid_current(), whose commit logs nothing else and so is asynchronous:
	# it flushed nothing, see vr_flush_wal.)
	vr_flush_wal($node) if $hit;
	if ($hit && $opt{during})
	{
		$opt{during}->();
		vr_wait_point_release($hold);
		ok($node->poll_query_until('postgres', $opt{then}), "$label: reached the state to crash in");
	}
	vr_crash($node);
	vr_client_finish($c);
	vr_client_finish($hold->{client});
	is(join("\n", vr_client_errors($c)), '', "$label: no error but the crash");
	$node->start;
}

sub index_state
{
	my ($name) = @_;
	return $node->safe_psql('postgres',
		"SELECT coalesce((SELECT indisvalid::text || '/' || indisready::text FROM pg_index "
		  . "WHERE indexrelid = to_regclass('$name')), 'none');");
}

sub queries_work
{
	my ($label) = @_;
	my $exact = vr_exact($node, 'postgres', %knn);
	is(scalar(@$exact), 10, "$label: exact search works");
	my $plan = $node->safe_psql('postgres',
		"SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM big ORDER BY v <-> vr_vec(-1, $dim) LIMIT 10");
	return $plan;
}

# ---- CREATE INDEX, in memory --------------------------------------------------------
# Stopped when the graph is built in memory, before its pages are written.
crash_during('CREATE INDEX', 'CREATE INDEX big_v ON big USING hnsw (v vector_l2_ops);', 'build-write');
is(index_state('big_v'), 'none', 'CREATE INDEX: no index after recovery');
unlike(queries_work('CREATE INDEX'), qr/Index Scan/, 'CREATE INDEX: plans use no index');

# ---- CREATE INDEX spilled to disk (graph larger than maintenance_work_mem) ----------
# Stopped after the in-memory graph was written and the first row went in on disk.
crash_during('spilled CREATE INDEX',
	"SET maintenance_work_mem = '1MB';\nCREATE INDEX big_v ON big USING hnsw (v vector_l2_ops);",
	'build-insert-on-disk');
is(index_state('big_v'), 'none', 'spilled CREATE INDEX: no index after recovery');
queries_work('spilled CREATE INDEX');

# ---- CREATE INDEX CONCURRENTLY, killed while building ---------------------------------
crash_during('CIC building', 'CREATE INDEX CONCURRENTLY big_v ON big USING hnsw (v vector_l2_ops);',
	'build-write');
is(index_state('big_v'), 'false/false', 'CIC building: an invalid, not ready index remains');
unlike(queries_work('CIC building'), qr/Index Scan/, 'CIC building: the planner ignores it');
$node->safe_psql('postgres', "INSERT INTO big SELECT i, vr_vec(i, $dim) FROM generate_series($rows + 1, $rows + 100) i;");
$node->safe_psql('postgres', 'DROP INDEX big_v;');

# ---- CREATE INDEX CONCURRENTLY, killed after its build, before validation ------------
# A transaction that writes to the table while the build runs (started while the
# build is stopped at its wait point) makes CIC wait for it before validating: the
# index is then complete, ready (maintained by inserts) and not yet valid.
my $writer;
crash_during(
	'CIC before validation', 'CREATE INDEX CONCURRENTLY big_v ON big USING hnsw (v vector_l2_ops);',
	'build-write',
	during => sub {
		$writer = vr_start_psql($node, 'postgres',
			"BEGIN;\nINSERT INTO big VALUES (-1, vr_vec(-1, $dim));\nSELECT pg_sleep(86400);\n");
		$node->poll_query_until('postgres',
			q{SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(86400)%' AND backend_xid IS NOT NULL AND pid <> pg_backend_pid())})
		  or die 'the writer did not start';
	},
	then => q{SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index WHERE phase = 'waiting for writers before validation')});
vr_client_finish($writer);
is(index_state('big_v'), 'false/true', 'CIC before validation: a ready but invalid index remains');
unlike(queries_work('CIC before validation'), qr/Index Scan/, 'CIC before validation: the planner ignores it');
$node->safe_psql('postgres', "INSERT INTO big SELECT i, vr_vec(i, $dim) FROM generate_series($rows + 101, $rows + 200) i;");
vr_assert_healthy($node, 'postgres', index => 'big_v', table => 'big', label => '(invalid index after CIC crash)');
$node->safe_psql('postgres', 'REINDEX INDEX CONCURRENTLY big_v;');
is(index_state('big_v'), 'true/true', 'REINDEX CONCURRENTLY makes it valid');
like(queries_work('after REINDEX'), qr/Index Scan using big_v/, 'after REINDEX: plans use it');
vr_assert_healthy($node, 'postgres', index => 'big_v', table => 'big', label => '(after REINDEX CONCURRENTLY)');
my $recall = recall();
cmp_ok($recall, '>=', 0.9, "recall\@10 after REINDEX: $recall");

# ---- VACUUM, killed during its index pass ---------------------------------------------
# One round per wait point of hnsw's VACUUM (src/hnsw/hnsw_vacuum.cpp), each after
# deleting another seventh of the rows so that every VACUUM has a graph to repair:
#   vacuum-removing     pass 1, after the first page whose TIDs it changed
#   vacuum-after-flag   every emptied element flagged, no link repaired
#   vacuum-repairing    pass 2, after the first page whose link lists it rewrote
#   vacuum-before-free  links and partitions repaired, nothing freed
#   vacuum-freeing      pass 3, after the first page whose tuples it freed
my $round = 0;
for my $point (qw(vacuum-removing vacuum-after-flag vacuum-repairing vacuum-before-free vacuum-freeing))
{
	$round++;
	$node->safe_psql('postgres', "DELETE FROM big WHERE id % 7 = $round AND id > 0;");
	# At vacuum-after-flag, the entry point's rows go too: the crash then leaves a
	# deleted entry point that VACUUM has not moved yet, which inserts and searches
	# walk through and the next VACUUM moves.
	if ($point eq 'vacuum-after-flag')
	{
		my $entry = vr_inspect_index($node, 'postgres', 'big_v')->{entry_vec};
		$node->safe_psql('postgres', "DELETE FROM big WHERE v = '$entry';");
	}
	crash_during("VACUUM ($point)", 'VACUUM big;', $point);
	# Searches work on whatever the crash left: flags set, links half repaired.
	# A crash after VACUUM flagged the entry point and before it moved it leaves a
	# deleted entry point, which searches walk through; the next VACUUM moves it.
	vr_assert_healthy($node, 'postgres', index => 'big_v', table => 'big', label => "(crash in VACUUM at $point)",
		checker_allow => qr/the entry point is a deleted element/);
	my $r = recall();
	cmp_ok($r, '>=', 0.9, "recall\@10 after a crash in VACUUM at $point: $r");
	$node->safe_psql('postgres', "INSERT INTO big SELECT -i, vr_vec(-i - 1000 * $round, $dim) FROM generate_series(1000 * $round + 1, 1000 * $round + 200) i;");
	$node->safe_psql('postgres', 'VACUUM big;');
	# A completed VACUUM leaves a connected graph (100% of rows reachable in every
	# run so far); 0.99 catches a repair that cut the graph, which recall alone
	# noticed only a round later.
	vr_assert_healthy($node, 'postgres', index => 'big_v', table => 'big', exact => 1,
		label => "(VACUUM after the crash at $point)", min_reachable => 0.99);
}

# ---- unlogged table -------------------------------------------------------------------
vr_crash($node);
$node->start;
is($node->safe_psql('postgres', 'SELECT count(*) FROM scratch'), '0', 'unlogged table is empty after a crash');
$node->safe_psql('postgres', "INSERT INTO scratch SELECT i, vr_vec(i, $dim) FROM generate_series(1, 100) i;");
vr_assert_healthy($node, 'postgres', index => 'scratch_v', table => 'scratch', exact => 1,
	label => '(unlogged, after a crash)');

$node->stop;
done_testing();
