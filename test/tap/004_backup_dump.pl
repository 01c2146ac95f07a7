# 004_backup_dump.pl: vecrbac indexes survive the two ways users copy a database.
#
#   pg_basebackup of a quiet cluster: the restored copy's index pages are identical
#   to the source's and it answers the same queries with the same ids.
#   pg_basebackup taken while clients insert, update and delete: the copy, made
#   consistent by WAL replay, has sound indexes holding exactly its rows.
#   pg_dump / pg_restore (custom format, into a fresh cluster): every row comes back
#   byte for byte (md5 of the ordered table), every index is recreated with the same
#   definition and valid, searches agree with exact search, and row-level security
#   policies and flags come back unchanged (vr_rls_snapshot: the hook where the
#   vecrbac.protect() collections will be compared too).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 24;
my $src = vr_node('source', streaming => 1, shared_buffers => '32MB');
$src->start;
vr_create_extension($src);
$src->safe_psql('postgres', qq{
CREATE TABLE docs (id int PRIMARY KEY, tenant int NOT NULL, v vector($dim), note text);
INSERT INTO docs SELECT i, i % 5, vr_vec(i, $dim), 'doc ' || i FROM generate_series(1, 3000) i;
INSERT INTO docs VALUES (0, 0, NULL, 'no vector');
CREATE INDEX docs_l2 ON docs USING hnsw (v vector_l2_ops) WITH (m = 12, ef_construction = 40);
CREATE INDEX docs_cos ON docs USING hnsw (v vector_cosine_ops);
CREATE INDEX docs_ip ON docs USING hnsw (v vector_ip_ops);
CREATE INDEX docs_l1 ON docs USING hnsw (v vector_l1_ops);
INSERT INTO docs SELECT i, i % 5, vr_vec(i, $dim), 'doc ' || i FROM generate_series(3001, 3500) i;
DELETE FROM docs WHERE id % 11 = 0;
VACUUM docs;
-- Row-level security as the RBAC part will set it up (plain PostgreSQL for now).
CREATE ROLE reader;
GRANT SELECT ON docs TO reader;
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON docs FOR SELECT TO reader USING (tenant = 3);
});

my @ops = ([ 'docs_l2', '<->' ], [ 'docs_cos', '<=>' ], [ 'docs_ip', '<#>' ], [ 'docs_l1', '<+>' ]);

sub answers
{
	my ($node, $db) = @_;
	my %r;
	for my $o (@ops)
	{
		my ($index, $op) = @$o;
		$r{$index} = [ map { join(',', @{ vr_knn($node, $db, table => 'docs', op => $op,
						query => "vr_vec(-$_, $dim)", k => 10, settings => ['hnsw.ef_search = 30']) }) } 1 .. 5 ];
	}
	return \%r;
}

sub table_md5
{
	my ($node, $db) = @_;
	return $node->safe_psql($db, 'SELECT md5(string_agg(d::text, E\'\n\' ORDER BY id)) FROM docs d;');
}

# ---- a quiet base backup ------------------------------------------------------------
my $before = answers($src, 'postgres');
$src->backup('quiet');
my $copy = PostgreSQL::Test::Cluster->new('copy');
$copy->init_from_backup($src, 'quiet');
$copy->start;
is_deeply(answers($copy, 'postgres'), $before, 'restored base backup answers every query as the source');
for my $o (@ops)
{
	is_deeply(vr_page_digests($copy, 'postgres', $o->[0]), vr_page_digests($src, 'postgres', $o->[0]),
		"$o->[0]: pages of the restored copy identical to the source's");
}
vr_assert_healthy($copy, 'postgres', index => 'docs_l2', table => 'docs', exact => 1, label => '(restored backup)');
vr_assert_index_used($copy, 'postgres', "SELECT id FROM docs ORDER BY v <-> vr_vec(1, $dim) LIMIT 5", 'docs_l2');
$copy->stop;

