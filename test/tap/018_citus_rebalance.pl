# 018_citus_rebalance.pl: shards that Citus makes after vecrbac.protect() are protected too
# (docs/scaling.md). A coordinator and two workers on 127.0.0.1 with wal_level = logical
# (shard moves and splits copy through logical replication), three protected tables: docs
# (hash-distributed by tenant, 4 shards), notes (protected first, then distributed
# colocated with docs) and staff (a reference table). Then, one after the other:
#
#   - citus_add_node of a third worker, and citus_rebalance_start (background moves to it);
#   - alter_distributed_table to 6 shards (docs and notes rebuilt; it needs
#     citus.enable_unsafe_triggers; each worker guards its new shards in the same
#     transaction, so no protect() again);
#   - citus_split_shard_by_split_points of one shard into two on different workers;
#   - citus_drain_node of the third worker, and rebalance_table_shards back onto it;
#   - create_distributed_table colocated with docs after all this;
#   - create_collection, then distribute_collection by its tenant key (twice, colocated);
#   - alter_distributed_table of a table in another schema, then with metadata sync to one
#     worker stopped: the coordinator warns of exactly the shards there, protect() guards them.
#
# After each: every placement of every table has the four policies, forced row-level
# security and its TRUNCATE guard; every node has the registry rows; every tenant's token
# reads exactly its rows and its exact top 5, writes its own rows and no other tenant's;
# a token that reaches the coordinator only, no token and a forged token are refused on
# the workers; a direct TRUNCATE of any shard on its worker is refused by the guard.
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
# Shard splits decode WAL with Citus's own output plugin; PostgreSQL releases that have
# output_plugin_libraries (15.20 here) let replication use only the plugins listed there.
sub allow_citus_plugin
{
	for my $n (@_)
	{
		my $plugins = $n->safe_psql('postgres',
			q{SELECT setting FROM pg_settings WHERE name = 'output_plugin_libraries'});
		next if $plugins eq '';
		# a list, unquoted: quoted, it would be one element
		$n->safe_psql('postgres', "ALTER SYSTEM SET output_plugin_libraries = $plugins, citus");
		$n->safe_psql('postgres', 'SELECT pg_reload_conf()');
	}
}
# three workers, the third added later
my ($coord, @workers) = vr_citus_cluster(
	workers => 3,
	added => 2,
	conf => [ 'wal_level = logical', 'max_replication_slots = 10', 'max_wal_senders = 10' ],
	before_citus => \&allow_citus_plugin);
my @nodes = ($coord, @workers);
$coord->safe_psql('postgres', 'CREATE EXTENSION vecrbac');

my @tables = qw(docs notes staff);
my @tenants = (0 .. 7);

# ---- tables ----------------------------------------------------------------------------------
$coord->safe_psql('postgres', q{
CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE TABLE docs (id bigint NOT NULL, tenant int NOT NULL, embedding vector(3) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}', PRIMARY KEY (tenant, id));
SELECT create_distributed_table('docs', 'tenant');
INSERT INTO docs SELECT i, i % 8, ARRAY[i % 7, i % 11, i % 13]::real[]::vector FROM generate_series(1, 800) i;
CREATE INDEX docs_hnsw ON docs USING hnsw (tenant, embedding vector_l2_ops, payload);
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant"}');

CREATE TABLE notes (id bigint NOT NULL, tenant int NOT NULL, embedding vector(3) NOT NULL,
                    payload jsonb NOT NULL DEFAULT '{}', PRIMARY KEY (tenant, id));
INSERT INTO notes SELECT i, i % 8, ARRAY[i % 5, i % 3, 1]::real[]::vector FROM generate_series(1, 80) i;
CREATE INDEX notes_hnsw ON notes USING hnsw (tenant, embedding vector_l2_ops, payload);
SELECT vecrbac.protect('notes', key_columns => '{"tenant": "tenant"}');
SET citus.enable_unsafe_triggers = on;
SELECT create_distributed_table('notes', 'tenant', colocate_with => 'docs');
RESET citus.enable_unsafe_triggers;

CREATE TABLE staff (login text PRIMARY KEY, tenant int NOT NULL, payload jsonb NOT NULL DEFAULT '{}');
SELECT create_reference_table('staff');
INSERT INTO staff SELECT 'user' || t, t FROM generate_series(0, 7) t;
SELECT vecrbac.protect('staff', key_columns => '{"tenant": "tenant"}');
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON docs, notes, staff TO app;
});

