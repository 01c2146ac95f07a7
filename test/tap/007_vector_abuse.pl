# 007_vector_abuse.pl: hostile input to the vector type fails cleanly and the backend's
# memory stays bounded.
#
#   - 16,001 dimensions by every way in (text, arrays, binary COPY, typmod) is refused
#     with pgvector's SQLSTATE; 16,000 is accepted; hnsw refuses 2,001.
#   - 100 MB literals (too many elements; one 100-million-digit number; junk after a
#     number; one built by the client and sent over the wire) give clean errors
#     (the seconds each took are noted, a figure and not a bound: no test depends
#     on the machine's speed). Peak memory (VmHWM, read from /proc/self/status by the backend
#     itself) stays under 8 times the literal: the text value, its concatenation,
#     the cstring handed to the input function, and, for messages that quote the
#     input as pgvector's and PostgreSQL's own input functions do, the quoted copy
#     and the formatted message (a StringInfo that doubles). After each statement
#     the backend's RSS and memory-context total are back near where they started.
#   - 20,000 malformed inputs of many shapes in one transaction (each caught by an
#     exception block): every one is an error with an expected SQLSTATE, and the
#     backend's memory contexts do not grow from the 2,000th to the 20,000th (a leak
#     on an error path would accumulate there, inside one transaction).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use IPC::Run;
use VecrbacTest;

my $node = vr_node('abuse', conf => [ 'log_min_error_statement = panic' ]);
$node->start;
vr_create_extension($node);

# The SQLSTATE and start of the message of an expression's error ('ok' if none),
# caught in the server so that a huge message is not shipped to the client.
sub outcome
{
	my ($expr) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', qq{
DO \$\$
BEGIN
  PERFORM ($expr);
  RAISE NOTICE 'ok';
EXCEPTION WHEN others THEN
  RAISE NOTICE '% %', SQLSTATE, left(SQLERRM, 80);
END \$\$;});
	$err =~ s/^.*NOTICE:\s+//s;
	return $err;
}

# ---- dimensions ----------------------------------------------------------------------
my $lit16000 = q{'[' || array_to_string(array_fill(1, ARRAY[16000]), ',') || ']'};
my $lit16001 = q{'[' || array_to_string(array_fill(1, ARRAY[16001]), ',') || ']'};
is($node->safe_psql('postgres', "SELECT vector_dims(($lit16000)::vector)"), '16000', '16,000 dimensions accepted');
like(outcome("($lit16001)::vector"), qr/^54000 vector cannot have more than 16000 dimensions/, '16,001: text input');
like(outcome("array_fill(1::real, ARRAY[16001])::vector"), qr/^54000 vector cannot have more than 16000/, '16,001: real[] cast');
like(outcome("array_fill(1::float8, ARRAY[16001])::vector"), qr/^54000 vector cannot have more than 16000/, '16,001: float8[] cast');
like(outcome("array_fill(1::int, ARRAY[16001])::vector"), qr/^54000 vector cannot have more than 16000/, '16,001: int[] cast');
like(outcome("array_fill(1::numeric, ARRAY[16001])::vector"), qr/^54000 vector cannot have more than 16000/, '16,001: numeric[] cast');
like(outcome("vector_concat(($lit16000)::vector, '[1]')"), qr/^54000 vector cannot have more than 16000/, '16,001: concatenation');
my ($r, $o, $e) = $node->psql('postgres', 'CREATE TABLE t16001 (v vector(16001))');
like($e, qr/dimensions for type vector cannot exceed 16000/, '16,001: type modifier');
($r, $o, $e) = $node->psql('postgres', 'CREATE TABLE t2001 (v vector(2001)); CREATE INDEX ON t2001 USING hnsw (v vector_l2_ops);');
like($e, qr/column cannot have more than 2000 dimensions for hnsw index/, 'hnsw refuses 2,001 dimensions');