# ---- a base backup taken under writes -----------------------------------------------
# The writer inserts, updates and deletes in a loop, one transaction per round, until
# the test sets its stop flag after the backup: the backup overlaps with its changes
# however fast or slow the machine is.
$src->safe_psql('postgres', 'CREATE TABLE writer_stop (stop bool);');
my $writer = vr_start_psql($src, 'postgres', q{
DO $$
DECLARE i int := 0;
BEGIN
  LOOP
    EXIT WHEN EXISTS (SELECT 1 FROM writer_stop);
    i := i + 1;
    INSERT INTO docs VALUES (10000 + i, (10000 + i) % 5, vr_vec(10000 + i, } . $dim . q{), 'live');
    UPDATE docs SET v = vr_vec(-(10000 + i), } . $dim . q{) WHERE id = 1 + i * 7 % 3000;
    IF i % 3 = 0 THEN DELETE FROM docs WHERE id = 1 + i * 13 % 3000; END IF;
    COMMIT;
  END LOOP;
END $$;
});
$src->poll_query_until('postgres', 'SELECT count(*) > 20 FROM docs WHERE id > 10000') or die 'writer did not start';
$src->backup('busy');
ok(vr_client_running($writer), 'the writer was still running when the backup ended');
$src->safe_psql('postgres', 'INSERT INTO writer_stop VALUES (true);');
vr_client_finish($writer);
is(join("\n", vr_client_errors($writer)), '', 'the writer saw no error');
my $busy = PostgreSQL::Test::Cluster->new('busy');
$busy->init_from_backup($src, 'busy');
$busy->start;
my $n = $busy->safe_psql('postgres', 'SELECT count(*) FROM docs WHERE id > 10000');
note("the busy backup holds $n of the writer's rows");
for my $o (@ops)
{
	my ($index, $op) = @$o;
	vr_assert_healthy($busy, 'postgres', index => $index, table => 'docs', op => $op, label => '(backup under writes)');
}
$busy->stop;

# ---- pg_dump / pg_restore into a fresh cluster ------------------------------------------
my $dump = "${PostgreSQL::Test::Utils::tmp_check}/docs.dump";
$src->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $src->connstr('postgres') ], 'pg_dump -Fc');
my $dst = vr_node('restore');
$dst->start;
$dst->safe_psql('postgres', 'CREATE ROLE reader; CREATE DATABASE restored;');
$dst->command_ok([ 'pg_restore', '--exit-on-error', '-d', $dst->connstr('restored'), $dump ], 'pg_restore');
is(table_md5($dst, 'restored'), table_md5($src, 'postgres'), 'every row restored byte for byte');
my $defs = q{SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'docs'};
is($dst->safe_psql('restored', $defs), $src->safe_psql('postgres', $defs), 'the same index definitions');
is($dst->safe_psql('restored',
		q{SELECT count(*) FROM pg_index WHERE indrelid = 'docs'::regclass AND NOT (indisvalid AND indisready)}),
	'0', 'every restored index is valid');
is(vr_rls_snapshot($dst, 'restored'), vr_rls_snapshot($src, 'postgres'), 'row-level security policies and flags restored');
is($dst->safe_psql('restored', 'SET ROLE reader; SELECT count(*) FROM docs;'),
	$src->safe_psql('postgres', 'SET ROLE reader; SELECT count(*) FROM docs;'), 'the policy filters the same rows');
for my $o (@ops)
{
	my ($index, $op) = @$o;
	vr_assert_index_used($dst, 'restored', "SELECT id FROM docs ORDER BY v $op vr_vec(1, $dim) LIMIT 5", $index);
	# The restored index is a new build (other random levels), so compare with exact search.
	my $sum = 0;
	for my $q (1 .. 5)
	{
		my %a = (table => 'docs', op => $op, query => "vr_vec(-$q, $dim)", k => 10, settings => ['hnsw.ef_search = 100']);
		$sum += vr_recall(vr_knn($dst, 'restored', %a), vr_exact($dst, 'restored', %a));
	}
	cmp_ok($sum / 5, '>=', 0.9, "$index: recall\@10 of the restored index " . ($sum / 5));
}
vr_assert_healthy($dst, 'restored', index => 'docs_l2', table => 'docs', exact => 1, label => '(restored dump)');

$src->stop;
$dst->stop;
done_testing();
