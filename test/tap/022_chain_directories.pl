# 022_chain_directories.pl: the chain directories of an hnsw index's key columns after the
# first (on-disk version 3, src/hnsw/hnsw_directory.h) are WAL-logged, replicated, and
# survive a crash between the two records of an insert.
#
# An index over (tenant, dept, v): a scope on dept is read through dept's chains. A
# streaming standby's pages are byte-identical to the primary's and it answers the same.
# Then an insert stops at the error point hnsw-insert-between-records, after the record
# of its chain directories and before the one of its element; the WAL is flushed and the
# server crashes. After recovery (on the primary, and on the standby, which replayed the
# same record) the dept and tenant heads name no element: the checker says so, scoped
# searches still equal exact search, and a VACUUM with no element to remove sets the
# heads back (the first time), or the next insert of the value sets them right (the
# second); the pages are identical on both nodes again. Then the same after an insert's
# element record, before the record of its seeds (on-disk version 4).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use VecrbacTest;

my $primary = vr_node('primary', streaming => 1);
$primary->start;
$primary->backup('bk');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'bk', has_streaming => 1);
$standby->start;

vr_create_extension($primary);
$primary->safe_psql('postgres', q{
CREATE TABLE items (id int PRIMARY KEY, tenant int, dept int, v vector(8));
CREATE INDEX items_keys ON items USING hnsw (tenant, dept, v vector_l2_ops);
INSERT INTO items SELECT i, i % 3, i % 50, vr_vec(i, 8) FROM generate_series(1, 3000) i;
});

# The ids under a condition, through the index (plan asserted) and exactly.
sub scoped
{
	my ($node, $cond) = @_;
	return vr_knn($node, 'postgres', table => "(SELECT * FROM items WHERE $cond) s", query => 'vr_vec(-1, 8)',
		k => 10, index => 'items_keys');
}

sub exact
{
	my ($node, $cond) = @_;
	return vr_exact($node, 'postgres', table => "(SELECT * FROM items WHERE $cond) s", query => 'vr_vec(-1, 8)',
		k => 10);
}

# The checker's findings but its summary lines (on the standby, with replay paused).
sub findings
{
	my ($node) = @_;
	my $standby = $node->safe_psql('postgres', 'SELECT pg_is_in_recovery()') eq 't';
	$node->safe_psql('postgres', 'SELECT pg_wal_replay_pause()') if $standby;
	my $found = $node->safe_psql('postgres',
		"SELECT string_agg(severity || ': ' || message, E'\\n' ORDER BY message) FROM vecrbac.hnsw_check('items_keys') "
		  . "WHERE severity <> 'info' OR message LIKE '%interrupted%'");
	$node->safe_psql('postgres', 'SELECT pg_wal_replay_resume()') if $standby;
	return $found;
}

sub same_on_both
{
	my ($label) = @_;
	vr_wait_replayed($primary, $standby);
	is_deeply(vr_page_digests($standby, 'postgres', 'items_keys'), vr_page_digests($primary, 'postgres', 'items_keys'),
		"$label: pages identical on both nodes");
	for my $node ($primary, $standby)
	{
		my $name = $node->name;
		is_deeply(scoped($node, 'dept = 7'), exact($node, 'dept = 7'), "$label, $name: dept 7 answers exactly");
		is_deeply(scoped($node, 'dept = 7 AND tenant = 1'), exact($node, 'dept = 7 AND tenant = 1'),
			"$label, $name: dept 7 of tenant 1 answers exactly");
	}
}

like($primary->safe_psql('postgres', "SELECT string_agg(message, ' ') FROM vecrbac.hnsw_check('items_keys')"),
	qr/50 values of column 2/, 'the build wrote a directory for dept');
is(findings($primary), '', 'the checker finds nothing wrong after the build');
same_on_both('after the build');

$primary->safe_psql('postgres', 'INSERT INTO items SELECT i, i % 3, i % 50, vr_vec(i, 8) FROM generate_series(3001, 3500) i;');
$primary->safe_psql('postgres', 'DELETE FROM items WHERE id % 4 = 0; VACUUM items;');
is(findings($primary), '', 'the checker finds nothing wrong after inserts, deletes and VACUUM');
same_on_both('after inserts, deletes and VACUUM');

# ---- VACUUM logs the directory pages it changes, and only those --------------------------
# An index over (tenant, id, v): id's directory has 3,000 values over many pages (85 with
# the tenant directory's). Deleting three rows changes at most six of them: each row's id
# entry and its tenant's count. The others keep their LSN (VACUUM recounts every page,
# and used to log each one).
$primary->safe_psql('postgres', q{
CREATE TABLE docs (id int PRIMARY KEY, tenant int, v vector(8));
INSERT INTO docs SELECT i, i % 3, vr_vec(i, 8) FROM generate_series(1, 3000) i;
CREATE INDEX docs_ids ON docs USING hnsw (tenant, id, v vector_l2_ops);
});

