# 011_build_parallel.pl: index builds as users run them. A table loaded by COPY and
# indexed at once has never been analyzed (reltuples = -1); the build must still
# plan workers from the heap's size, honour the table's parallel_workers option,
# speak pgvector's messages (DEBUG "using N parallel workers", the NOTICE with its
# DETAIL and HINT when the graph outgrows maintenance_work_mem, serial or parallel),
# and report progress with a tuples_total from the same estimate. Every built index
# is checked: sound pages, every row once, and recall against exact search.
#
# Progress is sampled deterministically, in a serial and in a parallel build: the
# index has an expression column whose function waits on an advisory lock that this
# test holds, at a known row, so the build is caught in the middle of loading tuples.
# A table whose rows are much narrower than their column types suggest shows the
# other spill message: the shared graph sized from the estimate ran out first.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 8;
my $rows = 15000;
my $node = vr_node('build', conf => [ 'max_worker_processes = 8', 'max_parallel_workers = 8' ]);
$node->start;
vr_create_extension($node);

# The data file every table is loaded from, as a user would load it.
my $file = "${PostgreSQL::Test::Utils::tmp_check}/build_parallel_$$.copy";
$node->safe_psql('postgres',
	"COPY (SELECT i, vr_vec(i, $dim) FROM generate_series(1, $rows) i) TO '$file'");

