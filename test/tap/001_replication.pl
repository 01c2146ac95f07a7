# 001_replication.pl: a streaming standby answers nearest-neighbour queries exactly as
# its primary does, through every kind of hnsw page change.
#
# Every step on the primary (build in memory, build that spills to disk, inserts
# after the build, deletes, VACUUM with graph repair, updates, inserts into space
# VACUUM freed) is followed by waiting for the standby to replay it, then:
#   - for each opclass, the same queries return the same ids in the same order on
#     both nodes (an index scan on both: the plans are checked);
#   - the checker (when installed) is clean on both, and an exhaustive iterative scan
#     returns every indexed row exactly once on both.
#   - every page of every index is byte-identical on both nodes (checksum field
#     masked): GenericXLog records carry exact deltas or images, so a page change
#     that is not WAL-logged, or logged incompletely, shows up here even when no
#     query happens to notice it.
# Finally the standby is promoted: the unlogged table's index (never replicated,
# rebuilt from its init fork) must be empty and usable.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 16;
my @opclasses = (
	[ 'vector_l2_ops', '<->' ],
	[ 'vector_ip_ops', '<#>' ],
	[ 'vector_cosine_ops', '<=>' ],
	[ 'vector_l1_ops', '<+>' ]);

my $primary = vr_node('primary', streaming => 1);
$primary->start;
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;

vr_create_extension($primary);
$primary->safe_psql('postgres', qq{
CREATE TABLE items (id int PRIMARY KEY, v vector($dim));
INSERT INTO items SELECT i, vr_vec(i, $dim) FROM generate_series(1, 1500) i;
INSERT INTO items VALUES (0, NULL);
CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY, v vector($dim));
INSERT INTO scratch SELECT i, vr_vec(i, $dim) FROM generate_series(1, 200) i;
CREATE INDEX scratch_v ON scratch USING hnsw (v vector_l2_ops);
});
for my $oc (@opclasses)
{
	my ($name) = @$oc;
	$primary->safe_psql('postgres',
		"CREATE INDEX items_$name ON items USING hnsw (v $name) WITH (m = 8, ef_construction = 32);");
}

# A build that outgrows maintenance_work_mem writes what it has and inserts the
# rest on disk; the whole index is WAL-logged at the end either way.
my ($ret, $out, $err) = $primary->psql('postgres', qq{
CREATE TABLE wide (id int PRIMARY KEY, v vector(256));
INSERT INTO wide SELECT i, vr_vec(i, 256) FROM generate_series(1, 2500) i;
SET maintenance_work_mem = '1MB';
CREATE INDEX wide_v ON wide USING hnsw (v vector_l2_ops) WITH (m = 4, ef_construction = 16);
});
is($ret, 0, 'spilling build succeeds');
like($err, qr/NOTICE/, 'the build reports that it spilled to disk') or diag($err);

my $step = 0;

sub compare_nodes
{
	my ($label, $exact) = @_;
	$step++;
	vr_wait_replayed($primary, $standby);

	for my $oc (@opclasses)
	{
		my ($name, $op) = @$oc;
		my @diff;
		for my $q (1 .. 5)
		{
			my %a = (table => 'items', op => $op, query => "vr_vec(100000 + $q, $dim)",
				k => 10, settings => ['hnsw.ef_search = 20', 'hnsw.iterative_scan = relaxed_order']);
			my $p = vr_knn($primary, 'postgres', %a);
			my $s = vr_knn($standby, 'postgres', %a);
			push @diff, "q$q: primary @$p / standby @$s" if "@$p" ne "@$s" || @$p != 10;
		}
		is_deeply(\@diff, [], "$label: standby = primary for $name");
		is_deeply(vr_page_digests($standby, 'postgres', "items_$name"),
			vr_page_digests($primary, 'postgres', "items_$name"),
			"$label: pages of items_$name identical on both nodes");
		# Identical pages make the standby's structure the primary's: the full check
		# runs on the primary, the standby's own scan is checked for one opclass.
		for my $node ($name eq 'vector_l2_ops' ? ($primary, $standby) : ($primary))
		{
			vr_assert_healthy($node, 'postgres', index => "items_$name", table => 'items',
				op => $op, exact => $exact, label => "($label, $name, " . $node->name . ")");
		}
	}
	my %w = (table => 'wide', query => "vr_vec(200000, 256)", k => 10,
		settings => ['hnsw.ef_search = 20', 'hnsw.iterative_scan = relaxed_order']);
	is_deeply(vr_knn($standby, 'postgres', %w), vr_knn($primary, 'postgres', %w),
		"$label: standby = primary for the spilled build");
	is_deeply(vr_page_digests($standby, 'postgres', 'wide_v'),
		vr_page_digests($primary, 'postgres', 'wide_v'),
		"$label: pages of wide_v identical on both nodes");
	vr_assert_healthy($standby, 'postgres', index => 'wide_v', table => 'wide',
		exact => $exact, label => "($label, wide, standby)");
}