# Binary COPY: header, one tuple of one field, trailer (PostgreSQL's binary COPY format).
sub copy_binary
{
	my ($field) = @_;
	my $file = "${PostgreSQL::Test::Utils::tmp_check}/copy" . int(rand(1e9)) . '.bin';
	my $data = "PGCOPY\n\377\r\n\0" . pack('N N', 0, 0) . pack('n', 1)
	  . (defined $field ? pack('N', length $field) . $field : pack('N', 0xFFFFFFFF)) . pack('n', 0xFFFF);
	open(my $fh, '>:raw', $file) or die $!;
	print $fh $data;
	close $fh;
	chmod 0644, $file;
	my ($rc, $out, $err) = $node->psql('postgres', "COPY bin FROM '$file' (FORMAT binary)");
	return $err;
}
$node->safe_psql('postgres', 'CREATE TABLE bin (v vector)');
my %bin = (
	'16,001 dimensions' => [ pack('n n', 16001, 0) . pack('N', 0x3f800000) x 16001, qr/cannot have more than 16000/ ],
	'16,001 dimensions, no data' => [ pack('n n', 16001, 0), qr/cannot have more than 16000|insufficient data/ ],
	'negative dimensions' => [ pack('n n', 0xFFFF, 0) . pack('N', 0), qr/at least 1 dimension/ ],
	'zero dimensions' => [ pack('n n', 0, 0), qr/at least 1 dimension/ ],
	'unused not zero' => [ pack('n n', 1, 7) . pack('N', 0x3f800000), qr/expected unused to be 0, not 7/ ],
	'truncated' => [ pack('n n', 3, 0) . pack('N', 0x3f800000), qr/insufficient data left in message/ ],
	'trailing bytes' => [ pack('n n', 1, 0) . pack('N N', 0x3f800000, 0), qr/incorrect binary data format/ ],
	'NaN' => [ pack('n n', 1, 0) . pack('N', 0x7fc00000), qr/NaN not allowed in vector/ ],
	'infinity' => [ pack('n n', 1, 0) . pack('N', 0x7f800000), qr/infinite value not allowed in vector/ ],
	'max int16 dimensions, no data' => [ pack('n n', 32767, 0), qr/cannot have more than 16000|insufficient data/ ],
);
for my $name (sort keys %bin)
{
	like(copy_binary($bin{$name}[0]), $bin{$name}[1], "binary COPY, $name: clean error");
}
is(copy_binary(pack('n n', 2, 0) . pack('N N', 0x3f800000, 0x40000000)), '', 'binary COPY of a valid vector works');
is($node->safe_psql('postgres', 'SELECT v FROM bin'), '[1,2]', 'and reads back');

