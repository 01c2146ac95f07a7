# VecrbacMigrate.pm: the pgvector data sets, queries and answer comparison shared by the
# migration tests (test/tap/013_migrate_pgvector.pl, 014_migrate_pgvector_in_place.pl).
#
# A set is built on pgvector from test/data/pgvector/<set>.schema.sql; each of its
# queries names the index pgvector's plan (and vecrbac's, after migrating) must scan.
# Answers are [[id, distance], ...], k = 10. Ties: distances are compared to 1e-5; ids
# must agree for every row strictly closer than the k-th distance (at the k-th distance
# any tied row is a right answer).
package VecrbacMigrate;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(%sets @set_order answer format_answer parse_answer compare_answer read_answers
  index_defs dump_db restore_dump pgvector_install);

my $k = 10;

my $q8a = "'[0.1,-0.2,0.3,-0.4,0.05,0.25,-0.15,0.2]'";
my $q8b = "'[-0.3,0.1,0.05,0.2,-0.25,-0.1,0.4,0.0]'";
my $q4 = "'[0.2,-0.1,0.3,0.1]'";
my $h16 = "'[0.1,-0.2,0.3,-0.4,0.05,0.25,-0.15,0.2,-0.3,0.1,0.05,0.2,-0.25,-0.1,0.4,0.01]'";

# Each query: its index, the ordering expression, the operator, the query value and
# an optional filter. Settings per set.
our %sets = (
	vector => {
		needs => undef,
		digest => q{SELECT (SELECT md5(string_agg(concat_ws(':', id, category, embedding, note), ',' ORDER BY id)) FROM items)
			|| ' ' || (SELECT md5(string_agg(concat_ws(':', id, round(norm::numeric, 5), round(from_origin::numeric, 5)), ',' ORDER BY id)) FROM items_norms)},
		queries => [
			[ 'l2_a', 'items', 'items_l2', 'embedding', '<->', "${q8a}::vector" ],
			[ 'l2_b', 'items', 'items_l2', 'embedding', '<->', "${q8b}::vector" ],
			[ 'ip_a', 'items', 'items_ip', 'embedding', '<#>', "${q8a}::vector" ],
			[ 'cosine_b', 'items', 'items_cosine', 'embedding', '<=>', "${q8b}::vector" ],
			[ 'head_expr', 'items', 'items_head', 'subvector(embedding, 1, 4)::vector(4)', '<->', "${q4}::vector" ],
			[ 'l1_partial', 'items', 'items_l1_cat1', 'embedding', '<+>', "${q8a}::vector", 'category = 1' ],
		],
	},
	types => {
		needs => q{SELECT to_regtype('halfvec') IS NOT NULL AND to_regtype('sparsevec') IS NOT NULL},
		digest => q{SELECT md5(string_agg(concat_ws(':', id, h, s, b), ',' ORDER BY id)) FROM typed},
		queries => [
			[ 'halfvec_l2', 'typed', 'typed_h_l2', 'h', '<->', "${h16}::halfvec" ],
			[ 'sparsevec_cosine', 'typed', 'typed_s_cosine', 's', '<=>', q{'{1:0.5,17:0.3,42:0.9,99:0.2}/100'::sparsevec} ],
			[ 'bit_hamming', 'typed', 'typed_b_hamming', 'b', '<~>', q{(x'5a5a00ff0f0f3c3c')::bit(64)} ],
			[ 'quantized_jaccard', 'typed', 'typed_hq_jaccard', 'binary_quantize(h)::bit(16)', '<%>', q{B'1010011100101101'} ],
			[ 'halfvec_ip_partial', 'typed', 'typed_h_ip_even', 'h', '<#>', "${h16}::halfvec", 'id % 2 = 0' ],
		],
	},
	ivfflat => {
		needs => q{SELECT EXISTS (SELECT FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
			WHERE a.amname = 'ivfflat' AND c.opcname IN ('halfvec_l2_ops', 'bit_hamming_ops') HAVING count(*) = 2)},
		# Every list probed: the answers are exact, whatever the k-means centers.
		settings => [ 'ivfflat.probes = 4' ],
		digest => q{SELECT (SELECT md5(string_agg(concat_ws(':', id, category, embedding), ',' ORDER BY id)) FROM lists_items)
			|| ' ' || (SELECT md5(string_agg(concat_ws(':', id, h, b), ',' ORDER BY id)) FROM lists_typed)},
		queries => [
			[ 'l2_a', 'lists_items', 'lists_l2', 'embedding', '<->', "${q8a}::vector" ],
			[ 'cosine_b', 'lists_items', 'lists_cosine', 'embedding', '<=>', "${q8b}::vector" ],
			[ 'head_expr', 'lists_items', 'lists_head', 'subvector(embedding, 1, 4)::vector(4)', '<->', "${q4}::vector" ],
			[ 'ip_partial', 'lists_items', 'lists_ip_cat2', 'embedding', '<#>', "${q8b}::vector", 'category = 2' ],
			[ 'halfvec_l2', 'lists_typed', 'lists_h_l2', 'h', '<->', "${h16}::halfvec" ],
			[ 'halfvec_ip', 'lists_typed', 'lists_h_ip', 'h', '<#>', "${h16}::halfvec" ],
			[ 'halfvec_cosine', 'lists_typed', 'lists_h_cosine', 'h', '<=>', "${h16}::halfvec" ],
			[ 'bit_hamming', 'lists_typed', 'lists_b_hamming', 'b', '<~>', q{(x'5a5a00ff0f0f3c3c')::bit(64)} ],
		],
	},
);
our @set_order = qw(vector types ivfflat);

