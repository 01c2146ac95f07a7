# 008_scoped_replication_dump.pl: a protected collection with a filter-column hnsw
# index, searched through tenant tokens, survives replication and pg_dump.
#
#   Streaming standby: after the build, inserts, deletes and VACUUM on the primary,
#   each tenant's token gets the same top 10 on the standby as on the primary
#   (scoped graph walk, exact scope read, and a payload-restricted token), the
#   index pages are byte-identical, and the answers match exact search of the
#   tenant's rows (recall, never short, no other tenant's row).
#   pg_dump / pg_restore: the collection registry, its policies, the truncate guard
#   and the filter-column index come back, and the same tokens see the same rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $dim = 16;
my $secret = 'a replication secret of at least thirty-two bytes';
my $tenants = 8;

my $primary = vr_node('scoped_primary', streaming => 1, conf => ["vecrbac.jwt_secret = '$secret'"]);
$primary->start;
vr_create_extension($primary);
$primary->safe_psql('postgres', qq{
CREATE TABLE docs (id int PRIMARY KEY, tenant int NOT NULL, v vector($dim) NOT NULL, payload jsonb NOT NULL);
INSERT INTO docs SELECT i, i % $tenants, vr_vec(i, $dim), jsonb_build_object('dept', 'd' || i % 3)
FROM generate_series(1, 4000) i;
CREATE INDEX docs_scoped ON docs USING hnsw (tenant, v vector_l2_ops, payload) WITH (m = 12, ef_construction = 48);
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant"}');
CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS;
GRANT SELECT ON docs TO app;
});
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('scoped_standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;

# One token per tenant, and one that also restricts the payload (dept d1).
my %token;
for my $t (0 .. $tenants - 1)
{
	$token{$t} = $primary->safe_psql('postgres',
		qq{SELECT vecrbac.jwt_sign('{"exp": 4000000000, "access": [{"collection": "docs", "access": "r", "payload": {"tenant": $t}}]}', '$secret')});
}
$token{restricted} = $primary->safe_psql('postgres',
	qq{SELECT vecrbac.jwt_sign('{"exp": 4000000000, "access": [{"collection": "docs", "access": "r", "payload": {"tenant": 2, "dept": "d1"}}]}', '$secret')});

# The top 10 for a token, as role app with no WHERE clause.
sub scoped_knn
{
	my ($node, $db, $who, $q, @settings) = @_;
	return vr_ids($node, $db, join('', map { "SET $_;\n" } @settings)
		  . "SET ROLE app;\nSET vecrbac.token = '$token{$who}';\n"
		  . "SELECT id FROM docs ORDER BY v <-> vr_vec(-$q, $dim) LIMIT 10;");
}

# What a token may see, by exact search as the superuser (who bypasses the policies).
sub visible_exact
{
	my ($node, $db, $who, $q) = @_;
	my $where = $who eq 'restricted' ? "tenant = 2 AND payload @> '{\"dept\": \"d1\"}'" : "tenant = $who";
	return vr_ids($node, $db, "SET enable_indexscan = off;\nSET enable_bitmapscan = off;\n"
		  . "SELECT id FROM docs WHERE $where ORDER BY v <-> vr_vec(-$q, $dim), id LIMIT 10;");
}

# Every token's answers on a node, by the graph walk and by the exact scope read.
my @paths = ([ 'graph', 'hnsw.exact_scan_limit = 0' ], [ 'exact', 'hnsw.exact_scan_limit = 100000' ]);
sub answers
{
	my ($node, $db) = @_;
	my %r;
	for my $p (@paths)
	{
		for my $who (0, 3, 5, 'restricted')
		{
			$r{"$p->[0]/$who"} = [ map { join(',', @{ scoped_knn($node, $db, $who, $_, $p->[1]) }) } 1 .. 4 ];
		}
	}
	return \%r;
}

# The answers against exact search on one node: recall, never short, nothing foreign.
sub check_exact
{
	my ($node, $db, $label) = @_;
	my ($hits, $total, $short, $foreign) = (0, 0, 0, 0);
	for my $p (@paths)
	{
		for my $who (0, 3, 5, 'restricted')
		{
			for my $q (1 .. 4)
			{
				my $got = scoped_knn($node, $db, $who, $q, $p->[1]);
				my $want = visible_exact($node, $db, $who, $q);
				my %w = map { $_ => 1 } @$want;
				$hits += grep { $w{$_} } @$got;
				$total += @$want;
				$short++ if @$got < @$want;
				my $t = $who eq 'restricted' ? 2 : $who;
				$foreign += grep { $_ % $tenants != $t || ($who eq 'restricted' && $_ % 3 != 1) } @$got;
			}
		}
	}
	cmp_ok($hits / $total, '>=', 0.95, "$label: recall\@10 through tokens " . sprintf('%.3f', $hits / $total));
	is($short, 0, "$label: no token's answer is short");
	is($foreign, 0, "$label: no row outside a token's scope");
}

sub compare_nodes
{
	my ($label) = @_;
	vr_wait_replayed($primary, $standby);
	is_deeply(answers($standby, 'postgres'), answers($primary, 'postgres'), "$label: standby = primary for every token");
	is_deeply(vr_page_digests($standby, 'postgres', 'docs_scoped'), vr_page_digests($primary, 'postgres', 'docs_scoped'),
		"$label: index pages identical on both nodes");
	check_exact($standby, 'postgres', "$label (standby)");
	is_deeply(vr_check_index($standby, 'postgres', 'docs_scoped'), [], "$label: hnsw_check clean on the standby (partitions, directory)");
}

like($standby->safe_psql('postgres',
		"SET ROLE app;\nSET vecrbac.token = '$token{3}';\nEXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY v <-> vr_vec(1, $dim) LIMIT 10;"),
	qr/Index Scan using docs_scoped.*\n.*Index Cond: \(\(tenant OPERATOR\(vecrbac.<@\)/, 'the standby takes the scope as an index condition');

compare_nodes('after build');

$primary->safe_psql('postgres', qq{
INSERT INTO docs SELECT i, i % $tenants, vr_vec(i, $dim), jsonb_build_object('dept', 'd' || i % 3)
FROM generate_series(4001, 5000) i;
});
compare_nodes('after inserts');

$primary->safe_psql('postgres', 'DELETE FROM docs WHERE id % 4 = 0 OR id BETWEEN 1 AND 400;');
compare_nodes('after deletes');

$primary->safe_psql('postgres', 'VACUUM docs;');
compare_nodes('after vacuum');
is($primary->safe_psql('postgres', q{SELECT count(*) FROM vecrbac.hnsw_check('docs_scoped') WHERE severity = 'error'}),
	'0', 'the checker finds no error after vacuum');

# Without a token, or with a forged one, the standby shows nothing.
my ($ret, $out, $err) = $standby->psql('postgres', 'SET ROLE app; SELECT count(*) FROM docs;');
like($err, qr/no token is set/, 'no token: refused on the standby');
($ret, $out, $err) = $standby->psql('postgres',
	"SET ROLE app; SET vecrbac.token = '" . substr($token{3}, 0, -2) . "AA'; SELECT count(*) FROM docs;");
isnt($ret, 0, 'a forged token is refused on the standby');
$standby->stop;

# ---- pg_dump / pg_restore of the protected collection ----------------------------------
my $dump = "${PostgreSQL::Test::Utils::tmp_check}/scoped.dump";
$primary->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', $primary->connstr('postgres') ], 'pg_dump -Fc');
my $dst = vr_node('scoped_restore', conf => ["vecrbac.jwt_secret = '$secret'"]);
$dst->start;
$dst->safe_psql('postgres', 'CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS; CREATE DATABASE restored;');
$dst->command_ok([ 'pg_restore', '--exit-on-error', '-d', $dst->connstr('restored'), $dump ], 'pg_restore');

my $registry = q{SELECT name || '|' || rel::text || '|' || payload_column || '|' || key_columns::text FROM vecrbac.collections};
is($dst->safe_psql('restored', $registry), $primary->safe_psql('postgres', $registry), 'the collection registry restored');
is(vr_rls_snapshot($dst, 'restored'), vr_rls_snapshot($primary, 'postgres'), 'policies and row-level security flags restored');
my $triggers = q{SELECT string_agg(tgname, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid = 'docs'::regclass AND NOT tgisinternal};
is($dst->safe_psql('restored', $triggers), $primary->safe_psql('postgres', $triggers), 'the truncate guard restored');
my $defs = q{SELECT string_agg(indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'docs'};
is($dst->safe_psql('restored', $defs), $primary->safe_psql('postgres', $defs), 'the same index definitions');
for my $who (0, 3, 'restricted')
{
	my $count = "SET ROLE app;\nSET vecrbac.token = '$token{$who}';\nSELECT count(*) FROM docs;";
	is($dst->safe_psql('restored', $count), $primary->safe_psql('postgres', $count), "token $who sees the same rows");
}
# The restored index is a new build: compare with exact search, not with the source.
check_exact($dst, 'restored', 'restored dump');

$primary->stop;
$dst->stop;
done_testing();