# ---- tokens -----------------------------------------------------------------------------------
sub token
{
	my ($claims) = @_;
	return $coord->safe_psql('postgres', "SELECT vecrbac.jwt_sign('$claims'::jsonb, '$secret')");
}
my (%t_read, %t_rw);
for my $t (@tenants)
{
	my $grants = join(', ',
		map { qq{{"collection": "$_", "access": "%s", "payload": {"tenant": $t}}} } @tables);
	$t_read{$t} = token(sprintf(qq({"exp": 4000000000, "access": [$grants]}), ('r') x @tables));
	$t_rw{$t} = token(sprintf(qq({"exp": 4000000000, "access": [$grants]}), ('rw') x @tables));
}
my $t_global = token('{"exp": 4000000000, "access": "r"}');

# A psql script as app on $node, its transactions each setting their token with
# SET LOCAL and citus.propagate_set_commands = 'local' (what docs/scaling.md says).
# With $keep_going, errors do not stop the script (each refused transaction rolls back).
sub as_app
{
	my ($node, $script, $keep_going) = @_;
	return $node->psql('postgres', "SET ROLE app;\n$script",
		on_error_stop => $keep_going ? 0 : 1, extra_params => ['-qtA']);
}
sub tx
{
	my ($token, $sql) = @_;
	return "BEGIN; SET LOCAL citus.propagate_set_commands = 'local'; "
	  . "SET LOCAL vecrbac.token = '$token'; $sql; COMMIT;\n";
}

# the exact top 5 of a tenant's rows in $table (a sequential scan, as superuser)
sub exact_top5
{
	my ($table, $t) = @_;
	return $coord->safe_psql('postgres', qq{
SET enable_indexscan = off;
SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
  SELECT id, embedding <-> '[3,3,3]' AS d FROM $table WHERE tenant = $t ORDER BY d, id LIMIT 5) s});
}
sub top5
{
	my ($table, $where) = @_;
	return qq{SELECT string_agg(id::text, ',' ORDER BY d, id) FROM (
  SELECT id, embedding <-> '[3,3,3]' AS d FROM $table $where ORDER BY d, id LIMIT 5) s};
}

sub placements { return vr_citus_placements($coord, @_) }
my $guarded = vr_citus_guarded();

# the worker nodes in the cluster now
sub active_workers
{
	my %port = map { $_ => 1 } split /\n/, $coord->safe_psql('postgres',
		q{SELECT nodeport FROM pg_dist_node WHERE isactive AND noderole = 'primary' AND groupid <> 0});
	return grep { $port{ $_->port } } @workers;
}
sub node_of_port
{
	my ($port) = @_;
	my ($n) = grep { $_->port == $port } @nodes;
	return $n;
}

