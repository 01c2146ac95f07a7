# 009_pgbench_tokens.pl: a bounded pgbench run through tenant tokens on a protected
# collection with the recommended index USING hnsw (tenant, embedding, payload),
# while another client VACUUMs it every two seconds.
#
# Each client is tenant client_id % 8 and sets its tenant's token once for its
# session (SET vecrbac.token, kept across transactions). Its scripts:
#   search    top 10 by the session token: must be 10 rows, all of its tenant
#   insert    a row of its tenant (logged in the same statement)
#   update    a random id: changes it only when it is the tenant's (new version, new vector)
#   delete    a random id: deletes it only when it is the tenant's (logged)
#   foreign   a write outside the scope: INSERT of another tenant's row, or moving one
#             of its rows to another tenant (42501, counted as expected failures by the
#             function that tries them), or UPDATE / DELETE aimed at another tenant's row
#             (row-level security: no row affected, counted as such)
#   switch    a transaction with another tenant's token (SET LOCAL): search and insert
#             as that tenant, then, after COMMIT, a search must be the session's tenant again
#   rollback  the same with ROLLBACK: its insert never appears
#   readonly  a transaction with the tenant's read-only token: an insert fails (42501)
# A violation (a foreign row in a search, a short result, a foreign write that
# succeeded, the wrong token after a transaction) is recorded in a table; any other
# error aborts a pgbench client, which fails the test. Afterwards:
#   - pgbench: no failed transaction, no aborted client; no violation recorded;
#     expected failures only with SQLSTATE 42501, and some of each kind;
#   - every row accounted for: the table holds exactly the initial and inserted ids
#     not deleted, each with the tenant it was written with, the vector its version
#     implies, and no change made by a foreign write;
#   - each tenant's token sees exactly its rows (count, and top 10 = exact search of
#     its rows, never short, nothing foreign);
#   - the index: sound pages, every row once, exact after VACUUM, vecrbac.hnsw_check
#     reports no error.
# VR_TOKEN_BENCH_SECONDS sets the duration (30), VR_TOKEN_BENCH_CLIENTS the clients (4).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $seconds = vr_env_int('VR_TOKEN_BENCH_SECONDS', 30);
my $clients = vr_env_int('VR_TOKEN_BENCH_CLIENTS', 4);
my $vacuum_every = 2;
my $dim = 16;
my $initial = 2000;
my $tenants = 8;
my $secret = 'a pgbench secret of at least thirty-two bytes';

my $node = vr_node('tokens_bench', conf => [ "vecrbac.jwt_secret = '$secret'" ]);
$node->start;
vr_create_extension($node);
$node->safe_psql('postgres', qq{
CREATE TABLE items (id bigint PRIMARY KEY, tenant int NOT NULL, ver int NOT NULL,
                    embedding vector($dim) NOT NULL, payload jsonb NOT NULL);
INSERT INTO items SELECT i, i % $tenants, 0, vr_vec(i * 1000, $dim), jsonb_build_object('dept', 'd' || i % 3)
FROM generate_series(1, $initial) i;
CREATE INDEX items_scoped ON items USING hnsw (tenant, embedding vector_l2_ops, payload);
SELECT vecrbac.protect('items', key_columns => '{"tenant": "tenant"}');
CREATE SEQUENCE items_id START $initial;
SELECT setval('items_id', $initial);
CREATE TABLE queries (qid int PRIMARY KEY, v vector($dim));
INSERT INTO queries SELECT q, vr_vec(-q, $dim) FROM generate_series(1, 100) q;
CREATE TABLE inserted_log (id bigint PRIMARY KEY, tenant int NOT NULL);
CREATE TABLE deleted_log (id bigint PRIMARY KEY);
CREATE TABLE violations (kind text, client int, tenant int, a bigint, b bigint);
CREATE TABLE outcomes (kind text, state text, message text);
-- Each tenant's tokens: rw and r on its rows.
CREATE TABLE tokens (tenant int PRIMARY KEY, rw text NOT NULL, r text NOT NULL);
INSERT INTO tokens
SELECT t, vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access', jsonb_build_array(
            jsonb_build_object('collection', 'items', 'access', 'rw', 'payload', jsonb_build_object('tenant', t)))), '$secret'),
          vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access', jsonb_build_array(
            jsonb_build_object('collection', 'items', 'access', 'r', 'payload', jsonb_build_object('tenant', t)))), '$secret')
