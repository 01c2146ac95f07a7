# 017_citus.pl: protected collections on a Citus cluster (a coordinator and two workers on
# 127.0.0.1), what docs/scaling.md says, proven:
#
#   - protect() on a hash-distributed table (4 shards) and on a reference table: the
#     policies (no subqueries) reach every shard, the registry row every node; a table
#     protected first and distributed afterwards (citus.enable_unsafe_triggers for the
#     distribution) gets them too.
#   - Tokens reach the shards with SET LOCAL and citus.propagate_set_commands = 'local',
#     and with vecrbac.login(token, local => true); without propagation, and without a
#     token, every statement fails closed (42501).
#   - A tenant's top 5 (routed to its shard) and a global token's merged top 5 equal the
#     exact ones; each shard's plan takes the scope as an hnsw index condition.
#   - Writes through the coordinator under a tenant's rw token: routed and multi-shard
#     INSERT, UPDATE, DELETE and upsert; rows of other tenants are refused or untouched.
#     COPY FROM is refused, as PostgreSQL refuses it under row-level security.
#   - value_exists with a reference table as its collection is looked up on each node
#     in its own shard of it; a revocation applies to the next statement.
#   - TRUNCATE needs a token that may delete every row; unprotect and drop_collection.
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
$coord->safe_psql('postgres', 'CREATE EXTENSION vecrbac');
is($_->safe_psql('postgres', "SELECT extversion IS NOT NULL FROM pg_extension WHERE extname = 'vecrbac'"),
	't', $_->name . ': vecrbac installed (propagated by Citus)')
  for @workers;

sub placements { return vr_citus_placements($coord, @_) }
my $guarded = vr_citus_guarded();

# ---- tables ----------------------------------------------------------------------------------
$coord->safe_psql('postgres', q{
CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE TABLE docs (id bigint NOT NULL, tenant int NOT NULL, embedding vector(3) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}', PRIMARY KEY (tenant, id));
SELECT create_distributed_table('docs', 'tenant');
INSERT INTO docs SELECT i, i % 8, ARRAY[i % 7, i % 11, i % 13]::real[]::vector,
                        jsonb_build_object('dept', 'd' || i % 3)
FROM generate_series(1, 800) i;
CREATE INDEX docs_hnsw ON docs USING hnsw (tenant, embedding vector_l2_ops, payload);
CREATE TABLE staff (login text PRIMARY KEY, payload jsonb NOT NULL DEFAULT '{}');
SELECT create_reference_table('staff');
INSERT INTO staff VALUES ('alice'), ('bob');
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON docs TO app;
GRANT SELECT ON staff TO app;
});

my ($rc, $out, $err) = $coord->psql('postgres',
	q{SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant"}')});
is($rc, 0, 'protect() on a hash-distributed table') or diag $err;
($rc, $out, $err) = $coord->psql('postgres',
	q{SELECT vecrbac.protect('staff', key_columns => '["login"]')});
is($rc, 0, 'protect() on a reference table') or diag $err;

is(placements('docs', $guarded), 't', 'every docs shard: the policies, forced RLS and the TRUNCATE guard');
is(placements('staff', $guarded), 't', 'every staff placement (the coordinator too): the same');

# every shard placement carries the four policies and forced row-level security
for my $w (@workers)
{
	# (Citus hides shards from pg_class unless citus.override_table_visibility is off)
	my $shards = $w->safe_psql('postgres', q{SET citus.override_table_visibility = off;
SELECT count(*) FROM pg_class c WHERE c.relname ~ '^(docs|staff)_[0-9]+$' AND c.relkind = 'r'});
	my $protected = $w->safe_psql('postgres', q{SET citus.override_table_visibility = off;
SELECT count(*) FROM pg_class c WHERE c.relname ~ '^(docs|staff)_[0-9]+$' AND c.relkind = 'r'
  AND c.relrowsecurity AND c.relforcerowsecurity
  AND (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname LIKE 'vecrbac_%') = 4});
	ok($shards > 0, $w->name . ": holds $shards shards");
	is($protected, $shards, $w->name . ': every shard has the policies and forced RLS');
	is($w->safe_psql('postgres', 'SELECT string_agg(name, \',\' ORDER BY name) FROM vecrbac.collections'),
		'docs,staff', $w->name . ': registry rows for both collections');
}

# ---- tokens -----------------------------------------------------------------------------------
sub token
{
	my ($claims) = @_;
	return $coord->safe_psql('postgres',
		"SELECT vecrbac.jwt_sign('$claims'::jsonb, '$secret')");
}
my $t_tenant = token('{"exp": 4000000000, "access": [{"collection": "docs", "access": "r", "payload": {"tenant": 3}}]}');
my $t_global = token('{"exp": 4000000000, "access": "r"}');
my $t_rw = token('{"exp": 4000000000, "access": [{"collection": "docs", "access": "rw", "payload": {"tenant": 5}}]}');
my $t_ve = token('{"exp": 4000000000, "access": [{"collection": "docs", "access": "r", "payload": {"tenant": 3}}], '
	  . '"value_exists": {"collection": "staff", "matches": [{"key": "login", "value": "alice"}]}}');

# $sql as app inside one transaction that sets the token with $how
sub as_app
{
	my ($token, $sql, $how) = @_;
	$how //= 'propagate';
	my $set =
	    $how eq 'propagate' ? "SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL vecrbac.token = '$token';"
	  : $how eq 'login' ? "SET LOCAL citus.propagate_set_commands = 'local'; SELECT vecrbac.login('$token', local => true) IS NOT NULL;"
	  : $how eq 'local_only' ? "SET LOCAL vecrbac.token = '$token';"
	  : '';
	return $coord->psql('postgres', "SET ROLE app; BEGIN; $set $sql; COMMIT;",
		on_error_stop => 1, extra_params => [ '-tA' ]);
}

sub exact_ids
{
	my ($where) = @_;
	return $coord->safe_psql('postgres', qq{
SET enable_indexscan = off;
SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
  SELECT id, embedding <-> '[3,3,3]' AS d FROM docs WHERE $where ORDER BY d, id LIMIT 5) s});
}
my $knn = q{SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
  SELECT id, embedding <-> '[3,3,3]' AS d FROM docs ORDER BY d, id LIMIT 5) s};