# Everything the header promises, after $stage.
sub check_stage
{
	my ($stage) = @_;
	my @active = active_workers();
	note "---- $stage: workers " . join(', ', map { $_->name } @active);

	# placements, and the registry on every node
	for my $table (@tables)
	{
		is(placements($table, $guarded), 't',
			"$stage: every $table placement has the policies, forced RLS and its TRUNCATE guard");
	}
	for my $n ($coord, @active)
	{
		is($n->safe_psql('postgres', 'SELECT string_agg(name, \',\' ORDER BY name) FROM vecrbac.collections'),
			join(',', sort @tables), "$stage: " . $n->name . ': the registry rows');
	}

	# reads: each tenant's rows (every shard searched, and routed) and its exact top 5
	my $script = '';
	for my $t (@tenants)
	{
		$script .= tx($t_read{$t}, "SELECT $t, (SELECT count(*) FROM docs), (SELECT count(*) FROM notes), "
			  . "(SELECT count(*) FROM staff), (" . top5('docs', '') . "), (" . top5('docs', "WHERE tenant = $t")
			  . "), (" . top5('notes', "WHERE tenant = $t") . ")");
	}
	my ($rc, $out, $err) = as_app($coord, $script);
	my $want = join("\n", map { my $d = exact_top5('docs', $_); "$_|100|10|1|$d|$d|" . exact_top5('notes', $_) } @tenants);
	is($out, $want, "$stage: every tenant's token reads its own rows and its exact top 5, in each table")
	  or diag $err;
	($rc, $out, $err) = as_app($coord, tx($t_global, 'SELECT (SELECT count(*) FROM docs) + (SELECT count(*) FROM notes)'));
	is($out, '880', "$stage: a global token reads every row") or diag $err;

	# writes: each tenant inserts, updates and deletes through the coordinator; its
	# UPDATE without WHERE reaches every shard and marks its own rows only
	$script = '';
	for my $t (@tenants)
	{
		$script .= tx($t_rw{$t}, "INSERT INTO docs VALUES (100000 + $t, $t, '[1,2,3]'); "
			  . "INSERT INTO notes VALUES (100000 + $t, $t, '[1,2,3]'); "
			  . "UPDATE docs SET payload = jsonb_build_object('by', $t, 'stage', '$stage'); "
			  . "DELETE FROM notes WHERE id >= 100000 RETURNING tenant");
	}
	($rc, $out, $err) = as_app($coord, $script);
	is($out, join("\n", @tenants), "$stage: each tenant's rw token writes and deletes its own rows")
	  or diag $err;
	is($coord->safe_psql('postgres', qq{SELECT count(*) FILTER (WHERE payload ->> 'stage' = '$stage'
  AND (payload ->> 'by')::int = tenant) || '/' || count(*) FROM docs}),
		'808/808', "$stage: every tenant's UPDATE changed its own rows, and no other tenant's");
	$coord->safe_psql('postgres', 'DELETE FROM docs WHERE id >= 100000');

	# refused: rows of another tenant, each on another shard
	$script = '';
	for my $t (@tenants)
	{
		my $other = ($t + 1) % 8;
		$script .= tx($t_rw{$t}, "INSERT INTO docs VALUES (200000 + $t, $other, '[1,2,3]')");
		$script .= tx($t_rw{$t}, "INSERT INTO notes VALUES (200000 + $t, $other, '[1,2,3]')");
	}
	($rc, $out, $err) = as_app($coord, $script, 1);
	my @refused = ($err =~ /new row violates row-level security policy/g);
	is(scalar @refused, 2 * @tenants, "$stage: every INSERT of another tenant's row is refused") or diag $err;

	# fail closed on the workers: a token set on the coordinator only (the workers
	# answer "no token is set"), no token, a forged token sent to a worker
	$script = '';
	for my $t (@tenants)
	{
		$script .= "BEGIN; SET LOCAL vecrbac.token = '$t_read{$t}'; SELECT count(*) FROM docs WHERE tenant = $t; COMMIT;\n";
	}
	($rc, $out, $err) = as_app($coord, $script, 1);
	my @no_token = ($err =~ /no token is set/g);
	is(scalar @no_token, scalar @tenants,
		"$stage: a token that reaches the coordinator only is refused by the worker of each tenant's shard")
	  or diag $out, $err;
	for my $w (@active)
	{
		$script = join('', map { tx($t_read{$_} . 'x', "SELECT count(*) FROM docs WHERE tenant = $_") } @tenants)
		  . join('', map { "SELECT count(*) FROM docs WHERE tenant = $_;\n" } @tenants);
		($rc, $out, $err) = as_app($w, $script, 1);
		my @errors = ($err =~ /^psql:.*ERROR:/mg);
		is(scalar @errors . "|$out", (2 * @tenants) . '|',
			"$stage: " . $w->name . ': forged tokens and no token are refused') or diag $out, $err;
	}

	# a direct TRUNCATE of any shard on its worker, with a read token: refused by its guard
	for my $w (@active)
	{
		my @shards = split /\n/, $w->safe_psql('postgres', q{SET citus.override_table_visibility = off;
SELECT relname FROM pg_class WHERE relname ~ '^(docs|notes|staff)_[0-9]+$' AND relkind = 'r' ORDER BY 1});
		$script = join('', map {
			tx($t_read{0}, "SET LOCAL citus.enable_manual_changes_to_shards = on; TRUNCATE $_")
		} @shards);
		($rc, $out, $err) = as_app($w, $script, 1);
		my @guarded = ($err =~ /does not grant truncate access/g);
		ok(@shards > 0 && @guarded == @shards,
			"$stage: " . $w->name . ': TRUNCATE of each of its ' . scalar(@shards) . ' shards is refused by its guard')
		  or diag $err;
	}
	is($coord->safe_psql('postgres', 'SELECT (SELECT count(*) FROM docs) + (SELECT count(*) FROM notes)'),
		'880', "$stage: nothing truncated");
}