# Block => LSN of every directory page of docs_ids (flags 4 in the special space).
sub directory_lsns
{
	return { map { split /:/ } split /\n/, $primary->safe_psql('postgres',
		"SELECT string_agg(b || ':' || (page_header(p)).lsn, E'\\n' ORDER BY b) "
		  . "FROM generate_series(1, pg_relation_size('docs_ids') / current_setting('block_size')::int - 1) b, "
		  . "LATERAL get_raw_page('docs_ids', b) p "
		  . "WHERE (page_header(p)).upper <> 0 AND get_byte(p, (page_header(p)).special + 4) = 4") };
}
my $lsns_before = directory_lsns();
cmp_ok(scalar(keys %$lsns_before), '>=', 20, 'the id directory spans many pages');
$primary->safe_psql('postgres', 'DELETE FROM docs WHERE id IN (100, 200, 300); VACUUM docs;');
my $lsns_after = directory_lsns();
my $changed = grep { $lsns_before->{$_} ne $lsns_after->{$_} } keys %$lsns_before;
cmp_ok($changed, '>=', 2, 'VACUUM logged the directory pages whose counts changed');
cmp_ok($changed, '<=', 6, 'VACUUM left the other directory pages alone');
is_deeply(vr_ids($primary, 'postgres',
		"SELECT severity || ': ' || message FROM vecrbac.hnsw_check('docs_ids') WHERE severity <> 'info'"),
	[], 'the checker finds nothing wrong in docs_ids');
vr_wait_replayed($primary, $standby);
is_deeply(vr_page_digests($standby, 'postgres', 'docs_ids'), vr_page_digests($primary, 'postgres', 'docs_ids'),
	'docs_ids: pages identical on both nodes');

# ---- a crash between an insert's two records --------------------------------------------
# An insert of row $id (tenant 1, dept $dept) stopped at the error point $point, its WAL
# flushed and replayed on the standby, then the primary crashed and restarted.
sub insert_stopped_then_crash
{
	my ($point, $id, $dept, $label) = @_;
	my ($rc, $out, $err) = $primary->psql('postgres',
		"SET vecrbac.test_wait_point = 'error:$point';\n"
		  . "INSERT INTO items VALUES ($id, 1, $dept, vr_vec($id, 8));");
	like($err, qr/test error point "$point" reached/, $label);
	vr_flush_wal($primary);
	vr_wait_replayed($primary, $standby);
	vr_crash($primary);
	$primary->start;
}

# Twice: the first time a plain VACUUM (no element to remove) sets the head back, the
# second time the next insert of the value does.
sub crash_between_records
{
	my ($id, $round) = @_;
	insert_stopped_then_crash('hnsw-insert-between-records', $id, 7, "$round: the insert stopped between its records");
	for my $node ($primary, $standby)
	{
		my $name = $node->name;
		like(findings($node), qr/^info: the head of value key 7 in column 2's chain names no element of it/m,
			"$round: $name: the checker sees dept 7's head naming no element, and nothing wrong");
		unlike(findings($node), qr/^(error|warning)/m, "$round: $name: no error or warning");
	}
	same_on_both("$round: after the crash");
}

crash_between_records(9001, 'first crash');
$primary->safe_psql('postgres', 'VACUUM items;');
is(findings($primary), '', 'a VACUUM that removes no element set the head back');
same_on_both('after the VACUUM');
vr_assert_healthy($primary, 'postgres', index => 'items_keys', table => 'items', label => '(after the crash and a VACUUM)');

crash_between_records(9002, 'second crash');
$primary->safe_psql('postgres', 'INSERT INTO items VALUES (9003, 1, 7, vr_vec(9003, 8));');
is(findings($primary), '', 'the next insert of the value set the head right');
same_on_both('after the next insert');
vr_assert_healthy($primary, 'postgres', index => 'items_keys', table => 'items', label => '(after the crash and an insert)');

