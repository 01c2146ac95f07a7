# 013_migrate_pgvector.pl: a pg_dump of a pgvector 0.8 database restores into a vecrbac
# database without edits and answers every query as pgvector did (docs/migrating.md).
#
# Recorded path (always): test/data/pgvector/<set>.dump.sql, made by pgvector 0.8 from
# <set>.schema.sql, is restored with psql into a database where vecrbac is created (and
# once into one where only "CREATE EXTENSION vector CASCADE" ran): the dump's own
# "CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public" is then the companion
# extension. Each nearest-neighbour query must use the index pgvector used (plan
# asserted) and return pgvector's recorded answer (<set>.answers: ids and distances,
# which pgvector's index gave and which equal the exact answer, checked when recorded);
# a digest of every row proves each value reads back the same; the index definitions
# (options, expressions, predicates) come back unchanged.
#
# Sets: "vector" (vector, hnsw); "types" (halfvec, sparsevec, bit), skipped until
# vecrbac has halfvec; "ivfflat", skipped until vecrbac has the ivfflat access method.
#
# Live path (VR_PGVECTOR_PREFIX: a PostgreSQL with pgvector, scripts/build_pgvector.sh):
# each set is also built on pgvector now, its answers compared with the recorded ones,
# its dump compared with the recorded dump, and that live dump restored into vecrbac
# with the same checks. Skipped with a message otherwise. With VR_PGVECTOR_RECORD=1 the
# live dumps and answers are written to tmp_check/recorded/ (to update test/data).
#
# Ties: distances are compared to 1e-5; ids must agree for every row strictly closer
# than the k-th distance (at the k-th distance any tied row is a right answer).
use strict;
use warnings;
use File::Path qw(make_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $data = "$ENV{VR_ROOT}/test/data/pgvector";
my $k = 10;

my $q8a = "'[0.1,-0.2,0.3,-0.4,0.05,0.25,-0.15,0.2]'";
my $q8b = "'[-0.3,0.1,0.05,0.2,-0.25,-0.1,0.4,0.0]'";
my $q4 = "'[0.2,-0.1,0.3,0.1]'";
my $h16 = "'[0.1,-0.2,0.3,-0.4,0.05,0.25,-0.15,0.2,-0.3,0.1,0.05,0.2,-0.25,-0.1,0.4,0.01]'";

# Each query: its index, the ordering expression, the operator, the query value and
# an optional filter. Settings per set.
my %sets = (
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
		needs => q{SELECT EXISTS (SELECT FROM pg_am WHERE amname = 'ivfflat')},
		# Every list probed: the answers are exact, whatever the k-means centers.
		settings => [ 'ivfflat.probes = 4' ],
		digest => q{SELECT md5(string_agg(concat_ws(':', id, category, embedding), ',' ORDER BY id)) FROM lists_items},
		queries => [
			[ 'l2_a', 'lists_items', 'lists_l2', 'embedding', '<->', "${q8a}::vector" ],
			[ 'cosine_b', 'lists_items', 'lists_cosine', 'embedding', '<=>', "${q8b}::vector" ],
			[ 'head_expr', 'lists_items', 'lists_head', 'subvector(embedding, 1, 4)::vector(4)', '<->', "${q4}::vector" ],
			[ 'ip_partial', 'lists_items', 'lists_ip_cat2', 'embedding', '<#>', "${q8b}::vector", 'category = 2' ],
		],
	},
);
my @order = qw(vector types ivfflat);

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
sub restore
{
	my ($node, $db, $file) = @_;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', $file ],
		'>', \$out, '2>', \$err);
	return ($ok, $err);
}