# shards of docs per worker port, as "port:count,..."
sub shard_layout
{
	return $coord->safe_psql('postgres', q{SELECT string_agg(nodeport || ':' || n, ',' ORDER BY nodeport) FROM (
  SELECT nodeport, count(*) n FROM citus_shards WHERE table_name = 'docs'::regclass GROUP BY 1) s});
}

check_stage('initial');

# ---- a third worker, and background rebalancing onto it ---------------------------------------
my $w3 = $workers[2];
my ($rc, $out, $err) = $coord->psql('postgres', "SELECT citus_add_node('127.0.0.1', " . $w3->port . ')');
is($rc, 0, 'citus_add_node of a third worker') or diag $err;
($rc, $out, $err) = $coord->psql('postgres',
	q{SET statement_timeout = '10min';
SELECT citus_rebalance_start(shard_transfer_mode => 'force_logical') IS NOT NULL; SELECT citus_rebalance_wait()});
is($rc, 0, 'citus_rebalance_start (logical replication), waited for') or diag $err;
like(shard_layout(), qr/\b@{[$w3->port]}:[1-9]/, 'shards of docs moved to the third worker') or diag shard_layout();
check_stage('after citus_rebalance_start');

# ---- a new shard count ----------------------------------------------------------------------------
($rc, $out, $err) = $coord->psql('postgres',
	q{SELECT alter_distributed_table('docs', shard_count => 6, cascade_to_colocated => true)});
like($err, qr/triggers are not supported on distributed tables/,
	'alter_distributed_table of a protected table: refused by Citus (its TRUNCATE guard) ...');
($rc, $out, $err) = $coord->psql('postgres', q{SET citus.enable_unsafe_triggers = on;
SELECT alter_distributed_table('docs', shard_count => 6, cascade_to_colocated => true)});
is($rc, 0, '... and done with citus.enable_unsafe_triggers: 6 shards, notes with it') or diag $err;
unlike($err, qr/TRUNCATE guard/, 'no warning of unguarded shards: every worker has Citus metadata');
is($coord->safe_psql('postgres', q{SELECT string_agg(table_name || ':' || shard_count, ',' ORDER BY table_name::text)
FROM citus_tables WHERE table_name::text IN ('docs', 'notes')}), 'docs:6,notes:6', 'both tables now have 6 shards');
# Citus rebuilds the tables and creates their triggers after the new shards, passing a
# TRUNCATE trigger to no shard; each worker guards its own new shards when the trigger
# reaches it (vecrbac._on_guard_created), in the same transaction. check_stage asserts
# every placement's guard, without protect() again.
check_stage('after alter_distributed_table');

# ---- a shard split ----------------------------------------------------------------------------------
my ($split_shard, $split_point) = split /\|/, $coord->safe_psql('postgres', q{
SELECT shardid, ((shardminvalue::bigint + shardmaxvalue::bigint) / 2)::text FROM pg_dist_shard
WHERE logicalrelid = 'docs'::regclass ORDER BY shardid LIMIT 1});
($rc, $out, $err) = $coord->psql('postgres', qq{
SELECT citus_split_shard_by_split_points($split_shard, ARRAY['$split_point'],
  ARRAY(SELECT nodeid FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeport LIMIT 2),
  shard_transfer_mode => 'force_logical')});
is($rc, 0, "citus_split_shard_by_split_points of shard $split_shard at $split_point") or diag $err;
is($coord->safe_psql('postgres', q{SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'docs'::regclass}),
	'7', 'docs now has 7 shards');
check_stage('after citus_split_shard_by_split_points');

# ---- drain the third worker, then rebalance onto it again -----------------------------------------
($rc, $out, $err) = $coord->psql('postgres', qq{
SELECT citus_drain_node('127.0.0.1', @{[$w3->port]}, shard_transfer_mode => 'force_logical');
SELECT citus_set_node_property('127.0.0.1', @{[$w3->port]}, 'shouldhaveshards', true)});
is($rc, 0, 'citus_drain_node of the third worker') or diag $err;
unlike(shard_layout(), qr/\b@{[$w3->port]}:/, 'no shard of docs left on it') or diag shard_layout();
check_stage('after citus_drain_node');
($rc, $out, $err) = $coord->psql('postgres',
	q{SELECT rebalance_table_shards('docs', shard_transfer_mode => 'force_logical')});
