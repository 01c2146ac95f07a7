# 021_check_damage.pl: vecrbac.hnsw_check finds an int8 element whose bytes were
# changed on disk (its stored sums no longer match its codes), where the scan would
# otherwise hand the executor wrong bounds, and a binary element with a bit changed (its
# count of set bits no longer matches); the server keeps running, and REINDEX makes
# each index sound again.
#
# The damaged elements are found in the index files by their codes: the vector
# [0, 1, ..., 255] is coded exactly as the bytes 0..255 (offset 0, step 1), and the
# vector [0, 1, 0, 1, ...] as 32 bytes 0xAA (the odd elements are above the mean).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $node = vr_node('damage');
$node->start;
vr_create_extension($node);
$node->safe_psql('postgres', q{
CREATE TABLE d (id int PRIMARY KEY, v vector(256));
INSERT INTO d VALUES (0, (SELECT array_agg(i ORDER BY i)::real[]::vector FROM generate_series(0, 255) i));
INSERT INTO d VALUES (-1, (SELECT array_agg(i % 2 ORDER BY i)::real[]::vector FROM generate_series(0, 255) i));
INSERT INTO d SELECT i, vr_vec(i, 256) FROM generate_series(1, 300) i;
CREATE INDEX d_int8 ON d USING hnsw (v vector_l2_ops) WITH (quantization = 'int8');
CREATE INDEX d_bin ON d USING hnsw (v vector_l2_ops) WITH (quantization = 'binary');
CHECKPOINT;
});
is_deeply(vr_check_index($node, 'postgres', 'd_int8'), [], 'the built index is sound');
is_deeply(vr_check_index($node, 'postgres', 'd_bin'), [], 'the built binary index is sound');

my $file = $node->data_dir . '/' . $node->safe_psql('postgres', q{SELECT pg_relation_filepath('d_int8')});
my $bin_file = $node->data_dir . '/' . $node->safe_psql('postgres', q{SELECT pg_relation_filepath('d_bin')});
$node->stop;

# Set one more bit of the element [0, 1, 0, 1, ...]: its byte 5 becomes 0xAB.
open(my $bh, '+<:raw', $bin_file) or die "open $bin_file: $!";
my $bin_bytes = do { local $/; <$bh> };
my $bin_at = index($bin_bytes, "\xAA" x 32);
ok($bin_at >= 0, 'the element coded as 32 bytes 0xAA is in the binary index file');
seek($bh, $bin_at + 5, 0) or die "seek: $!";
print $bh pack('C', 0xAB);
close($bh) or die "close: $!";

# Change one code of the element [0..255]: code 40 becomes 41.
open(my $fh, '+<:raw', $file) or die "open $file: $!";
my $bytes = do { local $/; <$fh> };
my $codes = pack('C*', 0 .. 255);
my $at = index($bytes, $codes);
ok($at >= 0, 'the element coded as the bytes 0..255 is in the index file');
seek($fh, $at + 40, 0) or die "seek: $!";
print $fh pack('C', 41);
close($fh) or die "close: $!";

$node->start;
my $problems = vr_check_index($node, 'postgres', 'd_int8');
ok((grep { /has bytes whose sums or error are not the stored ones/ } @$problems),
	'hnsw_check reports the damaged element')
  or diag(explain($problems));

# A search that meets it answers or fails with an error; the server stays up.
my ($ret) = $node->psql('postgres', q{
SET enable_seqscan = off;
SELECT id FROM d ORDER BY v <-> (SELECT v FROM d WHERE id = 0) LIMIT 3;
});
ok(defined $ret && $ret <= 3, 'a search over the damaged element ends without a crash');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server still answers');

$node->safe_psql('postgres', 'REINDEX INDEX d_int8');
is_deeply(vr_check_index($node, 'postgres', 'd_int8'), [], 'after REINDEX the index is sound again');

$problems = vr_check_index($node, 'postgres', 'd_bin');
ok((grep { /has bits whose count or padding is not the stored one/ } @$problems),
	'hnsw_check reports the damaged binary element')
  or diag(explain($problems));
($ret) = $node->psql('postgres', q{
SET enable_seqscan = off;
DROP INDEX d_int8;
SELECT id FROM d ORDER BY v <-> (SELECT v FROM d WHERE id = -1) LIMIT 3;
});
ok(defined $ret && $ret <= 3, 'a search over the damaged binary element ends without a crash');
$node->safe_psql('postgres', 'REINDEX INDEX d_bin');
is_deeply(vr_check_index($node, 'postgres', 'd_bin'), [], 'after REINDEX the binary index is sound again');

$node->stop;
done_testing();