($rc, $out, $err) = as_app($t_tenant, "SELECT count(*) FROM docs");
like($out, qr/^100$/m, "a tenant's token sees its 100 rows on every shard") or diag $err;
($rc, $out, $err) = as_app($t_tenant, $knn);
like($out, qr/^\Q@{[exact_ids('tenant = 3')]}\E$/m, "a tenant's top 5 (every shard searched, merged) is its exact top 5")
  or diag $err;
(my $routed = $knn) =~ s/FROM docs/FROM docs WHERE tenant = 3/;
($rc, $out, $err) = as_app($t_tenant, $routed);
like($out, qr/^\Q@{[exact_ids('tenant = 3')]}\E$/m, "with WHERE tenant = 3 (routed to one shard): the same")
  or diag $err;
($rc, $out, $err) = as_app($t_tenant, "EXPLAIN (COSTS OFF) $routed");
like($out, qr/Task Count: 1\b/, 'that query is routed to one shard') or diag $out, $err;
($rc, $out, $err) = as_app($t_global, "SELECT count(*) FROM docs");
like($out, qr/^800$/m, 'a global token sees all 800 rows') or diag $err;
($rc, $out, $err) = as_app($t_global, $knn);
like($out, qr/^\Q@{[exact_ids('true')]}\E$/m, "a global token's merged top 5 is the exact top 5")
  or diag $err;
($rc, $out, $err) = as_app($t_tenant, "SELECT count(*) FROM docs", 'login');
like($out, qr/^100$/m, 'vecrbac.login(token, local => true) reaches the shards') or diag $err;

# fail closed
($rc, $out, $err) = as_app('', "SELECT count(*) FROM docs", 'none');
like($err, qr/no token is set|42501/, 'no token: refused');
($rc, $out, $err) = as_app($t_tenant, "SELECT count(*) FROM docs WHERE tenant = 3", 'local_only');
like($err, qr/no token is set/, 'a token set on the coordinator only: the worker refuses (42501)');
($rc, $out, $err) = as_app($t_tenant . 'x', "SELECT count(*) FROM docs");
isnt($rc, 0, 'a forged token: refused');

# each shard's plan takes the scope as an hnsw index condition
($rc, $out, $err) = as_app($t_tenant,
	"SET LOCAL citus.explain_all_tasks = on; SET LOCAL enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY embedding <-> '[3,3,3]' LIMIT 5");
