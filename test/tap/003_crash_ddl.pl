# 003_crash_ddl.pl: crashes in the middle of the long hnsw operations.
#
#   CREATE INDEX, in memory and spilled to disk: after recovery there is no index
#     (the transaction never committed), the table answers queries, and the index
#     can be built again.
#   CREATE INDEX CONCURRENTLY, killed while building and while waiting before its
#     validation (the index is complete and maintained by inserts but not yet
#     valid): after recovery the index exists with indisvalid = false, the planner
#     ignores it, inserts work, REINDEX CONCURRENTLY makes it valid and healthy.
#   VACUUM, killed at different points of its index pass (removing TIDs, repairing
#     the graph, freeing tuples): after recovery searches work on the half-vacuumed
#     graph (every live row in the index, sound pages), and the next VACUUM leaves
#     exactly the table's rows.
#   An unlogged table: a crash empties it, its index is reset to empty and usable.
# Every crash kills the postmaster and all its children at once (vr_crash).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);
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

# Waits until $sql (a boolean query) is true, or the client finished; returns whether
# the condition was met while the client still ran.
sub wait_for
{
	my ($client, $sql) = @_;
	for my $i (1 .. 1200)
	{
		return 0 unless vr_client_running($client);
		return 1 if $node->safe_psql('postgres', $sql) eq 't';
		sleep(0.05);
	}
	return 0;
}

# Runs $ddl in the background, crashes once $phase_sql holds (plus $delay s).
sub crash_during
{
	my ($label, $ddl, $phase_sql, $delay, %opt) = @_;
	my $c = vr_start_psql($node, 'postgres', $ddl);
	my $hit = wait_for($c, $phase_sql);
	$opt{during}->() if $opt{during} && $hit;
	$hit = wait_for($c, $opt{then}) if $opt{then} && $hit;
	sleep($delay) if $hit;
	my $running = vr_client_running($c);
	vr_crash($node);
	vr_client_finish($c);
	ok($hit && $running, "$label: crashed while it ran")
	  or diag('it finished first: ' . vr_client_output($c, 'err'));
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
crash_during('CREATE INDEX', 'CREATE INDEX big_v ON big USING hnsw (v vector_l2_ops);',
	"SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index WHERE tuples_done > $rows / 3)", 0);
is(index_state('big_v'), 'none', 'CREATE INDEX: no index after recovery');
unlike(queries_work('CREATE INDEX'), qr/Index Scan/, 'CREATE INDEX: plans use no index');

# ---- CREATE INDEX spilled to disk (graph larger than maintenance_work_mem) ----------
crash_during('spilled CREATE INDEX',
	"SET maintenance_work_mem = '1MB';\nCREATE INDEX big_v ON big USING hnsw (v vector_l2_ops);",
	q{SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index WHERE tuples_done > 4000)}, 0);
is(index_state('big_v'), 'none', 'spilled CREATE INDEX: no index after recovery');
queries_work('spilled CREATE INDEX');

# ---- CREATE INDEX CONCURRENTLY, killed while building ---------------------------------
crash_during('CIC building', 'CREATE INDEX CONCURRENTLY big_v ON big USING hnsw (v vector_l2_ops);',
	"SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index WHERE tuples_done > $rows / 3)", 0);
is(index_state('big_v'), 'false/false', 'CIC building: an invalid, not ready index remains');
unlike(queries_work('CIC building'), qr/Index Scan/, 'CIC building: the planner ignores it');
$node->safe_psql('postgres', "INSERT INTO big SELECT i, vr_vec(i, $dim) FROM generate_series($rows + 1, $rows + 100) i;");
$node->safe_psql('postgres', 'DROP INDEX big_v;');

# ---- CREATE INDEX CONCURRENTLY, killed after its build, before validation ------------
# A transaction that writes to the table after the build started makes CIC wait for
# it before validating: the index is then complete, ready (maintained by inserts)
# and not yet valid.
my $writer;
crash_during(
	'CIC before validation', 'CREATE INDEX CONCURRENTLY big_v ON big USING hnsw (v vector_l2_ops);',
	q{SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index WHERE phase LIKE 'building index%')}, 0,
	during => sub {
		$writer = vr_start_psql($node, 'postgres',
			"BEGIN;\nINSERT INTO big VALUES (-1, vr_vec(-1, $dim));\nSELECT pg_sleep(600);\n");
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
my $round = 0;
# Two rounds: a third of the rows, then half of the rest, so both VACUUMs have a
# graph to repair. The VACUUM that crashes is throttled (cost-based delay, which hnsw
# honours page by page) so that it lasts seconds and the crash lands early in the
# index pass (removing TIDs) or later (repairing links).
for my $delay (0.2, 1.5)
{
	$round++;
	$node->safe_psql('postgres', "DELETE FROM big WHERE id % 3 = $round AND id > 0;");
	crash_during("VACUUM (+${delay}s)", "SET vacuum_cost_delay = '10ms';\nSET vacuum_cost_limit = 100;\nVACUUM big;",
		q{SELECT EXISTS (SELECT 1 FROM pg_stat_progress_vacuum WHERE phase = 'vacuuming indexes')}, $delay);
	# Searches work on whatever the crash left: flags set, links half repaired.
	# A crash after VACUUM flagged the entry point and before it moved it leaves a
	# deleted entry point, which searches walk through; the next VACUUM moves it.
	vr_assert_healthy($node, 'postgres', index => 'big_v', table => 'big', label => "(crash in VACUUM +${delay}s)",
		checker_allow => qr/the entry point is a deleted element/);
	my $r = recall();
	cmp_ok($r, '>=', 0.9, "recall\@10 after a crash in VACUUM: $r");
	$node->safe_psql('postgres', "INSERT INTO big SELECT -i, vr_vec(-i - 1000 * $round, $dim) FROM generate_series(1000 * $round + 1, 1000 * $round + 200) i;");
	$node->safe_psql('postgres', 'VACUUM big;');
	vr_assert_healthy($node, 'postgres', index => 'big_v', table => 'big', exact => 1,
		label => "(VACUUM after the crash +${delay}s)");
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
