# 014_migrate_pgvector_in_place.pl: sql/migrate/pgvector_in_place.sql replaces pgvector
# by vecrbac in the same database, in one transaction, without rewriting a table
# (docs/migrating.md). Needs a live pgvector and vecrbac in one install
# (VR_PGVECTOR_PREFIX, scripts/build_pgvector.sh); skipped with a message otherwise.
#
# A database built by pgvector (test/data/pgvector/vector.schema.sql: hnsw indexes with
# options, an expression and a partial index, a view) plus a btree index on a vector
# column, a vector[] column, a domain over vector and a SQL function taking vectors:
#   0. (other databases) pgvector in a schema of its own: vecrbac goes there too;
#      halfvec, sparsevec and bit columns (test/data/pgvector/types.schema.sql): the
#      types adopted, the same rows, files and answers (skipped if vecrbac lacks them);
#      ivfflat indexes (test/data/pgvector/ivfflat.schema.sql: vector, halfvec l2/ip/
#      cosine, bit hamming): refused with a clear error while vecrbac has no ivfflat,
#      nothing changed; migrated like hnsw once it has: the same definitions, rows,
#      plans, and pgvector's (exact) answers;
#   1. the migration is refused while a view uses pgvector's operators (DROP EXTENSION
#      vector without CASCADE fails and names it): nothing changed;
#   2. after the view is dropped, the migration stopped at a known point (wait point
#      build-write: pgvector already dropped, vecrbac created, its first index being
#      built: the first hnsw one) and the backend terminated: nothing changed;
#   3. the same, and the server crashed there (every process SIGKILLed): after
#      recovery nothing changed;
#   4. run to the end: vecrbac owns the same type (same OID), no table was rewritten
#      (same relfilenodes), every row reads back the same, the indexes have their
#      definitions and answer as pgvector did (plans asserted), nothing points at
#      pgvector's library, vecrbac's objects are exactly a fresh install's, and its
#      pg_dump restores;
#      then the docs' next step, vecrbac.protect, works on the migrated table.
# "Nothing changed": pgvector still installed, the same indexes (definitions, valid),
# the same rows, the same answers from pgvector's indexes, the same type OID and files.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;
use VecrbacMigrate;

my $pgdir = pgvector_install(1);
plan skip_all => 'VR_PGVECTOR_PREFIX is not set (scripts/build_pgvector.sh makes one): in-place migration not tested'
  unless $pgdir;

my $root = $ENV{VR_ROOT};
my $script = slurp_file("$root/sql/migrate/pgvector_in_place.sql");
my $set = $sets{vector};
my $db = 'app';

my $node = vr_node('inplace', install_path => $pgdir);
$node->start;
$node->safe_psql('postgres', "CREATE DATABASE $db");
$node->safe_psql($db, slurp_file("$root/test/data/pgvector/vector.schema.sql"));
$node->safe_psql($db, q{
CREATE INDEX items_btree ON items (embedding);
CREATE DOMAIN small_vector AS vector(3);
CREATE TABLE extra (id int PRIMARY KEY, many vector[], small small_vector);
INSERT INTO extra SELECT i, ARRAY[format('[%s,1]', i)::vector, '[0.5,-2]'], format('[%s,2,3]', i)::small_vector
FROM generate_series(1, 20) i;
CREATE FUNCTION app_distance(a vector, b vector) RETURNS float8 LANGUAGE sql IMMUTABLE AS 'SELECT a <-> b';
});