FROM generate_series(0, $tenants - 1) t;

-- A write outside the token's scope; 42501 is the expected outcome of an insert of
-- another tenant's row, of moving a row to another tenant and of any write with a
-- read-only token. An UPDATE or DELETE aimed at another tenant's row sees no row.
-- Anything else that succeeds is a violation; any other error propagates (and aborts
-- the pgbench client).
CREATE FUNCTION try_foreign(kind text, mine int, other int, target bigint) RETURNS void
LANGUAGE plpgsql AS \$\$
DECLARE n bigint;
BEGIN
  BEGIN
    CASE kind
    WHEN 'insert' THEN
      INSERT INTO items VALUES (-target, other, 0, vr_vec(-target, $dim), '{}');
    WHEN 'move' THEN
      UPDATE items SET tenant = other WHERE id = target;
    WHEN 'update' THEN
      UPDATE items SET ver = ver + 1000 WHERE id = target AND tenant = other;
    WHEN 'delete' THEN
      DELETE FROM items WHERE id = target AND tenant = other;
    WHEN 'readonly' THEN
      INSERT INTO items VALUES (-target, mine, 0, vr_vec(-target, $dim), '{}');
    END CASE;
    GET DIAGNOSTICS n = ROW_COUNT;
  EXCEPTION WHEN insufficient_privilege THEN
    INSERT INTO outcomes VALUES (kind, SQLSTATE, SQLERRM);
    RETURN;
  END;
  IF n > 0 THEN
    INSERT INTO violations VALUES ('write outside the scope succeeded: ' || kind, NULL, mine, other, target);
  ELSE
    INSERT INTO outcomes VALUES (kind, 'none', 'no row in scope');
  END IF;
END \$\$;

CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS;
GRANT SELECT, INSERT, UPDATE, DELETE ON items TO app;
GRANT USAGE ON SEQUENCE items_id TO app;
GRANT SELECT ON queries, tokens TO app;
GRANT SELECT ON SEQUENCE items_id TO app;
GRANT INSERT ON inserted_log, deleted_log, violations, outcomes TO app;
});

# Every script starts by making sure the client's session has its tenant's token
# (current_setting is NULL before the session has loaded the extension's library).
my $session = "\\set tenant :client_id % $tenants\n"
  . "SELECT (coalesce(current_setting('vecrbac.token', true), '') = '')::int AS need_token \\gset\n"
  . "\\if :need_token\n"
  . "SELECT set_config('vecrbac.token', rw, false) IS NOT NULL FROM tokens WHERE tenant = :tenant;\n"
  . "\\endif\n";
# A top-10 search as the token in force, checked for tenant :who.
sub search
{
	my ($who, $kind) = @_;
	return "\\set q random(1, 100)\n"
	  . "SELECT count(*) AS n, count(*) FILTER (WHERE tenant <> :$who) AS alien FROM "
	  . "(SELECT tenant FROM items ORDER BY embedding <-> (SELECT v FROM queries WHERE qid = :q) LIMIT 10) s \\gset\n"
	  . "\\if :alien > 0 OR :n < 10\n"
	  . "INSERT INTO violations VALUES ('$kind', :client_id, :$who, :n, :alien);\n"
	  . "\\endif\n";
}
my $insert_as = sub {
	my ($who) = @_;
	return "WITH i AS (INSERT INTO items SELECT n, :$who, 0, vr_vec(n * 1000, $dim), jsonb_build_object('dept', 'd' || n % 3) "
	  . "FROM nextval('items_id') n RETURNING id, tenant) INSERT INTO inserted_log SELECT id, tenant FROM i;\n";
};
my $random_id = "SELECT last_value AS maxid FROM items_id \\gset\n\\set id random(1, :maxid)\n";

