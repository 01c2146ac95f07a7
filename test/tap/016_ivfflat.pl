# 016_ivfflat.pl: an ivfflat index through replication and crashes.
#
# Replication: a streaming standby answers as its primary does after the build, after
# inserts that grow the lists' chains, after deletes and VACUUM, and after inserts into
# the space VACUUM freed: the same ids for the same queries (index scans on both),
# every page byte-identical (GenericXLog logs exact deltas or images; the build logs
# every page at its end), and an exhaustive scan on each node returns each live row
# once. items_l2 is built with 2 parallel workers (their own chains, pages reserved in
# batches: the unused ones stay new, as on the standby). After promotion the unlogged
# table's index (its init fork) is empty and usable.
#
# Crashes land at named wait points (src/pg/wait_point.h), after vr_flush_wal made the
# operation's WAL durable, never after a sleep:
#   ivfflat-insert-moved   an insert that put its entry on a new page of its list's
#                          chain, before the list's insert page moved to it;
#   ivfflat-vacuum-list    VACUUM after its first list, the other lists untouched.
# After each restart an exhaustive scan returns exactly the table's rows, and inserts,
# VACUUM and searches go on working.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 16;

# Ids of every row an ivfflat scan returns (iterative: every list), sorted, or undef
# unless the plan is an index scan on $index.
sub all_ids
{
	my ($node, $table, $index, $op) = @_;
	$op //= '<->';
	my $settings = "SET enable_seqscan = off;\nSET ivfflat.iterative_scan = relaxed_order;\n";
	my $query = "SELECT id FROM $table ORDER BY v $op vr_vec(7, $dim)";
	my $plan = $node->safe_psql('postgres', "${settings}EXPLAIN (COSTS OFF) $query;");
	return undef unless $plan =~ /Index Scan using \Q$index\E /;
	return join(',', sort { $a <=> $b } @{ vr_ids($node, 'postgres', "$settings$query;") });
}

sub table_ids
{
	my ($node, $table) = @_;
	return join(',', @{ vr_ids($node, 'postgres', "SELECT id FROM $table WHERE v IS NOT NULL ORDER BY id;") });
}

# The k nearest ids through the index (plan asserted) with probes lists.
sub knn
{
	my ($node, $index, $op, $q, $probes) = @_;
	my $settings = "SET enable_seqscan = off;\nSET ivfflat.probes = $probes;\n";
	my $query = "SELECT id FROM items ORDER BY v $op vr_vec($q, $dim) LIMIT 10";
	my $plan = $node->safe_psql('postgres', "${settings}EXPLAIN (COSTS OFF) $query;");
	die "not an index scan on $index:\n$plan" unless $plan =~ /Index Scan using \Q$index\E /;
	return join(',', @{ vr_ids($node, 'postgres', "$settings$query;") });
}

# ---- replication --------------------------------------------------------------------
my $primary = vr_node('primary', streaming => 1);
$primary->start;
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;

vr_create_extension($primary);
$primary->safe_psql('postgres', qq{
CREATE TABLE items (id int PRIMARY KEY, tenant int, v vector($dim));
INSERT INTO items SELECT i, i % 7, vr_vec(i, $dim) FROM generate_series(1, 2000) i;
INSERT INTO items VALUES (0, 0, NULL);
-- a parallel build: workers' own chains linked by the leader, pages reserved in batches
-- (the unused ones stay new, in no chain, not WAL-logged)
ALTER TABLE items SET (parallel_workers = 2);
SET max_parallel_maintenance_workers = 2;
CREATE INDEX items_l2 ON items USING ivfflat (v vector_l2_ops, tenant) WITH (lists = 20);
ALTER TABLE items RESET (parallel_workers);
RESET max_parallel_maintenance_workers;
CREATE INDEX items_cos ON items USING ivfflat (v vector_cosine_ops) WITH (lists = 10);
CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY, v vector($dim));
INSERT INTO scratch SELECT i, vr_vec(i, $dim) FROM generate_series(1, 200) i;
CREATE INDEX scratch_v ON scratch USING ivfflat (v vector_l2_ops) WITH (lists = 5);
});

sub compare_nodes
{
	my ($label) = @_;
	vr_wait_replayed($primary, $standby);
	for my $ix ([ 'items_l2', '<->' ], [ 'items_cos', '<=>' ])
	{
		my ($index, $op) = @$ix;
		my @diff;
		for my $q (1 .. 5)
		{
			my $p = knn($primary, $index, $op, 100000 + $q, 3);
			my $s = knn($standby, $index, $op, 100000 + $q, 3);
			push @diff, "q$q: primary $p / standby $s" if $p ne $s || $p !~ /^(\d+,){9}\d+$/;
		}
		is_deeply(\@diff, [], "$label: standby = primary for $index");
		is_deeply(vr_page_digests($standby, 'postgres', $index), vr_page_digests($primary, 'postgres', $index),
			"$label: pages of $index identical on both nodes");
		my $want = table_ids($primary, 'items');
		is(all_ids($primary, 'items', $index, $op), $want, "$label: $index returns every row once (primary)");
		is(all_ids($standby, 'items', $index, $op), $want, "$label: $index returns every row once (standby)");
	}
}

