# 020_vacuum_reachability.pl: VACUUM's repair of elements that no search reaches
# (src/hnsw/hnsw_reach.cpp) is WAL-logged and crash-safe.
#
# An index with m = 2 (4 level-0 slots) has dozens of its 2,000 elements cut off by
# the pruning of inserts, whatever the random levels (test/sql/hnsw_reachability.sql).
# (the filter-column index also has some cut off within their label or grp, which searches
# scoped to the value miss). A VACUUM links them back: a streaming standby's pages are then byte-identical to the
# primary's, and an exhaustive index scan returns every row on both. Then VACUUM is
# killed at the wait point vacuum-reaching (after the first element it linked back,
# its record flushed): after recovery the index is sound, and the next VACUUM links
# back the rest, on the standby too.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $primary = vr_node('primary', streaming => 1);
$primary->start;
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;

vr_create_extension($primary);
$primary->safe_psql('postgres', q{
CREATE FUNCTION row_vec(i int) RETURNS vector(8) LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY(SELECT ((hashint4(i * 8 + j) & 1023) / 1024.0)::real FROM generate_series(1, 8) j)::vector(8) $$;
-- No primary key: VACUUM's index phase is hnsw's alone.
CREATE TABLE items (id int, v vector(8));
CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops) WITH (m = 2, ef_construction = 10);
-- The same rows under a filter-column index (value links per label, and per grp, its second key column).
CREATE TABLE labeled (id int, label int, grp int, v vector(8));
CREATE INDEX labeled_lv ON labeled USING hnsw (label, grp, v vector_l2_ops) WITH (m = 2, ef_construction = 10);
INSERT INTO items SELECT i, row_vec(i) FROM generate_series(1, 2000) i;
INSERT INTO labeled SELECT i, i % 5, i % 7, row_vec(i) FROM generate_series(1, 2000) i;
});

# Elements of both indexes that no search from the entry point reaches, and of the
# filter index those that a search within their label (or grp) does not reach from the
# label's (grp's) entry, as hnsw_check counts them.
sub unreached
{
	return $primary->safe_psql('postgres',
		"SELECT coalesce(sum(substring(message FROM '^(\\d+) ')::bigint), 0) "
		  . "FROM unnest('{items_v,labeled_lv}'::regclass[]) i, vecrbac.hnsw_check(i) "
		  . "WHERE message LIKE '%cannot be reached from%'");
}

# The ids an exhaustive scan of $index on $table finds on $node, sorted.
sub index_ids
{
	my ($node, $table, $index, $label) = @_;
	my $ids = vr_index_all_ids($node, 'postgres', table => $table, query => 'row_vec(0)', index => $index);
	ok(defined $ids, "$label: the exhaustive search is an index scan on $index") or return '';
	return join(',', sort { $a <=> $b } @$ids);
}

sub all_ids { join(',', 1 .. $_[0]) }

sub compare_nodes
{
	my ($label, $rows) = @_;
	vr_wait_replayed($primary, $standby);
	for my $ix ([ 'items', 'items_v' ], [ 'labeled', 'labeled_lv' ])
	{
		my ($table, $index) = @$ix;
		is_deeply(vr_page_digests($standby, 'postgres', $index), vr_page_digests($primary, 'postgres', $index),
			"$label: pages of $index identical on both nodes");
		is(index_ids($primary, $table, $index, "$label, primary"), all_ids($rows),
			"$label: every row found through $index on the primary");
		is(index_ids($standby, $table, $index, "$label, standby"), all_ids($rows),
			"$label: every row found through $index on the standby");
	}
}

cmp_ok(unreached(), '>', 0, 'inserts cut elements off');
$primary->safe_psql('postgres', 'VACUUM items, labeled;');
is(unreached(), 0, 'VACUUM linked every element back');
compare_nodes('after VACUUM', 2000);

# ---- a crash inside the repair ----------------------------------------------------------
$primary->safe_psql('postgres', 'INSERT INTO items SELECT i, row_vec(i) FROM generate_series(2001, 4000) i;');
$primary->safe_psql('postgres', 'INSERT INTO labeled SELECT i, i % 5, i % 7, row_vec(i) FROM generate_series(2001, 4000) i;');
my $before = unreached();
cmp_ok($before, '>', 0, 'more inserts cut elements off again');
my $hold = vr_wait_point_hold($primary, 'postgres', 'vacuum-reaching');
my $c = vr_start_psql($primary, 'postgres', "SET vecrbac.test_wait_point = 'vacuum-reaching';\nVACUUM items;\n");
ok(vr_wait_point_await($hold, $c), 'VACUUM stopped after linking an element back')
  or diag('it ended first: ' . vr_client_output($c, 'err'));
# The index as VACUUM left it at the wait point (its pages, read beside it: hnsw_check
# would wait for VACUUM's lock on the table).
my $at_crash = vr_page_digests($primary, 'postgres', 'items_v');
vr_flush_wal($primary);
vr_crash($primary);
vr_client_finish($c);
vr_client_finish($hold->{client});
is(join("\n", vr_client_errors($c)), '', 'no error but the crash');
$primary->start;

vr_assert_healthy($primary, 'postgres', index => 'items_v', table => 'items', label => '(crash in the repair)');
my $after = unreached();
# A link written may displace another (L2 gives up a full list's farthest link), so the
# count of unreached elements need not fall at the first link (it stayed at 484 in one
# run of three); the pages must be the ones the crash interrupted, links and all.
is_deeply(vr_page_digests($primary, 'postgres', 'items_v'), $at_crash,
	"the links written before the crash are kept: the pages are those at the crash ($before unreached before, $after after)");
$primary->safe_psql('postgres', 'VACUUM items, labeled;');
is(unreached(), 0, 'the next VACUUM links back the rest');
vr_assert_healthy($primary, 'postgres', index => 'items_v', table => 'items', exact => 1,
	label => '(VACUUM after the crash)', min_reachable => 1);
compare_nodes('after the crash and a VACUUM', 4000);

$standby->stop;
$primary->stop;
done_testing();