my %scripts = (
	search => [ 6, $session . search('tenant', 'search: foreign or short') ],
	insert => [ 2, $session . $insert_as->('tenant') ],
	update => [ 2, $session . $random_id
		  . "UPDATE items SET ver = ver + 1, embedding = vr_vec(id * 1000 + ver + 1, $dim) WHERE id = :id;\n" ],
	delete => [ 1, $session . $random_id
		  . "WITH d AS (DELETE FROM items WHERE id = :id RETURNING id) INSERT INTO deleted_log SELECT id FROM d;\n" ],
	foreign => [ 2, $session . $random_id
		  . "\\set other (:tenant + random(1, " . ($tenants - 1) . ")) % $tenants\n"
		  . "\\set own random(0, " . (int($initial / $tenants) - 1) . ") * $tenants + :tenant\n"
		  . "\\set k random(0, 3)\n"
		  . "\\if :k = 0\nSELECT try_foreign('insert', :tenant, :other, :id);\n"
		  . "\\elif :k = 1\nSELECT try_foreign('move', :tenant, :other, :own);\n"
		  . "\\elif :k = 2\nSELECT try_foreign('update', :tenant, :other, :id);\n"
		  . "\\else\nSELECT try_foreign('delete', :tenant, :other, :id);\n\\endif\n" ],
	switch => [ 2, $session
		  . "\\set u random(0, " . ($tenants - 1) . ")\n"
		  . "BEGIN;\nSELECT set_config('vecrbac.token', rw, true) IS NOT NULL FROM tokens WHERE tenant = :u;\n"
		  . search('u', 'switched search: foreign or short') . $insert_as->('u') . "COMMIT;\n"
		  . search('tenant', 'after a switched transaction: not the session token') ],
	rollback => [ 1, $session
		  . "\\set u random(0, " . ($tenants - 1) . ")\n"
		  . "BEGIN;\nSELECT set_config('vecrbac.token', rw, true) IS NOT NULL FROM tokens WHERE tenant = :u;\n"
		  . "INSERT INTO items SELECT -n, :u, 0, vr_vec(n, $dim), '{}' FROM nextval('items_id') n;\n"
		  . "ROLLBACK;\n" . search('tenant', 'after a rollback: not the session token') ],
	readonly => [ 1, $session . $random_id
		  . "BEGIN;\nSELECT set_config('vecrbac.token', r, true) IS NOT NULL FROM tokens WHERE tenant = :tenant;\n"
		  . "SELECT try_foreign('readonly', :tenant, :tenant, :id);\nCOMMIT;\n" ],
);
my ($done, $tps) = vr_pgbench($node, \%scripts, table => 'items', seconds => $seconds, clients => $clients,
	vacuum_every => $vacuum_every, user => 'app');
my %done = %$done;
note(sprintf('%d s, %d clients: %s, tps %s', $seconds, $clients,
		join(', ', map { "$done{$_} $_" } sort keys %done), $tps // '?'));

is($node->safe_psql('postgres', q{SELECT string_agg(format('%s (client %s, tenant %s: %s/%s)', kind, client, tenant, a, b), E'\n') FROM violations}),
	'', 'no violation: every search saw 10 rows of its token\'s tenant, no foreign write succeeded');
my %outcomes = map { my ($k, $s, $n) = split /\|/; ("$k $s" => $n) } split /\n/,
  $node->safe_psql('postgres', 'SELECT kind, state, count(*) FROM outcomes GROUP BY 1, 2 ORDER BY 1, 2');
note('writes outside the scope: ' . join(', ', map { "$_: $outcomes{$_}" } sort keys %outcomes));
is(join(',', grep { !/ (42501|none)$/ } keys %outcomes), '', 'every expected failure is 42501');
cmp_ok($outcomes{"$_ 42501"} // 0, '>', 0, "$_ outside the scope: refused with 42501") for qw(insert move readonly);
is(join(',', grep { /^(insert|readonly) none$|^(update|delete) 42501$/ } keys %outcomes), '',
	'foreign inserts always refused; foreign updates and deletes see no row');
is($node->safe_psql('postgres', q{SELECT string_agg(DISTINCT message, '; ') FROM outcomes WHERE state = '42501' AND kind IN ('insert', 'move')}),
	'new row violates row-level security policy for table "items"', 'their message');
is($node->safe_psql('postgres', q{SELECT string_agg(DISTINCT message, '; ') FROM outcomes WHERE state = '42501' AND kind = 'readonly'}),
	'permission denied for collection "items"', 'and with a read-only token');

# ---- every row accounted for ------------------------------------------------------------------
my ($rows, $inserted, $deleted, $lost, $ghost, $both, $bad_vec, $bad_tenant, $touched) = split /\|/, $node->safe_psql('postgres', qq{
WITH expected AS (SELECT i::bigint AS id, i % $tenants AS tenant FROM generate_series(1, $initial) i
                  UNION ALL SELECT id, tenant FROM inserted_log)
SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM inserted_log), (SELECT count(*) FROM deleted_log),
       (SELECT count(*) FROM expected e WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = e.id)
                                          AND NOT EXISTS (SELECT 1 FROM deleted_log d WHERE d.id = e.id)),
       (SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.id = i.id)),
       (SELECT count(*) FROM items JOIN deleted_log USING (id)),
       (SELECT count(*) FROM items WHERE embedding <> vr_vec(id * 1000 + ver, $dim)),
       (SELECT count(*) FROM items i JOIN expected e USING (id) WHERE i.tenant <> e.tenant),
       (SELECT count(*) FROM items WHERE ver >= 1000);});
