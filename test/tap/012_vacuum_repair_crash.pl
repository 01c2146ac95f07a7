# 012_vacuum_repair_crash.pl: inserts into an hnsw index whose every element is
# flagged deleted, with a deleted entry point: the state a crash leaves when it
# stops VACUUM after its pass 1 (every emptied element flagged) and before it moves
# the entry point. The rows inserted after recovery must be found through the index
# before the next VACUUM and after it, with the whole graph reachable.
#
# Before the fix, a search from the deleted entry point found no live element, so
# each new element was linked to nothing and nothing linked to it: an index scan
# found none of the new rows (at most the rare one whose level raised the entry
# point), and the next VACUUM moved the entry point to one new element and left the
# rest cut off ("N of N+1 elements cannot be reached from the entry point"), which
# is what TAP 003 once saw after a crash in VACUUM. Now the first new element
# becomes the entry point (src/hnsw/hnsw_insert.cpp) and the others link to it.
#
# The crash lands at the wait point vacuum-after-flag (src/pg/wait_point.h) after
# vr_flush_wal made VACUUM's records durable, so the state is the same
# in every run, whatever the machine's speed. The same state without a crash (rows
# inserted while VACUUM waits there) is tested by isolation hnsw_vacuum_all_deleted.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 32;
my $rows = vr_env_int('VR_REPAIR_ROWS', 3000);
my $new = 200;
my $node = vr_node('repair');
$node->start;
vr_create_extension($node);
$node->safe_psql('postgres', qq{
-- No primary key: VACUUM's index phase is then hnsw's alone (no parallel worker).
CREATE TABLE big (id int, v vector($dim));
INSERT INTO big SELECT i, vr_vec(i, $dim) FROM generate_series(1, $rows) i;
CREATE INDEX big_v ON big USING hnsw (v vector_l2_ops);
CHECKPOINT;
});

# Mean recall\@10 of 10 queries among the new rows (all the table holds then).
sub recall
{
	my $sum = 0;
	for my $q (1 .. 10)
	{
		my %a = (table => 'big', query => "vr_vec(-$q, $dim)", k => 10, index => 'big_v',
			settings => ['hnsw.ef_search = 100']);
		$sum += vr_recall(vr_knn($node, 'postgres', %a), vr_exact($node, 'postgres', %a));
	}
	return $sum / 10;
}

# The ids an exhaustive index scan finds (plan asserted), as a sorted list.
sub index_ids
{
	my $ids = vr_index_all_ids($node, 'postgres', table => 'big', query => "vr_vec(-1, $dim)", index => 'big_v');
	ok(defined $ids, 'the exhaustive search is an index scan on big_v') or return '';
	return join(',', sort { $a <=> $b } @$ids);
}

# The checker's rows other than its summary, as text.
sub checker_findings
{
	return $node->safe_psql('postgres',
		"SELECT string_agg(severity || ': ' || message, E'\\n') FROM vecrbac.hnsw_check('big_v') WHERE severity <> 'info'");
}

# ---- the crash: every row deleted, VACUUM stopped after flagging them all ------------
$node->safe_psql('postgres', 'DELETE FROM big;');
my $hold = vr_wait_point_hold($node, 'postgres', 'vacuum-after-flag');
my $c = vr_start_psql($node, 'postgres', "SET vecrbac.test_wait_point = 'vacuum-after-flag';\nVACUUM big;");
ok(vr_wait_point_await($hold, $c), 'VACUUM stopped at vacuum-after-flag')
  or diag('it ended first: ' . vr_client_output($c, 'err'));
# VACUUM's flags made durable (a crash keeps them, whatever the WAL writer did).
vr_flush_wal($node);
vr_crash($node);
vr_client_finish($c);
vr_client_finish($hold->{client});
is(join("\n", vr_client_errors($c)), '', 'no error but the crash');
$node->start;

my $before = vr_inspect_index($node, 'postgres', 'big_v');
is($before->{elements}, 0, 'after recovery no element is live');
is($before->{deleted}, $rows, "after recovery all $rows elements are flagged deleted");
like(checker_findings(), qr/the entry point is a deleted element/, 'the entry point is a deleted element');

# ---- inserts after recovery, searched before the next VACUUM ---------------------------
$node->safe_psql('postgres',
	"INSERT INTO big SELECT -i, vr_vec(-i - 1000, $dim) FROM generate_series(1, $new) i;");
my $want = join(',', map { -$_ } reverse 1 .. $new);
is(index_ids(), $want, "before VACUUM an index scan finds all $new new rows");
vr_assert_healthy($node, 'postgres', index => 'big_v', table => 'big', min_reachable => 1,
	label => '(rows inserted after the crash)', checker_allow => qr/the entry point is a deleted element/);
