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
# Sets: "vector" (vector, hnsw); "types" (halfvec, sparsevec, bit; each set is skipped
# with a message where vecrbac lacks what it needs); "ivfflat" (vector, and the halfvec
# and bit opclasses vecrbac has since 0.4.0).
#
# Live path (VR_PGVECTOR_PREFIX: a PostgreSQL with pgvector, scripts/build_pgvector.sh):
# each set is also built on pgvector now, its answers compared with the recorded ones,
# its dump compared with the recorded dump, and that live dump restored into vecrbac
# with the same checks. Skipped with a message otherwise. With VR_PGVECTOR_RECORD=1 the
# live dumps and answers are written to tmp_check/recorded/ (to update test/data).
# The sets, queries and the tie-aware comparison are in test/tap/lib/VecrbacMigrate.pm.
use strict;
use warnings;
use File::Path qw(make_path);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;
use VecrbacMigrate;

my $data = "$ENV{VR_ROOT}/test/data/pgvector";

# Restores $dump_file into a new vecrbac database and checks it answers like pgvector.
my $ndb = 0;
sub check_restored
{
	my ($node, $setname, $dump_file, $answers, $digest, $label, %o) = @_;
	my $set = $sets{$setname};
	my $db = 'mig_' . $ndb++;
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, $o{cascade} ? 'CREATE EXTENSION vector CASCADE' : 'CREATE EXTENSION vecrbac');
	my ($ok, $err) = restore_dump($node, $db, $dump_file);
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
for my $setname (@set_order)
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
	my $pgdir = pgvector_install();
	skip 'VR_PGVECTOR_PREFIX is not set (scripts/build_pgvector.sh makes one): live pgvector comparison not run', 1
	  unless $pgdir;
	my $pgv = vr_node('pgvector', install_path => $pgdir);
	$pgv->start;
	my $recdir = "${PostgreSQL::Test::Utils::tmp_check}/recorded";
	make_path($recdir) if $ENV{VR_PGVECTOR_RECORD};
	for my $setname (@set_order)
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