# A fresh table loaded by COPY, never analyzed; returns its reltuples.
sub load
{
	my ($table, $n, $opts) = @_;
	$node->safe_psql('postgres', qq{
DROP TABLE IF EXISTS $table;
CREATE TABLE $table (id int, v vector($dim)) @{[ $opts // '' ]};
COPY $table FROM '$file' WHERE id <= $n;
});
	return $node->safe_psql('postgres', "SELECT reltuples FROM pg_class WHERE oid = '$table'::regclass");
}

# Runs CREATE INDEX with client_min_messages = DEBUG1 and returns its stderr.
sub build
{
	my ($sql, @settings) = @_;
	my ($ret, $out, $err) = $node->psql('postgres',
		join('', map { "SET $_;\n" } ('client_min_messages = debug1', @settings)) . $sql);
	is($ret, 0, "built: $sql") or diag($err);
	return $err;
}

# Recall of 10 queries at k = 10 against exact search, with the index in the plan.
sub check_index
{
	my ($table, $index, $label, $d) = @_;
	$d //= $dim;
	vr_assert_healthy($node, 'postgres', index => $index, table => $table, exact => 1,
		label => "($label)");
	vr_assert_index_used($node, 'postgres', "SELECT id FROM $table ORDER BY v <-> vr_vec(1, $d) LIMIT 10",
		$index, "$index answers k-NN ($label)");
	my ($found, $total) = (0, 0);
	for my $q (1 .. 10)
	{
		my %query = (table => $table, query => "vr_vec(1000000 + $q, $d)", k => 10);
		my $exact = vr_exact($node, 'postgres', %query);
		my $approx = vr_knn($node, 'postgres', %query, settings => ['hnsw.ef_search = 100']);
		$found += vr_recall($approx, $exact) * @$exact;
		$total += @$exact;
	}
	cmp_ok($found / $total, '>=', 0.9, "recall\@10 of $index ($label)");
}

# ---- COPY then CREATE INDEX at once: a parallel build, planned from the heap's size ----
is(load('fresh', $rows), '-1', 'the freshly loaded table has never been analyzed');
my $err = build('CREATE INDEX fresh_v ON fresh USING hnsw (v vector_l2_ops)');
like($err, qr/using [1-9]\d* parallel workers/, 'an unanalyzed table is built in parallel');
my ($estimate) = $err =~ /hnsw build: (\d+) rows estimated/;
ok(defined $estimate && $estimate >= $rows / 2 && $estimate <= $rows * 2,
	'the row estimate of an unanalyzed table follows its size') or diag($err);
unlike($err, qr/no longer fits/, 'the graph of the parallel build stayed in memory');
check_index('fresh', 'fresh_v', 'parallel, unanalyzed');

# ---- the table's parallel_workers option --------------------------------------------------
# A table far too small for workers of its own gets the one it asks for...
load('small', 1000, 'WITH (parallel_workers = 1)');
$err = build('CREATE INDEX small_v ON small USING hnsw (v vector_l2_ops)');
like($err, qr/using 1 parallel workers/, 'parallel_workers = 1 on a 1,000-row table: one worker');
check_index('small', 'small_v', 'parallel_workers = 1');
# ...and one large enough for workers gets none when it says 0.
load('serial', $rows, 'WITH (parallel_workers = 0)');
$err = build('CREATE INDEX serial_v ON serial USING hnsw (v vector_l2_ops)');
unlike($err, qr/using \d+ parallel workers/, 'parallel_workers = 0: a serial build');
like($err, qr/0 parallel workers planned/, 'parallel_workers = 0: no worker planned');
# max_parallel_maintenance_workers still caps the option.
$err = build('CREATE INDEX small_v2 ON small USING hnsw (v vector_l2_ops)',
	'max_parallel_maintenance_workers = 0');
unlike($err, qr/using \d+ parallel workers/, 'max_parallel_maintenance_workers = 0 wins over the option');

# ---- a graph larger than maintenance_work_mem: pgvector's NOTICE, parallel and serial ----
my $notice = join('',
	'NOTICE:  hnsw graph no longer fits into maintenance_work_mem after \d+ tuples\n',
	'DETAIL:  Building will take significantly more time\.\n',
	'HINT:  Increase maintenance_work_mem to speed up builds\.');
$notice = qr/$notice/;
load('spill', $rows, 'WITH (parallel_workers = 2)');
$err = build('CREATE INDEX spill_v ON spill USING hnsw (v vector_l2_ops)', "maintenance_work_mem = '1MB'");
like($err, qr/using [12] parallel workers/, 'low memory, parallel_workers = 2: a parallel build');
like($err, $notice, 'the parallel build says the graph no longer fits, with DETAIL and HINT');
is(scalar(() = $err =~ /no longer fits/g), 1, 'the parallel build says it once');
check_index('spill', 'spill_v', 'parallel, spilled to disk');

$err = build('CREATE INDEX spill_serial_v ON spill USING hnsw (v vector_l2_ops)',
	"maintenance_work_mem = '1MB'", 'max_parallel_maintenance_workers = 0');
unlike($err, qr/using \d+ parallel workers/, 'low memory, no workers: a serial build');
like($err, $notice, 'the serial build says the graph no longer fits, with DETAIL and HINT');
$node->safe_psql('postgres', 'DROP INDEX spill_v');
check_index('spill', 'spill_serial_v', 'serial, spilled to disk');

# ---- a shared graph sized from an estimate that fell short ----------------------------------
# Four empty text columns count 32 bytes each in the planner's width guess, so the
# unanalyzed table's rows are estimated at a third of what they are: the shared
# graph, sized from the estimate, fills up long before maintenance_work_mem would,
# and the build says which memory ran out, then finishes on disk in parallel.
$node->safe_psql('postgres', qq{
CREATE TABLE narrow (id int, v vector(2), a text, b text, c text, d text) WITH (parallel_workers = 2);
INSERT INTO narrow SELECT i, vr_vec(i, 2), '', '', '', '' FROM generate_series(1, 30000) i;
});
$err = build('CREATE INDEX narrow_v ON narrow USING hnsw (v vector_l2_ops)');
like($err, qr/using [12] parallel workers/, 'narrow rows: a parallel build');
like($err, qr/NOTICE:  hnsw graph no longer fits into the shared memory sized for \d+ rows after \d+ tuples\n.*\nHINT:  ANALYZE the table before CREATE INDEX/s,
	'an estimate that fell short says so, and says what helps');
unlike($err, qr/maintenance_work_mem after/, 'and does not blame maintenance_work_mem');
check_index('narrow', 'narrow_v', 'parallel, estimate too low', 2);

# ---- progress, sampled from a second session while an unanalyzed table is built ----------
# vr_gate(id) waits for advisory lock 4242 at row 1,500, so the build stops there with
# 1,024 rows in the graph (the first batch; the next 475 wait in the second to be sorted
# and inserted, src/hnsw/hnsw_build_batch.h); the test holds the lock until it has read
# the progress row.
$node->safe_psql('postgres', q{
CREATE FUNCTION vr_gate(id int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF id = 1500 THEN
    PERFORM pg_advisory_lock_shared(4242);
    PERFORM pg_advisory_unlock_shared(4242);
  END IF;
  RETURN id;
END $$;
});
is(load('prog', $rows), '-1', 'the table built under observation has never been analyzed');
my $holder = $node->background_psql('postgres');
$holder->query_safe('SELECT pg_advisory_lock(4242)');
my $builder = vr_start_psql($node, 'postgres',
	"CREATE INDEX prog_v ON prog USING hnsw (v vector_l2_ops, (vr_gate(id)));\n");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted")
  or die 'the build never reached the gate';
my $progress = $node->safe_psql('postgres', q{
SELECT phase, tuples_total, tuples_done FROM pg_stat_progress_create_index
WHERE relid = 'prog'::regclass});
my ($phase, $total, $done) = split /\|/, $progress;
is($phase, 'building index: loading tuples', 'progress: the phase is named as pgvector names it');
ok($total >= $rows / 2 && $total <= $rows * 2, "progress: tuples_total ($total) is the estimate before ANALYZE");
is($done, 1024, 'progress: tuples_done counts the rows in the graph so far, not those read');
$holder->query_safe('SELECT pg_advisory_unlock(4242)');
is(vr_client_finish($builder), 0, 'the observed build finished')
  or diag(vr_client_output($builder, 'err'));

# The same during a parallel build: the participant that meets row 1,500 waits, the
# other one goes on, so tuples_done is only known to be short of the total.
$node->safe_psql('postgres', 'ALTER FUNCTION vr_gate(int) PARALLEL SAFE');
is(load('prog', $rows, 'WITH (parallel_workers = 1)'), '-1', 'reloaded, never analyzed');
$holder->query_safe('SELECT pg_advisory_lock(4242)');
$builder = vr_start_psql($node, 'postgres',
	"SET client_min_messages = debug1;\n"
	  . "CREATE INDEX prog_v ON prog USING hnsw (v vector_l2_ops, (vr_gate(id)));\n");
$node->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted")
  or die 'the parallel build never reached the gate';
($phase, $total, $done) = split /\|/, $node->safe_psql('postgres', q{
SELECT phase, tuples_total, tuples_done FROM pg_stat_progress_create_index
WHERE relid = 'prog'::regclass});
is($phase, 'building index: loading tuples', 'parallel progress: the phase');
ok($total >= $rows / 2 && $total <= $rows * 2, "parallel progress: tuples_total ($total) is the estimate");
ok($done < $rows, "parallel progress: tuples_done ($done) is short of the rows");
$holder->query_safe('SELECT pg_advisory_unlock(4242)');
is(vr_client_finish($builder), 0, 'the observed parallel build finished')
  or diag(vr_client_output($builder, 'err'));
like(vr_client_output($builder, 'err'), qr/using 1 parallel workers/, 'the observed build was parallel');
$holder->quit;
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_progress_create_index"), '0',
	'no progress row remains');

$node->stop;
unlink $file;
done_testing();