my $r = recall();
cmp_ok($r, '>=', 0.9, "recall\@10 before VACUUM: $r");

# ---- the next VACUUM frees the old graph ------------------------------------------------
$node->safe_psql('postgres', 'VACUUM big;');
my $after = vr_inspect_index($node, 'postgres', 'big_v');
is("$after->{elements} $after->{deleted} $after->{reachable}", "$new 0 $new",
	"after VACUUM: $new live elements, none deleted, all reachable from the entry point");
is(checker_findings(), '', 'after VACUUM the checker reports nothing (no unreachable element)');
is(index_ids(), $want, "after VACUUM an index scan finds all $new rows");
vr_assert_healthy($node, 'postgres', index => 'big_v', table => 'big', exact => 1, min_reachable => 1,
	label => '(VACUUM after the crash)');
$r = recall();
cmp_ok($r, '>=', 0.9, "recall\@10 after VACUUM: $r");

# ---- every element above level 0 deleted ------------------------------------------------
# A smaller case of the same state: the crash leaves every element of level 1 and
# up flagged, the entry point among them, and the level-0 ones live. A new element
# of level 1 or more then searched its top level from the deleted entry point's
# side, found nothing live there, and searched the levels below from no seed at
# all: it too was linked to nothing (and the next VACUUM made the highest such
# element the entry point, cutting the graph). Now a level without a live result
# passes its seeds down. m = 8 gives levels above 0 to an eighth of the elements.
$node->safe_psql('postgres', qq{
CREATE TABLE low (id int, v vector($dim));
INSERT INTO low SELECT i, vr_vec(i + 100000, $dim) FROM generate_series(1, 2000) i;
CREATE INDEX low_v ON low USING hnsw (v vector_l2_ops) WITH (m = 8);
CHECKPOINT;
});
my $built = vr_inspect_index($node, 'postgres', 'low_v');
note("low_v as built: $built->{reachable} of $built->{elements} elements reachable");
my $elem = $built->{elem};
my @upper = map { @{ $_->{tids} } } grep { $_->{level} > 0 } values %$elem;
cmp_ok(scalar(@upper), '>', 100, scalar(@upper) . ' rows have elements above level 0');
$node->safe_psql('postgres',
	"DELETE FROM low WHERE ctid = ANY ('{" . join(',', map { "\"($_)\"" } @upper) . "}'::tid[]);");
my $left = $node->safe_psql('postgres', 'SELECT count(*) FROM low');
is($left, 2000 - @upper, 'only the rows of level-0 elements are left');

$hold = vr_wait_point_hold($node, 'postgres', 'vacuum-after-flag');
$c = vr_start_psql($node, 'postgres', "SET vecrbac.test_wait_point = 'vacuum-after-flag';\nVACUUM low;");
ok(vr_wait_point_await($hold, $c), 'VACUUM low stopped at vacuum-after-flag')
  or diag('it ended first: ' . vr_client_output($c, 'err'));
vr_flush_wal($node);
vr_crash($node);
vr_client_finish($c);
vr_client_finish($hold->{client});
is(join("\n", vr_client_errors($c)), '', 'no error but the crash (low)');
$node->start;
$before = vr_inspect_index($node, 'postgres', 'low_v');
is("$before->{elements} $before->{deleted}", "$left " . scalar(@upper),
	'after recovery the elements above level 0 are flagged deleted, the others live');

$node->safe_psql('postgres',
	"INSERT INTO low SELECT -i, vr_vec(-i - 200000, $dim) FROM generate_series(1, $new) i;");
my $all = vr_index_all_ids($node, 'postgres', table => 'low', query => "vr_vec(-1, $dim)", index => 'low_v');
is(scalar(grep { $_ < 0 } @{ $all // [] }), $new, "before VACUUM an index scan finds all $new new rows (low)");
vr_assert_healthy($node, 'postgres', index => 'low_v', table => 'low', min_reachable => 0.99,
	label => '(low, rows inserted after the crash)', checker_allow => qr/the entry point is a deleted element/);

$node->safe_psql('postgres', 'VACUUM low;');
vr_assert_healthy($node, 'postgres', index => 'low_v', table => 'low', exact => 1, min_reachable => 0.99,
	label => '(low, VACUUM after the crash)');
$all = vr_index_all_ids($node, 'postgres', table => 'low', query => "vr_vec(-1, $dim)", index => 'low_v');
cmp_ok(scalar(@{ $all // [] }), '>=', 0.99 * ($left + $new),
	'after VACUUM an index scan finds at least 99% of the rows (low): ' . scalar(@{ $all // [] }) . ' of ' . ($left + $new));

$node->stop;
done_testing();