# What must not change until the migration commits, and what it must keep after.
sub snapshot
{
	my %s;
	$s{extensions} = $node->safe_psql($db, "SELECT string_agg(extname || ' ' || extversion, ', ' ORDER BY extname) FROM pg_extension WHERE extname <> 'plpgsql'");
	$s{type_oid} = $node->safe_psql($db, "SELECT 'vector'::regtype::oid");
	$s{files} = $node->safe_psql($db, "SELECT string_agg(relname || '=' || relfilenode, ' ' ORDER BY relname) FROM pg_class WHERE relname IN ('items', 'extra')");
	$s{indexes} = $node->safe_psql($db, "SELECT string_agg(pg_get_indexdef(indexrelid) || ' valid=' || indisvalid, E'\n' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid IN ('items'::regclass, 'extra'::regclass)");
	$s{digest} = $node->safe_psql($db, "SELECT md5(string_agg(concat_ws(':', id, category, embedding, note), ',' ORDER BY id)) FROM items");
	$s{extra} = $node->safe_psql($db, "SELECT md5(string_agg(concat_ws(':', id, many, small, app_distance(many[1], many[2])), ',' ORDER BY id)) FROM extra");
	for my $q (@{ $set->{queries} })
	{
		my ($rows, $used, $plan) = answer($node, $db, $set, $q);
		$s{"plan $q->[0]"} = $used;
		$s{"answer $q->[0]"} = $rows;
	}
	return \%s;
}

# Compares a snapshot with the one taken before, answers tie-aware.
sub same_as
{
	my ($before, $label, %skip) = @_;
	my $now = snapshot();
	for my $key (sort keys %$before)
	{
		next if $skip{$key};
		if ($key =~ /^answer /)
		{
			is(compare_answer($now->{$key}, $before->{$key}), '', "$label: $key as before");
		}
		else
		{
			is($now->{$key}, $before->{$key}, "$label: $key as before");
		}
	}
	return $now;
}

sub migrate
{
	my ($dbname) = @_;
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($dbname // $db), '-f', "$root/sql/migrate/pgvector_in_place.sql" ],
		'>', \$out, '2>', \$err);
	return ($ok, $err);
}

# ---- 0. ivfflat indexes: migrated when vecrbac has ivfflat, else refused cleanly -------
{
	$node->safe_psql('postgres', 'CREATE DATABASE lists');
	$node->safe_psql('lists', slurp_file("$root/test/data/pgvector/ivfflat.schema.sql"));
	my $indexes = q{SELECT string_agg(pg_get_indexdef(i.indexrelid) || ' ' || a.amname || ' valid=' || i.indisvalid, E'\n' ORDER BY c.relname)
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
		WHERE i.indrelid IN ('lists_items'::regclass, 'lists_typed'::regclass)};
	my $lists = $sets{ivfflat};
	# pgvector's answers (every list probed: exact) and plans, before the migration.
	my %pgv = (digest => $node->safe_psql('lists', $lists->{digest}));
	for my $q (@{ $lists->{queries} })
	{
		my ($rows, $used, $plan) = answer($node, 'lists', $lists, $q);
		is($used, $q->[2], "ivfflat: pgvector's $q->[0] scans $q->[2]") or diag($plan);
		my ($exact) = answer($node, 'lists', $lists, $q, exact => 1);
		is(compare_answer($rows, $exact), '', "ivfflat: pgvector's $q->[0] answer is exact");
		$pgv{ $q->[0] } = $rows;
	}
	my $defs = $node->safe_psql('lists', $indexes);
	my ($ok, $err) = migrate('lists');
	if ($ok)
	{
		is($node->safe_psql('lists', $indexes), $defs, 'ivfflat: migrated, the same index definitions, valid');
		is($node->safe_psql('lists', q{SELECT p.probin FROM pg_am a JOIN pg_proc p ON p.oid = a.amhandler WHERE a.amname = 'ivfflat'}),
			'$libdir/vecrbac', "ivfflat: the access method is vecrbac's");
		is($node->safe_psql('lists', $lists->{digest}), $pgv{digest}, 'ivfflat: every row reads back the same');
		# vector, halfvec (l2, ip, cosine) and bit (hamming) indexes, rebuilt by vecrbac.
		for my $q (@{ $lists->{queries} })
		{
			my ($rows, $used, $plan) = answer($node, 'lists', $lists, $q);
			is($used, $q->[2], "ivfflat: vecrbac's $q->[0] scans $q->[2]") or diag($plan);
			is(compare_answer($rows, $pgv{ $q->[0] }), '', "ivfflat: vecrbac's $q->[0] answers as pgvector did");
		}
	}
	else
	{
		like($err, qr/indexes use pgvector's access method ivfflat, which this vecrbac does not provide/,
			'ivfflat: vecrbac without ivfflat refuses, and says why');
		is($node->safe_psql('lists', "SELECT extname || ' ' || extversion FROM pg_extension WHERE extname IN ('vector', 'vecrbac')"),
			'vector 0.8.6', 'ivfflat: pgvector is still installed');
		is($node->safe_psql('lists', $indexes), $defs, 'ivfflat: the ivfflat indexes are untouched');
	}
}

