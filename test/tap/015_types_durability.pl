# 015_types_durability.pl: hnsw indexes over halfvec, bit and sparsevec, and vector
# indexes that store halves, bytes or bits (quantization = 'half', 'int8', 'binary'), are
# WAL-logged, replayed byte for byte by a standby, vacuumed, and survive a crash, as
# the vector indexes of 001, 002 and 012 are.
#
# One table holds the four types, derived from the same deterministic vectors; an
# index of each type (halfvec with cosine and a filter column, bit with Hamming,
# sparsevec with L2, vector with L2, a filter column and half quantization, vector with
# L1 distance stored in bytes, vector with cosine distance stored in bits and re-ranked
# from the table). After each step on the primary (build, inserts, deletes,
# VACUUM, updates), once the standby has replayed it:
#   - every page of each index is byte-identical on both nodes;
#   - each index answers the same queries with the same rows on both nodes (index
#     scans, checked), and recall@10 against an exact search stays high;
#   - the checker is clean.
# Then the primary is killed (SIGKILL to every process) with one committed and one
# uncommitted batch of inserts: after recovery an exhaustive index scan returns each
# row at most once, no uncommitted row, and at least 98% of the rows (those HNSW's
# links reach), the checker is clean, and the standby follows again.
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
# row(i): the three values of row i, from one 64-dimension vector.
$primary->safe_psql('postgres', q{
CREATE FUNCTION row_values(i bigint, OUT hv halfvec(64), OUT bt bit(64), OUT sv sparsevec(64), OUT v vector(64))
LANGUAGE sql IMMUTABLE AS $$
  SELECT vr_vec(i, 64)::halfvec(64), binary_quantize(vr_vec(i, 64) - vr_vec(0, 64))::bit(64),
         array(SELECT CASE WHEN x > 0.7 THEN x ELSE 0 END FROM unnest(vr_vec(i, 64)::real[]) x)::vector::sparsevec,
         vr_vec(i, 64)
$$;
CREATE TABLE items (id int PRIMARY KEY, tenant int NOT NULL, hv halfvec(64), bt bit(64), sv sparsevec(64), v vector(64));
INSERT INTO items SELECT i, i % 5, r.* FROM generate_series(1, 1500) i, row_values(i) r;
CREATE INDEX items_hv ON items USING hnsw (tenant, hv halfvec_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX items_bt ON items USING hnsw (bt bit_hamming_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX items_sv ON items USING hnsw (sv sparsevec_l2_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX items_vq ON items USING hnsw (tenant, v vector_l2_ops) WITH (quantization = 'half');
CREATE INDEX items_v8 ON items USING hnsw (v vector_l1_ops) WITH (quantization = 'int8');
CREATE INDEX items_vb ON items USING hnsw (v vector_cosine_ops) WITH (quantization = 'binary');
});

# index, column, operator, query expression of a seed, whether recall is asserted
# (Hamming distances of 64 bits tie so often that the exact top 10 is not unique).
# The query is a subquery: PostgreSQL never folds a call of a function that returns a
# record into a constant, and an exact search would call row_values once per row.
my @indexes = (
	[ 'items_hv', 'hv', '<=>', sub { "(SELECT (row_values($_[0])).hv)" }, 1 ],
	[ 'items_bt', 'bt', '<~>', sub { "(SELECT (row_values($_[0])).bt)" }, 0 ],
	[ 'items_sv', 'sv', '<->', sub { "(SELECT (row_values($_[0])).sv)" }, 1 ],
	[ 'items_vq', 'v', '<->', sub { "(SELECT (row_values($_[0])).v)" }, 1 ],
	[ 'items_v8', 'v', '<+>', sub { "(SELECT (row_values($_[0])).v)" }, 1 ],
	[ 'items_vb', 'v', '<=>', sub { "(SELECT (row_values($_[0])).v)" }, 1 ]);

sub compare_nodes
{
	my ($label) = @_;
	vr_wait_replayed($primary, $standby);
	for my $ix (@indexes)
	{
		my ($index, $col, $op, $query, $recall) = @$ix;
		is_deeply(vr_page_digests($standby, 'postgres', $index),
			vr_page_digests($primary, 'postgres', $index),
			"$label: pages of $index identical on both nodes");
		my (@diff, $found, $total);
		for my $q (1 .. 5)
		{
			my %a = (table => 'items', column => $col, op => $op, query => $query->(100000 + $q),
				k => 10, index => $index, settings => ['hnsw.ef_search = 100']);
			my $p = vr_knn($primary, 'postgres', %a);
			my $s = vr_knn($standby, 'postgres', %a);
			push @diff, "q$q: primary @$p / standby @$s" if "@$p" ne "@$s" || @$p != 10;
			my $exact = vr_exact($primary, 'postgres', %a);
			$found += vr_recall($p, $exact) * 10;
			$total += 10;
		}
		is_deeply(\@diff, [], "$label: standby = primary for $index");
		cmp_ok($found / $total, '>=', 0.9, "$label: recall\@10 of $index") if $recall;
		my $problems = vr_check_index($primary, 'postgres', $index);
		is_deeply($problems, [], "$label: hnsw_check($index) clean")
		  or diag(join("\n", @$problems));
	}
}

for my $ix (@indexes)
{
	my ($index, $col, $op, $query) = @$ix;
	vr_assert_index_used($primary, 'postgres',
		"SELECT id FROM items ORDER BY $col $op " . $query->(1) . " LIMIT 10", $index);
}
compare_nodes('after build');

$primary->safe_psql('postgres',
	'INSERT INTO items SELECT i, i % 5, r.* FROM generate_series(1501, 2500) i, row_values(i) r;');
compare_nodes('after inserts');

$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 0 OR id BETWEEN 1 AND 300;');
compare_nodes('after deletes');

$primary->safe_psql('postgres', 'VACUUM items;');
compare_nodes('after vacuum');

$primary->safe_psql('postgres', q{
UPDATE items SET (hv, bt, sv, v) = (SELECT * FROM row_values(id + 50000)) WHERE id % 7 = 1;
INSERT INTO items SELECT i, i % 5, r.* FROM generate_series(2501, 3000) i, row_values(i) r;
});
compare_nodes('after updates and inserts into freed space');

# ---- a crash with one batch committed and one in flight ---------------------------------
$primary->safe_psql('postgres',
	'INSERT INTO items SELECT i, i % 5, r.* FROM generate_series(3001, 3400) i, row_values(i) r;');
vr_flush_wal($primary);
my $open = vr_start_psql($primary, 'postgres', q{
BEGIN;
INSERT INTO items SELECT i, i % 5, r.* FROM generate_series(3401, 3800) i, row_values(i) r;
\echo inserted
SELECT pg_sleep(600);
});
$primary->poll_query_until('postgres',
	q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND state = 'active'})
  or die 'the open transaction did not start';
vr_crash($primary);
vr_client_finish($open);
$primary->start;

my $rows = $primary->safe_psql('postgres', 'SELECT count(*) FROM items WHERE id > 3000');
is($rows, '400', 'after the crash: the committed batch is there, the open one is not');
for my $ix (@indexes)
{
	my ($index, $col, $op, $query) = @$ix;
	my $ids = vr_index_all_ids($primary, 'postgres', table => 'items', index => $index,
		column => $col, op => $op, query => $query->(7));
	my %seen = map { $_ => 1 } @{ $ids // [] };
	my %committed = map { $_ => 1 } @{ vr_ids($primary, 'postgres', "SELECT id FROM items WHERE $col IS NOT NULL") };
	# HNSW does not promise every element an incoming link (hnsw_check warns of the
	# few it finds); lost links after a crash would cut off many more.
	my @missing = grep { !$seen{$_} } keys %committed;
	cmp_ok(scalar(@missing), '<=', 0.02 * scalar(keys %committed),
		"after the crash: an exhaustive scan of $index reaches at least 98% of the rows")
	  or diag(scalar(@missing) . ' of ' . scalar(keys %committed) . ' rows not reached');
	is(scalar(@{ $ids // [] }), scalar(keys %seen), "after the crash: $index returns each row once");
	is(scalar(grep { $_ > 3400 } keys %seen), 0, "after the crash: $index returns no uncommitted row");
	my $problems = vr_check_index($primary, 'postgres', $index);
	is_deeply($problems, [], "after the crash: hnsw_check($index) clean")
	  or diag(join("\n", @$problems));
}
$primary->safe_psql('postgres', 'VACUUM items;');
compare_nodes('after the crash and a vacuum');

done_testing();