my @conds = ($out =~ /Index Cond: \(\(tenant OPERATOR\(vecrbac\.<@\) vecrbac\.key_scope/g);
is(scalar @conds, 4, 'every shard searches its hnsw index with the tenant scope as Index Cond')
  or diag $out, $err;

# ---- writes through the coordinator -------------------------------------------------------------
($rc, $out, $err) = as_app($t_rw, "INSERT INTO docs VALUES (1001, 5, '[1,1,1]'), (1002, 5, '[2,2,2]')");
is($rc, 0, 'routed INSERT of own-tenant rows') or diag $err;
($rc, $out, $err) = as_app($t_rw, "INSERT INTO docs VALUES (1003, 6, '[1,1,1]')");
like($err, qr/row-level security/, 'INSERT into another tenant: refused');
($rc, $out, $err) = as_app($t_rw, "INSERT INTO docs SELECT i, 5 + (i % 2), '[0,0,0]' FROM generate_series(1100, 1103) i");
like($err, qr/row-level security/, 'multi-shard INSERT .. SELECT with a foreign row: refused whole');
($rc, $out, $err) = as_app($t_rw,
	"INSERT INTO docs VALUES (1001, 5, '[9,9,9]') ON CONFLICT (tenant, id) DO UPDATE SET embedding = EXCLUDED.embedding RETURNING id");
like($out, qr/^1001$/m, 'upsert of an own row') or diag $err;
($rc, $out, $err) = as_app($t_rw, "UPDATE docs SET payload = '{\"dept\": \"x\"}' RETURNING tenant");
my @updated = ($out =~ /^(\d+)$/mg);
ok(@updated == 102 && !grep({ $_ != 5 } @updated), 'multi-shard UPDATE touches only own rows')
  or diag "updated: " . scalar(@updated) . " $err";
($rc, $out, $err) = as_app($t_rw, "UPDATE docs SET tenant = 6 WHERE id = 1002");
like($err, qr/modifying the partition value of rows is not allowed/,
	'UPDATE moving a row to another tenant: refused (by Citus, before any policy)');
($rc, $out, $err) = as_app($t_rw, "DELETE FROM docs WHERE id >= 1001 RETURNING id");
is(join(',', sort ($out =~ /^(\d+)$/mg)), '1001,1002', 'multi-shard DELETE removes only own rows')
  or diag $err;
($rc, $out, $err) = $coord->psql('postgres', qq{
SET ROLE app; BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL vecrbac.token = '$t_rw';
COPY docs FROM STDIN;
2001\t5\t[1,2,3]\t{}
\\.
COMMIT;});
like($err, qr/COPY FROM not supported with row-level security/,
	'COPY FROM is refused on the shards, as PostgreSQL refuses it on any table under row-level security');
($rc, $out, $err) = $coord->psql('postgres', qq{
SET ROLE app; BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL vecrbac.token = '$t_rw';
COPY docs FROM STDIN;
2002\t6\t[1,2,3]\t{}
\\.
COMMIT;});
like($err, qr/row-level security/, 'COPY of a foreign row: refused');
is($coord->safe_psql('postgres', 'SELECT count(*) FROM docs WHERE id >= 1000'), '0',
	'after the DELETE, no written row is left');
is($coord->safe_psql('postgres', "SELECT count(*) FROM docs WHERE tenant = 5 AND payload = '{\"dept\": \"x\"}'"),
	'100', "the UPDATE changed the tenant's 100 rows");
is($coord->safe_psql('postgres', "SELECT count(*) FROM docs WHERE tenant <> 5 AND payload = '{\"dept\": \"x\"}'"),
	'0', 'and no other row');

# ---- value_exists with a reference table ---------------------------------------------------------
($rc, $out, $err) = as_app($t_ve, "SELECT count(*) FROM docs");
like($out, qr/^100$/m, 'value_exists in a reference table: looked up on every node') or diag $err;
$coord->safe_psql('postgres', "DELETE FROM staff WHERE login = 'alice'");
($rc, $out, $err) = as_app($t_ve, "SELECT count(*) FROM docs");
like($err, qr/value_exists condition matches no row/, 'revoked: refused at the next statement');

# ---- TRUNCATE ------------------------------------------------------------------------------------
($rc, $out, $err) = as_app($t_tenant, "TRUNCATE docs");
like($err, qr/does not grant truncate access/, 'TRUNCATE with a read token: refused');
is($coord->safe_psql('postgres', 'SELECT count(*) FROM docs'), '800', 'nothing truncated');

# ---- protected first, distributed afterwards -------------------------------------------------------
($rc, $out, $err) = $coord->psql('postgres', q{
CREATE TABLE later (id bigint NOT NULL, tenant int NOT NULL, embedding vector(3) NOT NULL,
                    payload jsonb NOT NULL DEFAULT '{}', PRIMARY KEY (tenant, id));
INSERT INTO later SELECT i, i % 8, '[1,1,1]' FROM generate_series(1, 80) i;
SELECT vecrbac.protect('later', key_columns => '{"tenant": "tenant"}');
GRANT SELECT ON later TO app;
SET citus.enable_unsafe_triggers = on;
SELECT create_distributed_table('later', 'tenant');});
is($rc, 0, 'a protected table distributed afterwards (citus.enable_unsafe_triggers)') or diag $err;
my $t_later = token('{"exp": 4000000000, "access": [{"collection": "later", "access": "r", "payload": {"tenant": 2}}]}');
($rc, $out, $err) = as_app($t_later, "SELECT count(*) FROM later");
like($out, qr/^10$/m, 'its shards answer the token') or diag $err;
is(placements('later', $guarded), 't', 'its shards have the policies, forced RLS and the TRUNCATE guard');

for my $w (@workers)
{
	is($w->safe_psql('postgres', "SELECT count(*) FROM vecrbac.collections WHERE name = 'later'"), '1',
		$w->name . ': its registry row');
}

# ---- a worker as the entry point, and shards made later ------------------------------------------
sub on_worker
{
	my ($w, $token, $sql) = @_;
	return $w->psql('postgres',
		"SET ROLE app; BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; "
		  . "SET LOCAL vecrbac.token = '$token'; $sql; COMMIT;",
		on_error_stop => 1, extra_params => ['-tA']);
}
($rc, $out, $err) = on_worker($workers[0], $t_tenant, 'SELECT count(*) FROM docs');
like($out, qr/^100$/m, 'a query sent to a worker answers the token as the coordinator does') or diag $err;
($rc, $out, $err) = on_worker($workers[0], $t_tenant, 'TRUNCATE docs');
like($err, qr/does not grant truncate access/, 'TRUNCATE through a worker: refused');
my $shard = $workers[0]->safe_psql('postgres', q{SET citus.override_table_visibility = off;
SELECT relname FROM pg_class WHERE relname ~ '^docs_[0-9]+$' AND relkind = 'r' ORDER BY 1 LIMIT 1});
($rc, $out, $err) = on_worker($workers[0], $t_tenant, "TRUNCATE $shard");
like($err, qr/is a shard of a distributed table/, "TRUNCATE of a shard ($shard) on its worker: refused by Citus");
($rc, $out, $err) = on_worker($workers[0], $t_tenant,
	"SET LOCAL citus.enable_manual_changes_to_shards = on; TRUNCATE $shard");
like($err, qr/does not grant truncate access/, '... and with citus.enable_manual_changes_to_shards, by its guard');
is($coord->safe_psql('postgres', 'SELECT count(*) FROM docs'), '800', 'nothing truncated');

($rc, $out, $err) = $coord->psql('postgres',
	"SELECT isolate_tenant_to_new_shard('docs', 3, 'CASCADE', shard_transfer_mode => 'block_writes')");
is($rc, 0, 'a tenant isolated to new shards') or diag $err;
is(placements('docs', $guarded), 't', 'every docs shard, the new ones included: protected and guarded');
($rc, $out, $err) = as_app($t_tenant, $knn);
like($out, qr/^\Q@{[exact_ids('tenant = 3')]}\E$/m, "the isolated tenant's top 5 is still exact") or diag $err;

# ---- unprotect ------------------------------------------------------------------------------------
($rc, $out, $err) = $coord->psql('postgres', q{SELECT vecrbac.unprotect('later')});
is($rc, 0, 'unprotect() on a distributed table') or diag $err;
is(placements('later', q{NOT EXISTS (SELECT 1 FROM pg_policy WHERE polrelid = %1$L::regclass)
  AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = %1$L::regclass AND tgname ~ '^vecrbac_truncate')
  AND (SELECT NOT relrowsecurity FROM pg_class WHERE oid = %1$L::regclass)}),
	't', 'its shards: no policy, no guard, row-level security off');
for my $w (@workers)
{
	is($w->safe_psql('postgres', "SELECT count(*) FROM vecrbac.collections WHERE name = 'later'"), '0',
		$w->name . ': its registry row is gone');
}

# ---- create_collection, distributed afterwards, and drop_collection ------------------------------
my $t_manage = token('{"exp": 4000000000, "access": "m"}');
($rc, $out, $err) = $coord->psql('postgres', qq{
SET vecrbac.token = '$t_manage';
SELECT vecrbac.create_collection('notes', 3, key_columns => '{"tenant": "integer"}');
SET citus.enable_unsafe_triggers = on;
SELECT create_reference_table('notes');});
is($rc, 0, 'create_collection, then create_reference_table') or diag $err;
is(placements('notes', $guarded), 't', 'its placements are protected and guarded');
for my $w (@workers)
{
	is($w->safe_psql('postgres', "SELECT count(*) FROM vecrbac.collections WHERE name = 'notes'"), '1',
		$w->name . ': its registry row');
}
($rc, $out, $err) = $coord->psql('postgres', "SET vecrbac.token = '$t_manage'; SELECT vecrbac.drop_collection('notes')");
is($rc, 0, 'drop_collection on the coordinator') or diag $err;
for my $w (@workers)
{
	is($w->safe_psql('postgres', "SELECT count(*) FROM vecrbac.collections WHERE name = 'notes'"), '0',
		$w->name . ': its registry row is gone');
}

$_->stop for @nodes;
done_testing();