# ---- pgvector in a schema of its own: vecrbac goes there too -------------------------
{
	$node->safe_psql('postgres', 'CREATE DATABASE elsewhere');
	$node->safe_psql('elsewhere', q{
CREATE SCHEMA ext;
CREATE EXTENSION vector SCHEMA ext;
CREATE TABLE t (id int PRIMARY KEY, v ext.vector(2));
INSERT INTO t SELECT i, format('[%s,%s]', i, -i)::ext.vector FROM generate_series(1, 50) i;
CREATE INDEX t_v ON t USING hnsw (v ext.vector_l2_ops);
});
	my ($ok, $err) = migrate('elsewhere');
	ok($ok, 'pgvector in schema ext: migrated') or diag($err);
	is($node->safe_psql('elsewhere', "SELECT extname || ' ' || extnamespace::regnamespace FROM pg_extension WHERE extname IN ('vector', 'vecrbac')"),
		'vecrbac ext', 'vecrbac is in schema ext');
	is($node->safe_psql('elsewhere', "SET enable_seqscan = off; SET search_path = public, ext; EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY v <-> '[3,-3]' LIMIT 1")
		  =~ /Index Scan using t_v/ ? 'index' : 'no index',
		'index', 'pgvector in schema ext: the rebuilt index is used');
	is($node->safe_psql('elsewhere', "SET search_path = public, ext; SET enable_seqscan = off; SELECT id FROM t ORDER BY v <-> '[3,-3]' LIMIT 1"),
		'3', 'pgvector in schema ext: and answers');
}

# ---- halfvec, sparsevec and bit columns: adopted too, once vecrbac has the types ------
SKIP:
{
	my $types = $sets{types};
	$node->safe_psql('postgres', 'CREATE DATABASE typed');
	$node->safe_psql('typed', slurp_file("$root/test/data/pgvector/types.schema.sql"));
	my $state = sub {
		my %s = (oids => $node->safe_psql('typed', "SELECT string_agg(typname || '=' || oid, ' ' ORDER BY typname) FROM pg_type WHERE typname IN ('halfvec', 'sparsevec')"),
			files => $node->safe_psql('typed', "SELECT relfilenode FROM pg_class WHERE relname = 'typed'"),
			digest => $node->safe_psql('typed', $types->{digest}));
		for my $q (@{ $types->{queries} })
		{
			my ($rows, $used) = answer($node, 'typed', $types, $q);
			$s{"plan $q->[0]"} = $used;
			$s{"answer $q->[0]"} = $rows;
		}
		return \%s;
	};
	my $pgv = $state->();
	my ($ok, $err) = migrate('typed');
	if (!$ok)
	{
		like($err, qr/type (public\.)?(halfvec|sparsevec) is used by columns but this vecrbac does not provide it|type "(halfvec|sparsevec)" already exists/,
			'halfvec/sparsevec columns: refused while vecrbac lacks a type');
		skip 'vecrbac lacks halfvec or sparsevec: their in-place migration not checked', 1;
	}
	# vector itself is used by no column here: dropped with pgvector and created afresh.
	like($err, qr/2 types adopted, 5 indexes rebuilt/, 'halfvec/sparsevec/bit columns: migrated, halfvec and sparsevec adopted');
	my $now = $state->();
	for my $key (sort keys %$pgv)
	{
		if ($key =~ /^answer /)
		{
			is(compare_answer($now->{$key}, $pgv->{$key}), '', "halfvec/sparsevec/bit: $key as with pgvector");
		}
		else
		{
			is($now->{$key}, $pgv->{$key}, "halfvec/sparsevec/bit: $key as with pgvector");
		}
	}
}