sub settings_sql { join('', map { "SET $_;\n" } @{ $_[0] // [] }) }

# The answer of one query as [[id, distance], ...], and the index its plan scans.
sub answer
{
	my ($node, $db, $set, $q, %o) = @_;
	my ($name, $table, $index, $expr, $op, $value, $filter) = @$q;
	my $where = $filter ? "WHERE $filter" : '';
	my $sql = "SELECT id, ($expr) $op ($value) FROM $table $where ORDER BY ($expr) $op ($value) LIMIT $k";
	if ($o{exact})
	{
		$sql = "SET enable_indexscan = off;\nSET enable_bitmapscan = off;\n"
		  . "SELECT id, ($expr) $op ($value) AS d FROM $table $where ORDER BY d, id LIMIT $k";
	}
	else
	{
		$sql = "SET enable_seqscan = off;\n" . settings_sql($set->{settings}) . $sql;
	}
	my ($plan) = $o{exact} ? ('') : ($node->safe_psql($db, $sql =~ s/SELECT id,/EXPLAIN (COSTS OFF) SELECT id,/r));
	my ($used) = $plan =~ /Index Scan using (\S+) on /;
	my @rows = map { [ split /\|/ ] } grep { length } split /\n/, $node->safe_psql($db, "$sql;");
	return (\@rows, $used // '', $plan);
}

sub format_answer { join(' ', map { "$_->[0]:$_->[1]" } @{ $_[0] }) }

sub parse_answer { [ map { [ split /:/ ] } split / /, $_[0] ] }

# '' when $got answers like $want; otherwise what differs.
sub compare_answer
{
	my ($got, $want) = @_;
	return sprintf('%d rows instead of %d', scalar(@$got), scalar(@$want)) if @$got != @$want;
	for my $i (0 .. $#$want)
	{
		my ($g, $w) = ($got->[$i][1], $want->[$i][1]);
		return "distance $i is $g instead of $w" if abs($g - $w) > 1e-5 * (1 + abs($w));
	}
	my $last = $want->[-1][1];
	my @g = sort map { $_->[0] } grep { $_->[1] < $last - 1e-6 } @$got;
	my @w = sort map { $_->[0] } grep { $_->[1] < $last - 1e-6 } @$want;
	return "ids closer than the last distance: @g instead of @w" if "@g" ne "@w";
	return '';
}

sub read_answers
{
	my ($file) = @_;
	my %a;
	for my $line (split /\n/, slurp_file($file))
	{
		my ($name, $rest) = split /\t/, $line, 2;
		$a{$name} = $rest;
	}
	return \%a;
}

# The CREATE INDEX statements of a dump, for comparing definitions.
sub index_defs
{
	my ($dump) = @_;
	return join("\n", sort grep { /^CREATE INDEX / } split /\n/, $dump);
}

sub dump_db
{
	my ($node, $db) = @_;
	my $bindir = $node->install_path ? $node->install_path . '/bin/' : '';
	my ($out, $err) = ('', '');
	IPC::Run::run([ "${bindir}pg_dump", '-d', $node->connstr($db) ], '>', \$out, '2>', \$err)
	  or die "pg_dump $db failed: $err";
	return $out;
}

# Restores a dump file with psql, stopping at the first error.
sub restore_dump
{
	my ($node, $db, $file) = @_;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', $file ],
		'>', \$out, '2>', \$err);
	return ($ok, $err);
}

# The PostgreSQL directory (Debian's layout, as scripts/build_pgvector.sh copies it) of
# the private install in $ENV{VR_PGVECTOR_PREFIX}, when it has pgvector (and, with
# $need_vecrbac, vecrbac's adopt_pgvector script too); undef otherwise.
sub pgvector_install
{
	my ($need_vecrbac) = @_;
	my $prefix = $ENV{VR_PGVECTOR_PREFIX} or return undef;
	my ($pgdir) = map { s{/bin/postgres$}{}r } glob("$prefix/usr/lib/postgresql/*/bin/postgres");
	die "VR_PGVECTOR_PREFIX=$prefix has no PostgreSQL with pgvector (scripts/build_pgvector.sh makes one)"
	  unless $pgdir && -e "$pgdir/lib/vector.so";
	if ($need_vecrbac)
	{
		my ($share) = glob("$prefix/usr/share/postgresql/*/extension");
		die "VR_PGVECTOR_PREFIX=$prefix has no vecrbac (scripts/build_pgvector.sh installs it)"
		  unless -e "$pgdir/lib/vecrbac.so" && $share && -e "$share/vecrbac--adopt_pgvector.sql";
	}
	return $pgdir;
}

1;
