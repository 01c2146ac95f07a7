# 019_ivfflat_keys.pl: the key chains of an ivfflat index with filter columns, through
# crashes and in the format of 0.3.0 (no key chains).
#
# A scan under filter keys reads a list's keys, then the entries they name (ivfflat.h).
# Each check compares what an exhaustive scoped index scan returns (plan asserted: an
# index scan on items_v with the tenant as an index condition) with the table's rows.
#
# Crashes land at named wait points (src/pg/wait_point.h), after vr_flush_wal made the
# operation's WAL durable, never after a sleep:
#   ivfflat-insert-key    an insert whose entry is in its list, its key not yet;
#   ivfflat-vacuum-keys   VACUUM after the keys of its first list, before their entries.
# Then the index is turned into the format 0.3.0 wrote (the metapage's flags cleared on
# disk, as 0.3.0 left them): scans, inserts and VACUUM go on working without keys, and
# REINDEX brings the keys back.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 16;
my $tenants = 7;

my $node = vr_node('keys');
$node->start;
vr_create_extension($node);
# No primary key: VACUUM's index pass is ivfflat's alone.
$node->safe_psql('postgres', qq{
CREATE TABLE items (id int, tenant int, v vector($dim));
INSERT INTO items SELECT i, i % $tenants, vr_vec(i, $dim) FROM generate_series(1, 2000) i;
CREATE INDEX items_v ON items USING ivfflat (v vector_l2_ops, tenant) WITH (lists = 8);
CHECKPOINT;
});

# Byte 46 of the metapage: the flags (page header 24 bytes, then magic, version,
# dimensions, lists, value type, vector column, filter columns).
sub meta_flags
{
	return $node->safe_psql('postgres', "SELECT get_byte(get_raw_page('items_v', 0), 46)");
}

# Every id of a tenant through the index (iterative: every list), sorted.
sub scoped_ids
{
	my ($tenant) = @_;
	my $settings = "SET enable_seqscan = off;\nSET ivfflat.iterative_scan = relaxed_order;\n";
	my $query = "SELECT id FROM items WHERE tenant = $tenant ORDER BY v <-> vr_vec(7, $dim)";
	my $plan = $node->safe_psql('postgres', "${settings}EXPLAIN (COSTS OFF) $query;");
	die "not a scoped index scan on items_v:\n$plan"
	  unless $plan =~ /Index Scan using items_v / && $plan =~ /Index Cond: \(tenant = $tenant\)/;
	return join(',', sort { $a <=> $b } @{ vr_ids($node, 'postgres', "$settings$query;") });
}

sub table_ids
{
	my ($tenant) = @_;
	return join(',', @{ vr_ids($node, 'postgres', "SELECT id FROM items WHERE tenant = $tenant ORDER BY id;") });
}

# Every tenant's rows through the index are the table's.
sub check_all
{
	my ($label) = @_;
	my @diff;
	for my $t (0 .. $tenants - 1)
	{
		my ($got, $want) = (scoped_ids($t), table_ids($t));
		push @diff, "tenant $t: index $got / table $want" if $got ne $want;
	}
	is_deeply(\@diff, [], "$label: every tenant's rows, once each");
}

is(meta_flags(), '1', 'an index with a filter column is built with key chains');
check_all('after build');

# ---- an insert stopped between its entry and its key -----------------------------------
my $hold = vr_wait_point_hold($node, 'postgres', 'ivfflat-insert-key');
my $c = vr_start_psql($node, 'postgres', "SET vecrbac.test_wait_point = 'ivfflat-insert-key';\n"
	  . "INSERT INTO items SELECT i, i % $tenants, vr_vec(i, $dim) FROM generate_series(2001, 2100) i;");
ok(vr_wait_point_await($hold, $c), 'the insert stopped at ivfflat-insert-key')
  or diag('it ended first: ' . vr_client_output($c, 'err'));
vr_flush_wal($node);
vr_crash($node);
vr_client_finish($c);
vr_client_finish($hold->{client});
is(join("\n", vr_client_errors($c)), '', 'no error but the crash (insert)');
$node->start;
check_all('after the crash in an insert');
$node->safe_psql('postgres',
	"INSERT INTO items SELECT i, i % $tenants, vr_vec(i, $dim) FROM generate_series(2001, 3000) i;");
check_all('inserts after recovery');
$node->safe_psql('postgres', 'VACUUM items;');
check_all('VACUUM after recovery');

# ---- VACUUM stopped between a list's keys and its entries --------------------------------
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 3 = 0;');
$hold = vr_wait_point_hold($node, 'postgres', 'ivfflat-vacuum-keys');
$c = vr_start_psql($node, 'postgres', "SET vecrbac.test_wait_point = 'ivfflat-vacuum-keys';\nVACUUM items;");
ok(vr_wait_point_await($hold, $c), 'VACUUM stopped at ivfflat-vacuum-keys')
  or diag('it ended first: ' . vr_client_output($c, 'err'));
vr_flush_wal($node);
vr_crash($node);
vr_client_finish($c);
vr_client_finish($hold->{client});
is(join("\n", vr_client_errors($c)), '', 'no error but the crash (vacuum)');
$node->start;
check_all('after the crash in VACUUM');
$node->safe_psql('postgres', 'VACUUM items;');
check_all('the next VACUUM completes');
# rows into the room VACUUM made: their keys name entries on pages that lost others
$node->safe_psql('postgres',
	"INSERT INTO items SELECT i, i % $tenants, vr_vec(i + 11, $dim) FROM generate_series(1, 3000) i WHERE i % 3 = 0;");
check_all('inserts into the freed space');
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 5 = 0; VACUUM items;');
check_all('a second delete and VACUUM');

# ---- the format of 0.3.0: no key chains ----------------------------------------------------
my $file = $node->data_dir . '/' . $node->safe_psql('postgres', "SELECT pg_relation_filepath('items_v')");
$node->stop;
open(my $fh, '+<:raw', $file) or die "open $file: $!";
seek($fh, 46, 0) or die;
print $fh pack('S', 0);
close($fh) or die;
$node->start;
is(meta_flags(), '0', 'the metapage says: no key chains (as 0.3.0 wrote it)');
check_all('0.3.0 format: scans');
$node->safe_psql('postgres',
	"INSERT INTO items SELECT i, i % $tenants, vr_vec(i, $dim) FROM generate_series(3001, 3500) i;");
check_all('0.3.0 format: inserts');
$node->safe_psql('postgres', 'DELETE FROM items WHERE id % 4 = 0; VACUUM items;');
check_all('0.3.0 format: VACUUM');
$node->safe_psql('postgres', 'REINDEX INDEX items_v;');
is(meta_flags(), '1', 'REINDEX builds the key chains');
check_all('after REINDEX');

$node->stop;
done_testing();