is($rc, 0, 'rebalance_table_shards') or diag $err;
like(shard_layout(), qr/\b@{[$w3->port]}:[1-9]/, 'shards of docs moved back to the third worker') or diag shard_layout();
check_stage('after rebalance_table_shards');

# ---- a table distributed colocated with docs now --------------------------------------------------
($rc, $out, $err) = $coord->psql('postgres', q{
CREATE TABLE more (id bigint NOT NULL, tenant int NOT NULL, embedding vector(3) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}', PRIMARY KEY (tenant, id));
SELECT create_distributed_table('more', 'tenant', colocate_with => 'docs');
INSERT INTO more SELECT i, i % 8, '[1,1,1]' FROM generate_series(1, 40) i;
SELECT vecrbac.protect('more', key_columns => '{"tenant": "tenant"}');
GRANT SELECT ON more TO app});
is($rc, 0, 'a table distributed colocated with docs, then protected') or diag $err;
is(placements('more', $guarded), 't', 'its placements (7, on the three workers) are protected and guarded');
my $t_more = token('{"exp": 4000000000, "access": [{"collection": "more", "access": "r", "payload": {"tenant": 6}}]}');
($rc, $out, $err) = as_app($coord, tx($t_more, 'SELECT count(*) FROM more'));
is($out, '5', 'a tenant reads its own rows of it') or diag $err;
($rc, $out, $err) = as_app($coord,
	"BEGIN; SET LOCAL vecrbac.token = '$t_more'; SELECT count(*) FROM more WHERE tenant = 6; COMMIT;", 1);
like($err, qr/no token is set/, 'and without the token on the worker: refused');

# ---- create_collection, then distribute_collection by its tenant key -----------------------------
my $t_manage = token('{"exp": 4000000000, "access": "m"}');
($rc, $out, $err) = $coord->psql('postgres', qq{
SET vecrbac.token = '$t_manage';
SELECT vecrbac.create_collection('cards', 3, key_columns => '{"tenant": "integer"}');
SELECT vecrbac.distribute_collection('cards');
SELECT vecrbac.create_collection('tags', 3, key_columns => '{"tenant": "integer", "team": "integer"}');
SELECT vecrbac.distribute_collection('tags', 'tenant', colocate_with => 'cards');});
is($rc, 0, 'create_collection and distribute_collection, twice (the second colocated with the first)')
  or diag $err;
is($coord->safe_psql('postgres', q{SELECT string_agg(format('%s:%s:%s:%s', t.table_name, t.distribution_column,
  t.shard_count, t.colocation_id = c.colocation_id), ',' ORDER BY t.table_name::text)
FROM citus_tables t, citus_tables c WHERE t.table_name::text IN ('cards', 'tags') AND c.table_name = 'cards'::regclass}),
	'cards:tenant:4:t,tags:tenant:4:t', 'both distributed by tenant, colocated');
is($coord->safe_psql('postgres', q{SELECT string_agg(conrelid::regclass || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY 1)
FROM pg_constraint WHERE conrelid IN ('cards'::regclass, 'tags'::regclass) AND contype = 'p'}),
	'cards PRIMARY KEY (tenant, id), tags PRIMARY KEY (tenant, id)', 'their primary keys lead with tenant');
is(placements($_, $guarded), 't', "every $_ shard: the policies, forced RLS and the TRUNCATE guard") for qw(cards tags);
for my $n ($coord, active_workers())
{
	is($n->safe_psql('postgres', q{SELECT count(*) FROM vecrbac.collections WHERE name IN ('cards', 'tags')}),
		'2', $n->name . ': their registry rows');
}
$coord->safe_psql('postgres', q{
INSERT INTO cards (tenant, embedding) SELECT i % 8, ARRAY[i % 7, i % 11, i % 13]::real[]::vector FROM generate_series(1, 80) i;
GRANT SELECT, INSERT, UPDATE, DELETE ON cards TO app;
GRANT USAGE ON SEQUENCE cards_id_seq TO app});
my $t_card = token('{"exp": 4000000000, "access": [{"collection": "cards", "access": "rw", "payload": {"tenant": 4}}]}');
my $cards_top5 = exact_top5('cards', 4);
($rc, $out, $err) = as_app($coord, tx($t_card, 'SELECT count(*) FROM cards')
	  . tx($t_card, top5('cards', 'WHERE tenant = 4'))
	  . tx($t_card, q{INSERT INTO cards (tenant, embedding) VALUES (4, '[1,2,3]') RETURNING tenant}));
