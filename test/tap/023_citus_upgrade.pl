# 023_citus_upgrade.pl: ALTER EXTENSION vecrbac UPDATE on a Citus cluster (a coordinator and
# two workers on 127.0.0.1), from 0.9.0, the last release whose Citus objects differ:
#
#   - CREATE EXTENSION vecrbac VERSION '0.9.0' on the coordinator reaches the workers at
#     0.9.0, with its event trigger vecrbac_citus_unguarded_shards (which only warned);
#   - a distributed, protected table and a tenant's token work on 0.9.0;
#   - ALTER EXTENSION vecrbac UPDATE on the coordinator reaches every node: each is at the
#     default version, has the event trigger vecrbac_citus_shard_guards, and has dropped
#     the old one;
#   - alter_distributed_table afterwards: no warning, and every new shard on every worker
#     has its policies, forced row-level security and TRUNCATE guard without protect()
#     again (0.9.0 left them unguarded until it ran);
#   - the tenant's token still reads exactly its rows and its exact top 5.
#
# Skipped when Citus is not installed (test/tap/lib/VecrbacCitus.pm).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;
use VecrbacCitus;

my $secret = vr_citus_secret();
my ($coord, @workers) = vr_citus_cluster(workers => 2);
my @nodes = ($coord, @workers);

my $default = $coord->safe_psql('postgres',
	q{SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac'});
$coord->safe_psql('postgres', q{CREATE EXTENSION vecrbac VERSION '0.9.0'});

# the extension's version and its Citus event triggers on $node, as one line
sub state_of
{
	my ($node) = @_;
	return $node->safe_psql('postgres', q{
SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vecrbac') || ' '
       || coalesce((SELECT string_agg(evtname, ',' ORDER BY evtname) FROM pg_event_trigger
                    WHERE evtname LIKE 'vecrbac_citus%'), '-')});
}
is(state_of($_), '0.9.0 vecrbac_citus_unguarded_shards', $_->name . ': vecrbac 0.9.0, its warning trigger')
  for @nodes;

sub placements { return vr_citus_placements($coord, @_) }
my $guarded = vr_citus_guarded();

# ---- a protected table on 0.9.0 ---------------------------------------------------------------
$coord->safe_psql('postgres', q{
CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE TABLE docs (id bigint NOT NULL, tenant int NOT NULL, embedding vector(3) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}', PRIMARY KEY (tenant, id));
SELECT create_distributed_table('docs', 'tenant');
INSERT INTO docs SELECT i, i % 8, ARRAY[i % 7, i % 11, i % 13]::real[]::vector FROM generate_series(1, 800) i;
CREATE INDEX docs_hnsw ON docs USING hnsw (tenant, embedding vector_l2_ops, payload);
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant"}');
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON docs TO app;
});
is(placements('docs', $guarded), 't', '0.9.0: every docs placement is guarded');

my $token = $coord->safe_psql('postgres', qq{SELECT vecrbac.jwt_sign(
  '{"exp": 4000000000, "access": [{"collection": "docs", "access": "r", "payload": {"tenant": 3}}]}'::jsonb,
  '$secret')});
my $exact = $coord->safe_psql('postgres', q{SELECT count(*) FROM docs WHERE tenant = 3}) . ' '
  . $coord->safe_psql('postgres', q{
SET enable_indexscan = off;
SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
  SELECT id, embedding <-> '[3,3,3]' AS d FROM docs WHERE tenant = 3 ORDER BY d, id LIMIT 5) s});
# the tenant's row count and top 5 through its token (SET LOCAL, propagated to the shards)
sub tenant_view
{
	return $coord->safe_psql('postgres', qq{SET ROLE app;
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL vecrbac.token = '$token';
SELECT count(*) FROM docs;
SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
  SELECT id, embedding <-> '[3,3,3]' AS d FROM docs ORDER BY d, id LIMIT 5) s;
COMMIT;}) =~ s/\n/ /r;
}
is(tenant_view(), $exact, "0.9.0: tenant 3's token reads its 100 rows and its exact top 5 ($exact)");

# ---- the update --------------------------------------------------------------------------------
my ($rc, $out, $err) = $coord->psql('postgres', 'ALTER EXTENSION vecrbac UPDATE');
is($rc, 0, 'ALTER EXTENSION vecrbac UPDATE on the coordinator') or diag $err;
is(state_of($_), "$default vecrbac_citus_shard_guards",
	$_->name . ": vecrbac $default, the old event trigger replaced by the one that guards new shards")
  for @nodes;
is($coord->safe_psql('postgres', q{SELECT count(*) FROM pg_dist_object
  WHERE classid = 'pg_extension'::regclass AND objid = (SELECT oid FROM pg_extension WHERE extname = 'vecrbac')}),
	'1', 'vecrbac stays a distributed object of Citus');

# ---- new shards after the update ---------------------------------------------------------------
($rc, $out, $err) = $coord->psql('postgres', q{SET citus.enable_unsafe_triggers = on;
SELECT alter_distributed_table('docs', shard_count => 6)});
is($rc, 0, 'alter_distributed_table to 6 shards') or diag $err;
unlike($err, qr/TRUNCATE guard/, '... without the warning 0.9.0 gave (its shards were unguarded)');
is($coord->safe_psql('postgres', q{SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'docs'::regclass}),
	'6', 'docs has 6 shards');
is(placements('docs', $guarded), 't',
	'every new docs placement has the policies, forced RLS and its TRUNCATE guard, without protect() again');
# a direct TRUNCATE of each new shard on its worker, by app with the tenant's read token
for my $w (@workers)
{
	my @shards = split /\n/, $w->safe_psql('postgres', q{SET citus.override_table_visibility = off;
SELECT relname FROM pg_class WHERE relname ~ '^docs_[0-9]+$' AND relkind = 'r' ORDER BY 1});
	my $script = join('', map {
		"BEGIN; SET LOCAL vecrbac.token = '$token'; "
		  . "SET LOCAL citus.enable_manual_changes_to_shards = on; TRUNCATE $_; COMMIT;\n"
	} @shards);
	($rc, $out, $err) = $w->psql('postgres', "SET ROLE app;\n$script", on_error_stop => 0);
	my @refused = ($err =~ /does not grant truncate access/g);
	ok(@shards == 3 && @refused == @shards,
		$w->name . ': a direct TRUNCATE of each of its ' . scalar(@shards) . ' new shards is refused by its guard')
	  or diag $err;
}
is(tenant_view(), $exact, "after the update and the new shards: tenant 3's token reads the same rows and top 5");

$_->stop for @nodes;
done_testing();