compare_nodes('after build');
$primary->safe_psql('postgres',
	"INSERT INTO items SELECT i, i % 7, vr_vec(i, $dim) FROM generate_series(2001, 5000) i;");
compare_nodes('after inserts');
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 0; VACUUM items;');
compare_nodes('after delete and vacuum');
$primary->safe_psql('postgres',
	"INSERT INTO items SELECT i, i % 7, vr_vec(i + 7, $dim) FROM generate_series(1, 5000) i WHERE i % 3 = 0;");
compare_nodes('after inserts into freed space');

my (undef, undef, $e) = $standby->psql('postgres', 'SELECT count(*) FROM scratch');
like($e, qr/cannot access temporary or unlogged relations during recovery/, 'unlogged table is not readable on the standby');
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()') or die 'promotion timed out';
is($standby->safe_psql('postgres', 'SELECT count(*) FROM scratch'), '0', 'unlogged table is empty after promotion');
$standby->safe_psql('postgres', "INSERT INTO scratch SELECT i, vr_vec(i, $dim) FROM generate_series(1, 50) i;");
is(all_ids($standby, 'scratch', 'scratch_v'), join(',', 1 .. 50), 'index of the unlogged table works after promotion');
$standby->stop;
$primary->stop;

# ---- crashes at known points -----------------------------------------------------------
my $node = vr_node('crash');
$node->start;
vr_create_extension($node);
# No primary key: VACUUM's index pass is ivfflat's alone.
$node->safe_psql('postgres', qq{
CREATE TABLE items (id int, v vector($dim));
INSERT INTO items SELECT i, vr_vec(i, $dim) FROM generate_series(1, 1000) i;
CREATE INDEX items_v ON items USING ivfflat (v vector_l2_ops) WITH (lists = 4);
CHECKPOINT;
});

# An insert whose entry starts a new page of its list stops before the list learns it.
# Each list's pages fill after about 75 entries of 16 dimensions; 400 rows force it.
my $hold = vr_wait_point_hold($node, 'postgres', 'ivfflat-insert-moved');
my $c = vr_start_psql($node, 'postgres', "SET vecrbac.test_wait_point = 'ivfflat-insert-moved';\n"
	  . "INSERT INTO items SELECT i, vr_vec(i, $dim) FROM generate_series(1001, 1400) i;");
ok(vr_wait_point_await($hold, $c), 'the insert stopped at ivfflat-insert-moved')
  or diag('it ended first: ' . vr_client_output($c, 'err'));
vr_flush_wal($node);
vr_crash($node);
vr_client_finish($c);
vr_client_finish($hold->{client});
is(join("\n", vr_client_errors($c)), '', 'no error but the crash (insert)');
$node->start;
is(all_ids($node, 'items', 'items_v'), join(',', 1 .. 1000), 'after the crash in an insert: every committed row, nothing else');
$node->safe_psql('postgres', "INSERT INTO items SELECT i, vr_vec(i, $dim) FROM generate_series(1001, 2000) i;");
is(all_ids($node, 'items', 'items_v'), join(',', 1 .. 2000), 'inserts after recovery follow the chains');
$node->safe_psql('postgres', 'VACUUM items;');
is(all_ids($node, 'items', 'items_v'), join(',', 1 .. 2000), 'VACUUM after recovery removes only the aborted entries');

# VACUUM stopped after its first list.
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 2 = 0;');
$hold = vr_wait_point_hold($node, 'postgres', 'ivfflat-vacuum-list');
$c = vr_start_psql($node, 'postgres', "SET vecrbac.test_wait_point = 'ivfflat-vacuum-list';\nVACUUM items;");
ok(vr_wait_point_await($hold, $c), 'VACUUM stopped at ivfflat-vacuum-list')
  or diag('it ended first: ' . vr_client_output($c, 'err'));
vr_flush_wal($node);
vr_crash($node);
vr_client_finish($c);
vr_client_finish($hold->{client});
is(join("\n", vr_client_errors($c)), '', 'no error but the crash (vacuum)');
$node->start;
my $odd = join(',', grep { $_ % 2 } 1 .. 2000);
is(all_ids($node, 'items', 'items_v'), $odd, 'after the crash in VACUUM: the live rows, once each');
$node->safe_psql('postgres', 'VACUUM items;');
is(all_ids($node, 'items', 'items_v'), $odd, 'the next VACUUM completes');
$node->safe_psql('postgres', "INSERT INTO items SELECT i, vr_vec(i, $dim) FROM generate_series(2001, 2500) i;");
is(all_ids($node, 'items', 'items_v'), join(',', (grep { $_ % 2 } 1 .. 2000), 2001 .. 2500),
	'inserts fill the freed space and are found');
my $n = $node->safe_psql('postgres',
	"SET enable_seqscan = off; SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> vr_vec(3, $dim) LIMIT 10) s;");
is($n, '10', 'a search after recovery returns its 10 rows');

$node->stop;
done_testing();