is("$lost $ghost $both", '0 0 0',
	"no row lost, invented or both deleted and present ($rows rows, $inserted inserted, $deleted deleted)");
is("$bad_vec $bad_tenant $touched", '0 0 0', 'every row has its version\'s vector and its own tenant; no foreign update landed');
cmp_ok($inserted, '>=', ($done{insert} // 0) + ($done{switch} // 0), 'every insert pgbench counted is logged');
cmp_ok($inserted, '<=', ($done{insert} // 0) + ($done{switch} // 0) + 2 * $clients, 'and at most the in-flight ones more');

# ---- each tenant's token sees exactly its rows --------------------------------------------------
my (@short, @alien, @count_bad);
my ($recall_sum, $recall_n) = (0, 0);
for my $t (0 .. $tenants - 1)
{
	my $as_app = "SET ROLE app;\nSELECT set_config('vecrbac.token', rw, false) IS NOT NULL AS token_set FROM tokens WHERE tenant = $t \\gset\n";
	my ($mine, $all) = split /\|/, $node->safe_psql('postgres',
		"$as_app SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM items WHERE tenant <> $t);");
	my $truth = $node->safe_psql('postgres', "SELECT count(*) FROM items WHERE tenant = $t");
	push @count_bad, "tenant $t: $mine rows seen, $truth in the table, $all foreign" if $mine ne $truth || $all ne '0';
	for my $q (1 .. 5)
	{
		my $got = vr_ids($node, 'postgres', "$as_app SET enable_seqscan = off;\n"
			  . "SELECT id FROM items ORDER BY embedding <-> vr_vec(-$q, $dim) LIMIT 10;");
		my $exact = vr_ids($node, 'postgres', "SET enable_indexscan = off;\nSET enable_bitmapscan = off;\n"
			  . "SELECT id FROM items WHERE tenant = $t ORDER BY embedding <-> vr_vec(-$q, $dim), id LIMIT 10;");
		my %in_t = map { $_ => 1 } @{ vr_ids($node, 'postgres', "SELECT id FROM items WHERE tenant = $t") };
		push @short, "tenant $t query $q: " . scalar(@$got) if @$got < 10;
		push @alien, grep { !$in_t{$_} } @$got;
		$recall_sum += vr_recall($got, $exact);
		$recall_n++;
	}
}
is(join('; ', @count_bad), '', 'each token counts exactly its tenant\'s rows');
is(join(' ', @alien), '', 'no top-10 result of another tenant');
is(join('; ', @short), '', 'no top-10 result short');
cmp_ok($recall_sum / $recall_n, '>=', 0.9, sprintf('recall@10 of tenant searches: %.3f', $recall_sum / $recall_n));

# ---- the index --------------------------------------------------------------------------------
my %idx = (index => 'items_scoped', table => 'items', column => 'embedding');
vr_assert_healthy($node, 'postgres', %idx, label => '(after pgbench)');
vr_wait_idle($node);
$node->safe_psql('postgres', 'VACUUM items;');
vr_assert_healthy($node, 'postgres', %idx, exact => 1, label => '(after pgbench and VACUUM)');
is($node->safe_psql('postgres', q{SELECT count(*) FROM vecrbac.hnsw_check('items_scoped') WHERE severity = 'error'}),
	'0', 'vecrbac.hnsw_check: no error');

$node->stop;
done_testing();