my $before = snapshot();
is($before->{extensions}, 'vector 0.8.6', 'the database starts with pgvector') or diag($before->{extensions});
for my $q (@{ $set->{queries} })
{
	is($before->{"plan $q->[0]"}, $q->[2], "pgvector: $q->[0] scans $q->[2]");
}

# ---- 1. refused while a view uses pgvector's operators -----------------------------
my ($ok, $err) = migrate();
ok(!$ok, 'refused while view items_norms uses pgvector');
like($err, qr/cannot drop extension vector because other objects depend on it/, 'the error says why');
like($err, qr/view (public\.)?items_norms depends on/, 'and names the view');
same_as($before, 'after the refusal');

$node->safe_psql($db, 'DROP VIEW items_norms');

# ---- 2. and 3. interrupted while vecrbac builds its first index ---------------------
for my $how ('terminated', 'crashed')
{
	my $hold = vr_wait_point_hold($node, $db, 'build-write');
	local $ENV{PGOPTIONS} = '-c vecrbac.test_wait_point=build-write';
	my $client = vr_start_psql($node, $db, $script);
	ok(vr_wait_point_await($hold, $client), "$how: the migration reached vecrbac's first hnsw index build")
	  or diag(vr_client_output($client, 'err'));
	# pgvector's extension is gone inside the migrating transaction: its NOTICEs so far.
	like(vr_client_output($client, 'err'), qr/dropping index (public\.)?items_l2.*detaching type (public\.)?vector/s,
		"$how: it had dropped pgvector's indexes and detached the type");
	if ($how eq 'terminated')
	{
		$node->safe_psql('postgres', "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND query LIKE '%migrate%'");
		isnt(vr_client_finish($client), 0, 'terminated: the migration failed');
		vr_wait_point_release($hold);
	}
	else
	{
		vr_crash($node);
		vr_client_finish($client);
		vr_client_finish($hold->{client});
		$node->start;
	}
	same_as($before, "after the migration was $how", 'plan items_norms' => 1);
}

# ---- 4. to the end --------------------------------------------------------------------
($ok, $err) = migrate();
ok($ok, 'the migration succeeds') or diag($err);
like($err, qr/pgvector replaced by vecrbac in schema public: 1 types adopted, 6 indexes rebuilt/, 'it says what it did');
my $version = $node->safe_psql($db, "SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac'");
my $after = same_as($before, 'migrated', extensions => 1);
is($after->{extensions}, "vecrbac $version", 'vecrbac replaced pgvector');
is($node->safe_psql($db, q{SELECT count(*) FROM pg_proc WHERE probin <> '$libdir/vecrbac' AND pronamespace <> 'pg_catalog'::regnamespace}), '0',
	'no function outside pg_catalog points at another library than vecrbac');
is($node->safe_psql($db, q{SELECT string_agg(a.amname || '=' || p.probin, ' ' ORDER BY a.amname) FROM pg_am a JOIN pg_proc p ON p.oid = a.amhandler WHERE a.amtype = 'i' AND p.probin IS NOT NULL}),
	'hnsw=$libdir/vecrbac ivfflat=$libdir/vecrbac', "hnsw and ivfflat are vecrbac's");