is($out, join("\n", 10, $cards_top5, 4),
	"a tenant's token reads its 10 rows and its exact top 5, and inserts a row (id from the sequence)")
  or diag $err;
($rc, $out, $err) = as_app($coord, tx($t_card, q{INSERT INTO cards (tenant, embedding) VALUES (5, '[1,2,3]')}), 1);
like($err, qr/new row violates row-level security policy/, "a row of another tenant: refused");
($rc, $out, $err) = as_app($coord, tx($t_card, 'EXPLAIN (COSTS OFF) ' . top5('cards', 'WHERE tenant = 4')));
like($out, qr/Task Count: 1\b/, 'a query with WHERE tenant = 4 is routed to one shard') or diag $err;
($rc, $out, $err) = $coord->psql('postgres', "SET vecrbac.token = '$t_manage'; SELECT vecrbac.drop_collection('tags')");
is($rc, 0, 'drop_collection of a distributed collection') or diag $err;

# ---- a new shard count in another schema, and a worker without Citus metadata --------------------
# Each node guards its own new shards when the trigger reaches it; shard_name leaves
# only the schema public out, so a table in another schema checks the other branch.
($rc, $out, $err) = $coord->psql('postgres', q{
CREATE SCHEMA archive;
CREATE TABLE archive.items (id bigint NOT NULL, tenant int NOT NULL, embedding vector(3) NOT NULL,
                            payload jsonb NOT NULL DEFAULT '{}', PRIMARY KEY (tenant, id));
SELECT create_distributed_table('archive.items', 'tenant', colocate_with => 'none');
SELECT vecrbac.protect('archive.items', key_columns => '{"tenant": "tenant"}');
SET citus.enable_unsafe_triggers = on;
SELECT alter_distributed_table('archive.items', shard_count => 5)});
is($rc, 0, 'archive.items: distributed, protected, then 5 shards') or diag $err;
unlike($err, qr/TRUNCATE guard/, '... without a warning');
is(placements('archive.items', $guarded), 't', 'every archive.items placement has its TRUNCATE guard');
# A worker that Citus sends no metadata does not receive the trigger: the coordinator
# counts the new shards there and says what to do.
my $w1 = $workers[0];
($rc, $out, $err) = $coord->psql('postgres', q{SET client_min_messages = warning;
SELECT stop_metadata_sync_to_node('127.0.0.1', } . $w1->port . q{);
SET citus.enable_unsafe_triggers = on;
SELECT alter_distributed_table('archive.items', shard_count => 4)});
is($rc, 0, 'archive.items back to 4 shards, with metadata sync to ' . $w1->name . ' stopped') or diag $err;
my $on_w1 = $coord->safe_psql('postgres', q{SELECT count(*) FROM citus_shards
WHERE table_name = 'archive.items'::regclass AND nodeport = } . $w1->port);
ok($on_w1 > 0, "$on_w1 of its shards are on " . $w1->name);
like($err, qr/WARNING:  $on_w1 shards of archive.items made in this transaction have no TRUNCATE guard.*\n.*\nHINT:  Once this transaction has committed, run vecrbac.protect\('archive.items', \.\.\.\) again/,
	'the coordinator warns of those, and only those, with what to do') or diag $err;
is($w1->safe_psql('postgres', q{SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relname LIKE 'items\_%' AND t.tgname LIKE 'vecrbac\_truncate\_%'}), '0', '... which indeed have none');
($rc, $out, $err) = $coord->psql('postgres', q{SELECT start_metadata_sync_to_node('127.0.0.1', } . $w1->port . q{);
SELECT vecrbac.protect('archive.items', key_columns => '{"tenant": "tenant"}')});
is($rc, 0, 'metadata sync started again, and protect() again') or diag $err;
is(placements('archive.items', $guarded), 't', 'every archive.items placement has its TRUNCATE guard again');

$_->stop for @nodes;
done_testing();