# ---- 100 MB literals -------------------------------------------------------------------
my $MB = 1024 * 1024;
my $status_sql = q{
SELECT (regexp_match(s, 'VmHWM:\s+(\d+) kB'))[1], (regexp_match(s, 'VmRSS:\s+(\d+) kB'))[1],
       (SELECT sum(total_bytes) FROM pg_backend_memory_contexts)
FROM pg_read_file('/proc/self/status') s;};
# Runs $sql in a fresh backend, then reads that backend's peak and current memory.
# Returns (peak kB, RSS kB, memory-context bytes, stderr).
sub memory
{
	my ($sql) = @_;
	my ($rc, $out, $err) = $node->psql('postgres', ($sql // '') . $status_sql);
	my @l = split /\n/, $out;
	return (split(/\|/, $l[-1]), $err);
}
my ($hwm0, $rss0, $ctx0) = memory();
note("fresh backend: peak $hwm0 kB, RSS $rss0 kB, memory contexts $ctx0 bytes");

my @big = (
	[ 'fifty million elements', q{'[' || repeat('1,', 50000000) || '1]'}, qr/^54000 / ],
	[ 'one 100-million-digit number', q{'[' || repeat('1', 100000000) || ']'}, qr/^22003 / ],
	[ '100 MB of spaces after a number', q{'[1' || repeat(' ', 100000000)}, qr/^22P02 / ],
	[ '100 MB of nested brackets', q{repeat('[', 100000000)}, qr/^22P02 / ],
	[ 'a 100-million-digit exponent', q{'[1e' || repeat('9', 100000000) || ']'}, qr/^22003 / ],
);
for my $b (@big)
{
	my ($name, $expr, $want) = @$b;
	my $t = time;
	my ($hwm, $rss, $ctx, $err) = memory(qq{
DO \$\$
BEGIN
  PERFORM ($expr)::vector;
  RAISE NOTICE 'ok';
EXCEPTION WHEN others THEN
  RAISE NOTICE '% %', SQLSTATE, left(SQLERRM, 60);
END \$\$;});
	my $secs = time - $t;
	$err =~ s/^.*NOTICE:\s+//s;
	like($err, $want, "$name: clean error") or diag($err);
	cmp_ok($hwm * 1024, '<', 8 * 100 * $MB, sprintf('%s: peak %d MB', $name, $hwm / 1024));
	cmp_ok($rss - $rss0, '<', 50 * 1024, sprintf('%s: RSS back to %d MB after', $name, $rss / 1024));
	cmp_ok($ctx - $ctx0, '<', $MB, "$name: memory contexts back to $ctx bytes");
	note(sprintf('%s: %.1f s', $name, $secs));
}

# The client sends the 100 MB literal itself (simple query protocol).
my $file = "${PostgreSQL::Test::Utils::tmp_check}/big.sql";
open(my $fh, '>', $file) or die $!;
print $fh "SELECT '[" . ('1,' x (50 * $MB)) . "1]'::vector;\n";
close $fh;
my ($out, $err) = ('', '');
IPC::Run::run([ 'psql', '-X', '-d', $node->connstr('postgres'), '-f', $file ], '>', \$out, '2>', \$err);
like($err, qr/vector cannot have more than 16000 dimensions/, 'a 100 MB literal from the client: clean error');

# ---- malformed input in a loop ------------------------------------------------------
my @shapes = (
	q{'['}, q{']'}, q{'[]'}, q{'[,]'}, q{'[1,]'}, q{'[,1]'}, q{'[1,,2]'}, q{'[1 2]'}, q{'[[1]]'},
	q{'[1]]'}, q{'[1]x'}, q{'1,2'}, q{'[nan]'}, q{'[NaN,1]'}, q{'[inf]'}, q{'[-Infinity]'},
	q{'[1e39]'}, q{'[-1e39]'}, q{'[0x1p200]'}, q{'[1e' || i || '0000]'}, q{'[' || repeat('9', 50 + i % 50) || ']'},
	q{'[' || repeat('[', i % 100) || ']'}, q{'[' || repeat('1,', 16000 + i % 3) || '1]'},
	q{'[1,' || chr(33 + i % 15) || ']'}, q{'[' || chr(128 + i % 1000) || ']'}, q{'[1e-99999999999999999999x]'},
	q{'[' || repeat(' ', i % 1000) || ']'}, q{'[1.5.5]'}, q{'[--1]'}, q{'[+-1]'}, q{'[1e]'}, q{'[.e1]'},
);
my $cases = join(",\n", map { "($_)" } @shapes);
my $n = scalar(@shapes);
my $loop = qq{
DO \$\$
DECLARE
  lit text;
  states text[] := '{}';
  oks int := 0;
  at2000 bigint;
  at20000 bigint;
BEGIN
  FOR i IN 1..20000 LOOP
    SELECT x INTO lit FROM (VALUES $cases) v(x) OFFSET i % $n LIMIT 1;
    BEGIN
      PERFORM lit::vector;
      oks := oks + 1;
    EXCEPTION WHEN others THEN
      IF NOT SQLSTATE = ANY (states) THEN states := states || SQLSTATE::text; END IF;
    END;
    IF i = 2000 THEN SELECT sum(total_bytes) INTO at2000 FROM pg_backend_memory_contexts; END IF;
  END LOOP;
  SELECT sum(total_bytes) INTO at20000 FROM pg_backend_memory_contexts;
  RAISE NOTICE 'growth from 2000 to 20000 iterations: % bytes', at20000 - at2000;
  RAISE NOTICE 'accepted % states %', oks, (SELECT string_agg(s, ',' ORDER BY s) FROM unnest(states) s);
END \$\$;};
my ($hwm1, $rss1, $ctx1) = memory();
my ($hwm2, $rss2, $ctx2, $stderr) = memory($loop);
like($stderr, qr/accepted 0 states 22000,22003,22P02,54000$/m, '20,000 malformed inputs: all refused, with the expected SQLSTATEs')
  or diag($stderr);
note("malformed loop: peak $hwm2 kB, RSS $rss2 kB, contexts $ctx2 bytes (fresh backend: $hwm1 kB, $rss1 kB, $ctx1 bytes)");
cmp_ok($hwm2 - $hwm1, '<', 64 * 1024, 'malformed loop: peak memory grew by less than 64 MB');
my ($growth) = $stderr =~ /growth from 2000 to 20000 iterations: (-?\d+) bytes/;
cmp_ok($growth // 1e9, '<', 64 * 1024, "malformed loop: memory contexts grew by $growth bytes from 2,000 to 20,000 inputs in one transaction");
cmp_ok($ctx2 - $ctx1, '<', $MB, 'malformed loop: memory contexts back near the start after it');

$node->stop;
done_testing();