# vecrbac's objects, with their definitions, are exactly those of a fresh install.
my $members = q{
SELECT string_agg(o, E'\n' ORDER BY o) FROM (
SELECT pg_describe_object(d.classid, d.objid, 0) || ' ' ||
       CASE d.classid WHEN 'pg_proc'::regclass THEN (SELECT md5(pg_get_functiondef(p.oid)) FROM pg_proc p WHERE p.oid = d.objid AND p.prokind <> 'a')
                      WHEN 'pg_type'::regclass THEN (SELECT concat_ws(',', t.typlen, t.typalign, t.typstorage, t.typinput, t.typoutput, t.typreceive, t.typsend, t.typmodin, t.typarray <> 0) FROM pg_type t WHERE t.oid = d.objid)
                      ELSE '' END AS o
FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND x.extname = 'vecrbac' AND d.deptype = 'e') m};
$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION vecrbac');
is($node->safe_psql($db, $members), $node->safe_psql('fresh', $members), "vecrbac's objects are a fresh install's");
my $problems = vr_check_index($node, $db, 'items_l2');
is_deeply($problems, [], 'hnsw_check(items_l2) is clean') if defined $problems;

# Writes after the migration go through vecrbac's type and index.
$node->safe_psql($db, q{INSERT INTO items VALUES (1000, 1, '[0.1,-0.2,0.3,-0.4,0.05,0.25,-0.15,0.2]', 'new')});
is(vr_knn($node, $db, table => 'items', column => 'embedding', op => '<->', query => q{'[0.1,-0.2,0.3,-0.4,0.05,0.25,-0.15,0.2]'::vector}, k => 1, index => 'items_l2')->[0],
	'1000', 'a row inserted after the migration is found through items_l2');

# The migrated database dumps and restores like any vecrbac database.
{
	my $file = "${PostgreSQL::Test::Utils::tmp_check}/migrated.dump.sql";
	open(my $fh, '>', $file) or die "$file: $!";
	print $fh dump_db($node, $db);
	close $fh;
	$node->safe_psql('postgres', 'CREATE DATABASE copy');
	my ($restored, $rerr) = restore_dump($node, 'copy', $file);
	ok($restored, 'pg_dump of the migrated database restores') or diag($rerr);
	my $rows = "SELECT md5(string_agg(concat_ws(':', id, category, embedding, note), ',' ORDER BY id)) FROM items";
	is($node->safe_psql('copy', $rows), $node->safe_psql($db, $rows), 'with the same rows');
	for my $q (@{ $set->{queries} })
	{
		my ($got, $used) = answer($node, 'copy', $set, $q);
		my ($want) = answer($node, $db, $set, $q);
		is($used . ' ' . compare_answer($got, $want), "$q->[2] ", "the restored copy: $q->[0] scans $q->[2] and answers the same");
	}
}

# The next step of docs/migrating.md: token-scoped security on the migrated table.
$node->safe_psql($db, q{
ALTER TABLE items ADD COLUMN payload jsonb NOT NULL DEFAULT '{}';
CREATE INDEX items_by_category ON items USING hnsw (category, embedding vector_l2_ops, payload);
SELECT vecrbac.protect('items', key_columns => '{"category": "category"}');
CREATE ROLE app_reader;
GRANT SELECT ON items TO app_reader;
});
my $secret = 'a migration test secret of at least thirty-two bytes';
my $token = $node->safe_psql($db, qq{SELECT vecrbac.jwt_sign(jsonb_build_object('access', jsonb_build_array(jsonb_build_object('collection', 'items', 'access', 'r', 'payload', jsonb_build_object('category', 1))), 'exp', extract(epoch FROM now())::int + 3600), '$secret')});
my $seen = $node->safe_psql($db, qq{
SET vecrbac.jwt_secret = '$secret';
SET ROLE app_reader;
SET vecrbac.token = '$token';
SELECT string_agg(DISTINCT category::text, ',') || ' ' || count(*) FROM (SELECT category FROM items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 20) s;
});
is($seen, '1 20', 'after vecrbac.protect, a token for category 1 finds only category 1');
my $plan = $node->safe_psql($db, qq{
SET vecrbac.jwt_secret = '$secret';
SET ROLE app_reader;
SET vecrbac.token = '$token';
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 20;
});
like($plan, qr/Index Scan using items_by_category on items/, 'by an index search on the filter column index') or diag($plan);

$node->stop;
done_testing();