# Restores $dump_file into a new vecrbac database and checks it answers like pgvector.
my $ndb = 0;
sub check_restored
{
	my ($node, $setname, $dump_file, $answers, $digest, $label, %o) = @_;
	my $set = $sets{$setname};
	my $db = 'mig_' . $ndb++;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, $o{cascade} ? 'CREATE EXTENSION vector CASCADE' : 'CREATE EXTENSION vecrbac');
	my ($ok, $err) = restore($node, $db, $dump_file);
	ok($ok, "$label: the pgvector dump restores without edits") or diag($err);
	is($node->safe_psql($db, "SELECT string_agg(extname || ' ' || extversion, ', ' ORDER BY extname) FROM pg_extension WHERE extname IN ('vector', 'vecrbac')"),
		'vecrbac ' . $node->safe_psql($db, "SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac'") . ', vector 0.8.0',
		"$label: extension vector is the companion, next to vecrbac");
	is($node->safe_psql($db, $set->{digest}), $digest, "$label: every row reads back as pgvector wrote it");
	is(index_defs(dump_db($node, $db)), index_defs(slurp_file($dump_file)),
		"$label: index definitions (options, expressions, predicates) unchanged");
	is($node->safe_psql($db, "SELECT count(*) FROM pg_index WHERE NOT indisvalid"), '0', "$label: every index valid");
	for my $q (@{ $set->{queries} })
	{
		my ($rows, $used, $plan) = answer($node, $db, $set, $q);
		is($used, $q->[2], "$label: $q->[0] scans index $q->[2]") or diag($plan);
		is(compare_answer($rows, parse_answer($answers->{ $q->[0] } // '')), '',
			"$label: $q->[0] answers as pgvector did");
	}
	return $db;
}

my $node = vr_node('vecrbac');
$node->start;

# ---- recorded dumps ----------------------------------------------------------------
my %recorded;
for my $setname (@order)
{
	my $set = $sets{$setname};
	my $answers = read_answers("$data/$setname.answers");
	$recorded{$setname} = $answers;
	SKIP:
	{
		skip "set $setname: recording, the recorded files are being replaced", 1 if $ENV{VR_PGVECTOR_RECORD};
		if ($set->{needs})
		{
			$node->safe_psql('postgres', 'CREATE DATABASE mig_probe');
			$node->safe_psql('mig_probe', 'CREATE EXTENSION vecrbac');
			my $has = $node->safe_psql('mig_probe', $set->{needs});
			$node->safe_psql('postgres', 'DROP DATABASE mig_probe');
			skip "set $setname: vecrbac lacks what it needs ($set->{needs}): not run", 1 unless $has eq 't';
		}
		check_restored($node, $setname, "$data/$setname.dump.sql", $answers, $answers->{digest}, "recorded $setname");
		check_restored($node, $setname, "$data/$setname.dump.sql", $answers, $answers->{digest},
			"recorded $setname after CREATE EXTENSION vector CASCADE", cascade => 1)
		  if $setname eq 'vector';
	}
}

# ---- live pgvector -----------------------------------------------------------------
SKIP:
{
	my $prefix = $ENV{VR_PGVECTOR_PREFIX};
	skip 'VR_PGVECTOR_PREFIX is not set (scripts/build_pgvector.sh makes one): live pgvector comparison not run', 1
	  unless $prefix;
	# Debian's layout, copied under the prefix by scripts/build_pgvector.sh.
	my ($pgdir) = map { s{/bin/postgres$}{}r } glob("$prefix/usr/lib/postgresql/*/bin/postgres");
	die "no PostgreSQL with pgvector in $prefix" unless $pgdir && -e "$pgdir/lib/vector.so";
	my $pgv = vr_node('pgvector', install_path => $pgdir);
	$pgv->start;
	my $recdir = "${PostgreSQL::Test::Utils::tmp_check}/recorded";
	make_path($recdir) if $ENV{VR_PGVECTOR_RECORD};
	for my $setname (@order)
	{
		my $set = $sets{$setname};
		$pgv->safe_psql('postgres', "CREATE DATABASE live_$setname");
		$pgv->safe_psql("live_$setname", slurp_file("$data/$setname.schema.sql"));
		my %live = (digest => $pgv->safe_psql("live_$setname", $set->{digest}));
		for my $q (@{ $set->{queries} })
		{
			my ($rows, $used, $plan) = answer($pgv, "live_$setname", $set, $q);
			is($used, $q->[2], "pgvector: $setname $q->[0] scans index $q->[2]") or diag($plan);
			my ($exact) = answer($pgv, "live_$setname", $set, $q, exact => 1);
			is(compare_answer($rows, $exact), '', "pgvector: $setname $q->[0] index answer is exact");
			$live{ $q->[0] } = format_answer($rows);
			is(compare_answer($rows, parse_answer($recorded{$setname}{ $q->[0] } // '')), '',
				"pgvector: $setname $q->[0] answers as recorded");
		}
		is($live{digest}, $recorded{$setname}{digest}, "pgvector: $setname rows as recorded");
		my $dump = dump_db($pgv, "live_$setname");
		my $strip = sub { join("\n", grep { !/^\\(un)?restrict |^-- Dumped (from|by) / } split /\n/, $_[0]) };
		is($strip->($dump), $strip->(slurp_file("$data/$setname.dump.sql")), "pgvector: $setname dump as recorded");
		my $file = "${PostgreSQL::Test::Utils::tmp_check}/live_$setname.dump.sql";
		open(my $fh, '>', $file) or die "$file: $!";
		print $fh $dump;
		close $fh;
		if ($ENV{VR_PGVECTOR_RECORD})
		{
			system('cp', $file, "$recdir/$setname.dump.sql") == 0 or die 'cp failed';
			open(my $ah, '>', "$recdir/$setname.answers") or die "$recdir: $!";
			print $ah map { "$_\t$live{$_}\n" } sort keys %live;
			close $ah;
			note("recorded $setname into $recdir");
		}
		SKIP:
		{
			$node->safe_psql('postgres', "CREATE DATABASE live_probe_$setname");
			$node->safe_psql("live_probe_$setname", 'CREATE EXTENSION vecrbac');
			my $has = $set->{needs} ? $node->safe_psql("live_probe_$setname", $set->{needs}) : 't';
			skip "set $setname: vecrbac lacks what it needs: live dump not restored", 1 unless $has eq 't';
			check_restored($node, $setname, $file, \%live, $live{digest}, "live $setname");
		}
	}
	$pgv->stop;
}

$node->stop;
done_testing();