# The plans really are index scans on both nodes, one per opclass.
vr_wait_replayed($primary, $standby);
# The checker runs on a standby only while replay is paused (vr_check_index pauses it).
my (undef, undef, $check_err) = $standby->psql('postgres', q{SELECT count(*) FROM vecrbac.hnsw_check('items_vector_l2_ops')});
like($check_err, qr/cannot check an hnsw index on a standby while WAL replay runs/,
	'the checker refuses a standby whose replay runs');
for my $oc (@opclasses)
{
	my ($name, $op) = @$oc;
	for my $node ($primary, $standby)
	{
		vr_assert_index_used($node, 'postgres',
			"SELECT id FROM items ORDER BY v $op vr_vec(1, $dim) LIMIT 10", "items_$name",
			"$name: index scan on " . $node->name);
	}
}

compare_nodes('after build');

$primary->safe_psql('postgres', qq{
INSERT INTO items SELECT i, vr_vec(i, $dim) FROM generate_series(1501, 2500) i;
INSERT INTO wide SELECT i, vr_vec(i, 256) FROM generate_series(2501, 2700) i;
});
compare_nodes('after inserts');

$primary->safe_psql('postgres', q{
DELETE FROM items WHERE id % 3 = 0 OR id BETWEEN 1 AND 300;
DELETE FROM wide WHERE id % 2 = 0;
});
compare_nodes('after deletes');

$primary->safe_psql('postgres', 'VACUUM items; VACUUM wide;');
compare_nodes('after vacuum', 1);

$primary->safe_psql('postgres', qq{
UPDATE items SET v = vr_vec(id + 50000, $dim) WHERE id % 7 = 1;
INSERT INTO items SELECT i, vr_vec(i, $dim) FROM generate_series(2501, 3000) i;
});
compare_nodes('after updates and inserts into freed space');

$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 2 = 0; VACUUM items;');
compare_nodes('after a second vacuum', 1);

# The unlogged table is not readable during recovery; after promotion it is empty
# (reset from its init fork) and its index, built by ambuildempty, is usable.
my ($r, $o, $e) = $standby->psql('postgres', 'SELECT count(*) FROM scratch');
like($e, qr/cannot access temporary or unlogged relations during recovery/,
	'unlogged table is not readable on the standby');
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'promotion timed out';
is($standby->safe_psql('postgres', 'SELECT count(*) FROM scratch'), '0',
	'unlogged table is empty after promotion');
$standby->safe_psql('postgres',
	"INSERT INTO scratch SELECT i, vr_vec(i, $dim) FROM generate_series(1, 50) i;");
is( scalar(@{ vr_index_all_ids($standby, 'postgres', table => 'scratch', index => 'scratch_v', query => "vr_vec(7, $dim)") }),
	50, 'index of the unlogged table works after promotion');
vr_assert_healthy($standby, 'postgres', index => 'scratch_v', table => 'scratch',
	label => '(unlogged, promoted)');
# The promoted node accepts writes to the replicated indexes too.
$standby->safe_psql('postgres',
	"INSERT INTO items SELECT i, vr_vec(i, $dim) FROM generate_series(3001, 3100) i;");
vr_assert_healthy($standby, 'postgres', index => 'items_vector_l2_ops', table => 'items',
	label => '(promoted, after inserts)');

note("checker " . (vr_has_checker($primary, 'postgres') ? 'present' : 'absent: its assertions were skipped'));
done_testing();