# ---- a crash after an insert's element record, before its seeds' ------------------------
# Version 4: the element of a new dept value (777) is placed, but neither offered as the
# value's seed (a record of its own, after the element's) nor linked back by its
# neighbours. After recovery, on both nodes, the checker reports the value without seeds
# (info) and no error; the value's next insert offers its seeds; a VACUUM (which removes
# the row the crash left uncommitted) leaves nothing to report, and both nodes agree.
{
	insert_stopped_then_crash('hnsw-insert-before-seeds', 9004, 777, 'an insert stopped before offering its seeds');
	for my $node ($primary, $standby)
	{
		my $name = $node->name;
		like(findings($node), qr/^info: value key 777 in column 2 has no seeds: an interrupted insert/m,
			"$name: the checker sees dept 777 without seeds");
		unlike(findings($node), qr/^error/m, "$name: no error");
	}
	$primary->safe_psql('postgres', 'INSERT INTO items VALUES (9005, 1, 777, vr_vec(9005, 8));');
	unlike(findings($primary), qr/no seeds/, "the value's next insert offered its seeds");
	$primary->safe_psql('postgres', 'VACUUM items;');
	is(findings($primary), '', 'after a VACUUM the checker finds nothing to report');
	same_on_both('after the crash before the seeds and a VACUUM');
	for my $node ($primary, $standby)
	{
		is_deeply(scoped($node, 'dept = 777'), exact($node, 'dept = 777'), $node->name . ': dept 777 answers exactly');
	}
}

# ---- a build lays each partition value's elements out together ---------------------------
# A scope read along its chain then reads a quarter of the pages for a quarter of the rows
# (in build order, four interleaved tenants shared every page). Counted as the index
# blocks the read brings into shared buffers, after a restart empties them.
$primary->safe_psql('postgres', q{
CREATE TABLE laid (id int PRIMARY KEY, tenant int, v vector(8));
INSERT INTO laid SELECT i, i % 4, vr_vec(i, 8) FROM generate_series(1, 4000) i;
CREATE INDEX laid_tenant ON laid USING hnsw (tenant, v vector_l2_ops);
});
my $laid_pages = $primary->safe_psql('postgres', "SELECT pg_relation_size('laid_tenant') / current_setting('block_size')::int");
$primary->restart;
my $blocks_read = q{SELECT pg_stat_force_next_flush(); SELECT idx_blks_read FROM pg_statio_user_indexes WHERE indexrelname = 'laid_tenant'};
my ($read_before) = reverse split /\n/, $primary->safe_psql('postgres', $blocks_read);
is(scalar @{ vr_knn($primary, 'postgres', table => '(SELECT * FROM laid WHERE tenant = 2) s', query => 'vr_vec(-1, 8)',
			k => 10, index => 'laid_tenant', settings => ['hnsw.exact_scan_limit = 100000']) },
	10, 'the scope of tenant 2 is read whole');
my ($read_after) = reverse split /\n/, $primary->safe_psql('postgres', $blocks_read);
note(($read_after - $read_before) . " of $laid_pages index pages read");
cmp_ok($read_after - $read_before, '<', 0.4 * $laid_pages,
	"reading a quarter of the rows read under 40 % of the index's $laid_pages pages");

# ---- inserts after the build keep a large value's elements together ----------------------
# The same rows inserted into an indexed table, tenants interleaved row by row: each
# tenant's elements go beside its newest one, on pages of its own once it has a few pages
# of them, instead of on whichever page the backend filled last.
$primary->safe_psql('postgres', q{
CREATE TABLE grown (id int PRIMARY KEY, tenant int, v vector(8));
CREATE INDEX grown_tenant ON grown USING hnsw (tenant, v vector_l2_ops);
INSERT INTO grown SELECT i, i % 4, vr_vec(i, 8) FROM generate_series(1, 4000) i;
});
my $grown_pages = $primary->safe_psql('postgres', "SELECT pg_relation_size('grown_tenant') / current_setting('block_size')::int");
cmp_ok($grown_pages, '<=', 1.15 * $laid_pages,
	"the inserted index takes $grown_pages pages, at most 15 % more than the built one's $laid_pages");
$primary->restart;
$blocks_read =~ s/laid_tenant/grown_tenant/;
($read_before) = reverse split /\n/, $primary->safe_psql('postgres', $blocks_read);
is_deeply(vr_knn($primary, 'postgres', table => '(SELECT * FROM grown WHERE tenant = 2) s', query => 'vr_vec(-1, 8)',
		k => 10, index => 'grown_tenant', settings => ['hnsw.exact_scan_limit = 100000']),
	vr_exact($primary, 'postgres', table => '(SELECT * FROM grown WHERE tenant = 2) s', query => 'vr_vec(-1, 8)', k => 10),
	'the scope of tenant 2 is read whole, exactly');
($read_after) = reverse split /\n/, $primary->safe_psql('postgres', $blocks_read);
note(($read_after - $read_before) . " of $grown_pages index pages read");
cmp_ok($read_after - $read_before, '<', 0.4 * $grown_pages,
	"reading a quarter of the inserted rows read under 40 % of the index's $grown_pages pages");

$standby->stop;
$primary->stop;
done_testing();
