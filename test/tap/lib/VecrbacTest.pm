# VecrbacTest.pm: helpers shared by vecrbac's Perl TAP tests (test/tap/*.pl).
#
# Nodes are PostgreSQL::Test::Cluster instances started from the binaries first on
# PATH, which scripts/test.sh points at the private install that has this build of
# vecrbac. Every helper that reads query results returns plain Perl data, so tests
# compare a standby with its primary, or an index with an exact search, with
# is_deeply.
#
# Data is deterministic: vr_vec(seed, dim) in SQL derives a vector from a seed with
# hashint8, so a test (or a client that tracks what it committed) can recompute the
# exact vector any row must hold.
#
# The index checker vecrbac.hnsw_check(regclass) is used when the installed
# extension has it; until then vr_check_index reports it as absent and tests skip
# that assertion (and say so), while still running the checks that need no checker:
# an exhaustive iterative scan must return every indexed row exactly once.
package VecrbacTest;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(
  vr_node vr_create_extension vr_ids vr_knn vr_exact vr_recall vr_index_all_ids
  vr_has_checker vr_check_index vr_inspect_index vr_assert_healthy vr_assert_index_used
  vr_rls_snapshot vr_env_int vr_page_digests vr_crash vr_flush_wal vr_wait_replayed
  vr_wait_idle vr_start_psql vr_client_output vr_client_finish vr_client_errors vr_client_running
  vr_pgbench vr_wait_point_hold vr_wait_point_await vr_wait_point_release
);

my $tcp_set = 0;

# Servers listen on 127.0.0.1 (as the project's own throwaway clusters do) rather
# than on a Unix socket; PostgreSQL::Test::Cluster decides this in an INIT block,
# so it is overridden at run time, before the first node is created.
sub _use_tcp
{
	return if $tcp_set++ || $ENV{VR_TAP_UNIX_SOCKETS};
	$PostgreSQL::Test::Cluster::use_tcp = 1;
	$PostgreSQL::Test::Cluster::test_pghost = '127.0.0.1';
	$ENV{PGHOST} = '127.0.0.1';
}

# An integer from the environment (for the long offline variants of a test).
sub vr_env_int
{
	my ($name, $default) = @_;
	my $v = $ENV{$name};
	return (defined $v && $v =~ /^\d+$/) ? $v : $default;
}

# vr_node(name, streaming => 0|1, archiving => 0|1, conf => [lines], install_path => dir):
# an initialized, not yet started node (from the PostgreSQL installed in install_path,
# e.g. the private pgvector build of scripts/build_pgvector.sh, when given). Statement
# logging is off (the crash and pgbench tests issue thousands of statements); errors
# are still logged.
sub vr_node
{
	my ($name, %opt) = @_;
	_use_tcp();
	my $node = PostgreSQL::Test::Cluster->new($name,
		$opt{install_path} ? (install_path => $opt{install_path}) : ());
	$node->init(
		allows_streaming => $opt{streaming} // 0,
		has_archiving => $opt{archiving} // 0);
	$node->append_conf(
		'postgresql.conf', join("\n",
			"shared_buffers = " . ($opt{shared_buffers} // '32MB'),
			"max_connections = 40",
			"log_statement = none",
			"autovacuum = " . ($opt{autovacuum} // 'off'),
			# as in scripts/test.sh: a plan without sequential scans costs 10^10 and is
			# JIT-compiled, 50-90 ms per query (standbys copy this from their primary)
			"jit = off",
			@{ $opt{conf} // [] }));
	return $node;
}

# Creates the extension and the deterministic vector generator in database $db.
sub vr_create_extension
{
	my ($node, $db) = @_;
	$db //= 'postgres';
	$node->safe_psql(
		$db, q{
CREATE EXTENSION vecrbac;
CREATE EXTENSION pageinspect;
-- vr_vec(seed, dim): a vector of dim elements in [0, 1), a pure function of seed.
CREATE FUNCTION vr_vec(seed bigint, dim int) RETURNS vector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(((hashint8(seed * 65536 + i) & 1048575)::float8 / 1048576)::real
                   ORDER BY i)::vector
  FROM generate_series(1, dim) i
$$;
});
}

# Runs $sql (which must return one integer column) and returns the values as an array ref.
sub vr_ids
{
	my ($node, $db, $sql) = @_;
	my $out = $node->safe_psql($db, $sql);
	return [ grep { length } split /\n/, $out ];
}

sub _settings
{
	my ($s) = @_;
	return join('', map { "SET $_;\n" } @{ $s // [] });
}

# vr_knn(node, db, table => t, column => 'v', op => '<->', query => sql expr, k => 10,
#        settings => ['hnsw.ef_search = 100'], id => 'id', index => name): ids of the
# k nearest rows by an index scan (sequential scans disabled). Dies unless the plan
# is an index scan on an hnsw index (on `index` when given): a recall measured on
# any other plan would be 1.0 and prove nothing.
sub vr_knn
{
	my ($node, $db, %a) = @_;
	my $col = $a{column} // 'v';
	my $op = $a{op} // '<->';
	my $id = $a{id} // 'id';
	my $settings = "SET enable_seqscan = off;\n" . _settings($a{settings});
	my $query = "SELECT $id FROM $a{table} ORDER BY $col $op ($a{query}) LIMIT $a{k}";
	# One psql call for the plan, the hnsw indexes and the answer: a call costs 20 to
	# 100 ms, and the durability tests make hundreds of these. The catalog query comes
	# before the settings, which would cost its sequential scans at 10^10.
	my $out = $node->safe_psql($db,
		"SELECT '--hnsw ' || coalesce(string_agg(c.relname, ' '), '') "
		  . "FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'hnsw';\n"
		  . "${settings}EXPLAIN (COSTS OFF) $query;\n"
		  . "SELECT '--ids';\n$query;");
	my ($hnsw, $plan, $ids) = $out =~ /\A--hnsw ?(.*?)\n(.*)\n--ids(?:\n(.*))?\z/s
	  or die "vr_knn: unexpected psql output:\n$out";
	my ($used) = $plan =~ /Index Scan using (\S+) on /;
	my %is_hnsw = map { $_ => 1 } split / /, $hnsw;
	die "vr_knn: the search is not an hnsw index scan" . ($a{index} ? " on $a{index}" : '') . ":\n$plan"
	  unless defined $used && $is_hnsw{$used} && (!$a{index} || $used eq $a{index});
	return [ grep { length } split /\n/, $ids // '' ];
}

# Same, by an exact search: no index scan, a sort of every row by distance. Ties are
# broken by id so that the order is unique.
sub vr_exact
{
	my ($node, $db, %a) = @_;
	my $col = $a{column} // 'v';
	my $op = $a{op} // '<->';
	my $id = $a{id} // 'id';
	my $sql = "SET enable_indexscan = off;\nSET enable_bitmapscan = off;\n"
	  . "SELECT $id FROM $a{table} WHERE $col IS NOT NULL ORDER BY $col $op ($a{query}), $id LIMIT $a{k};";
	return vr_ids($node, $db, $sql);
}

# Fraction of the exact result found by the approximate one.
sub vr_recall
{
	my ($approx, $exact) = @_;
	return 1 unless @$exact;
	my %found = map { $_ => 1 } @$approx;
	return scalar(grep { $found{$_} } @$exact) / scalar(@$exact);
}

# Every id the index can reach: an iterative scan with no LIMIT and limits high
# enough to walk the whole graph. An element that searches cannot reach (a torn or
# lost link) is missing here; a duplicate TID shows up twice. With index => name,
# returns undef unless the plan is an index scan on that index (an invalid index,
# or another index on the same column, would silently answer instead).
sub vr_index_all_ids
{
	my ($node, $db, %a) = @_;
	my $col = $a{column} // 'v';
	my $op = $a{op} // '<->';
	my $id = $a{id} // 'id';
	my $settings = "SET enable_seqscan = off;\nSET hnsw.iterative_scan = relaxed_order;\n"
	  . "SET hnsw.max_scan_tuples = 2000000000;\nSET work_mem = '256MB';\n"
	  . "SET hnsw.scan_mem_multiplier = 8;\n";
	my $query = "SELECT $id FROM $a{table} ORDER BY $col $op ($a{query})";
	if ($a{index})
	{
		my $plan = $node->safe_psql($db, "${settings}EXPLAIN (COSTS OFF) $query;");
		return undef unless $plan =~ /Index Scan using \Q$a{index}\E /;
	}
	return vr_ids($node, $db, "$settings$query;");
}

# True when the installed extension has the index checker.
sub vr_has_checker
{
	my ($node, $db) = @_;
	return $node->safe_psql($db,
		q{SELECT to_regprocedure('vecrbac.hnsw_check(regclass)') IS NOT NULL}) eq 't';
}

# The checker's problems for $index as text lines; undef when there is no checker.
sub vr_check_index
{
	my ($node, $db, $index) = @_;
	return undef unless vr_has_checker($node, $db);
	# On a standby the checker runs only while WAL replay is paused.
	my $standby = $node->safe_psql($db, 'SELECT pg_is_in_recovery()') eq 't';
	if ($standby)
	{
		$node->safe_psql($db, 'SELECT pg_wal_replay_pause()');
		$node->poll_query_until($db, q{SELECT pg_get_wal_replay_pause_state() = 'paused'})
		  or die 'WAL replay did not pause';
	}
	# Rows are (severity, message): 'error' rows are problems; 'warning' rows
	# (unreachable elements, which HNSW does not rule out) and 'info' rows are noted.
	my $out = $node->safe_psql($db,
		"SELECT coalesce(to_jsonb(p)->>'severity', 'error') || ': ' || coalesce(to_jsonb(p)->>'message', p::text) "
		  . "FROM vecrbac.hnsw_check('$index'::regclass) p;");
	$node->safe_psql($db, 'SELECT pg_wal_replay_resume()') if $standby;
	my @rows = grep { length } split /\n/, $out;
	note("hnsw_check($index): $_") for grep { !/^error: / } @rows;
	return [ grep { /^error: / } @rows ];
}

# Fails unless an index scan on $index is what the planner picks for $sql.
sub vr_assert_index_used
{
	my ($node, $db, $sql, $index, $name) = @_;
	my $plan = $node->safe_psql($db, "SET enable_seqscan = off;\nEXPLAIN (COSTS OFF) $sql");
	like($plan, qr/Index Scan using \Q$index\E/, $name // "plan uses $index");
}

# ---- an independent reading of the index pages --------------------------------
#
# vr_inspect_index reads every page of an hnsw index with pageinspect's get_raw_page
# and decodes it by the layout documented in src/hnsw/hnsw.h, without any code of
# the extension: a second opinion beside vecrbac.hnsw_check, and one that exists
# today. It returns a hash:
#   problems   structural problems found (text), empty when the pages are sound
#   tids       { "blk,off" heap TID => number of live elements holding it }
#   elements   live (not deleted) element count; deleted: flagged element count
#   dangling_retired  links of deleted elements to tuples already freed (allowed)
#   lp_total, lp_unused  line pointers on data pages, and how many are unused
#   reachable  live elements reachable from the entry point over level-0 links
#   reachable0 { element TID => 1 } for those (and the deleted ones on the way)
#   entry_vec  the entry point's vector as a literal (undef when empty)
# Layout facts it relies on (hnsw.h): metapage at block 0 (magic, version,
# dimensions, m, ef_construction, entry TID, entry level); element tuples (type 1:
# level, flags, 10 heap TIDs, neighbor TID, vector at byte 76) and neighbor tuples
# (type 2: level, slots, owner TID, (level + 2) * m links, 2m on level 0 first).

# pageinspect, created on first use (on a standby it must come from the primary).
sub _pageinspect
{
	my ($node, $db) = @_;
	my $has = $node->safe_psql($db,
		q{SELECT pg_is_in_recovery() OR EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pageinspect')});
	$node->safe_psql($db, 'CREATE EXTENSION pageinspect;') if $has ne 't';
}

sub _tid
{
	my ($buf, $off) = @_;
	my ($hi, $lo, $pos) = unpack('v v v', substr($buf, $off, 6));
	return undef if $pos == 0;
	return (($hi << 16) | $lo) . ",$pos";
}

# The literal of an element's vector: 9 significant digits read back to the same float4.
sub _vector_literal
{
	my ($el) = @_;
	return '[' . join(',', map { sprintf('%.9g', $_) } unpack("f<$el->{dim}", $el->{raw})) . ']';
}

sub vr_inspect_index
{
	my ($node, $db, $index) = @_;
	_pageinspect($node, $db);
	my $raw = $node->safe_psql($db,
		"SELECT b, encode(get_raw_page('$index', b), 'hex') FROM "
		  . "generate_series(0, pg_relation_size('$index') / current_setting('block_size')::int - 1) b ORDER BY b;");
	my (@problems, %elem, %nb);
	my ($lp_total, $lp_unused) = (0, 0);
	my ($m, $dims, $entry, $entry_level);
	my $value_slots = 0;
	for my $line (split /\n/, $raw)
	{
		my ($blk, $hex) = split /\|/, $line;
		my $page = pack('H*', $hex);
		my ($lower, $upper, $special) = unpack('v v v', substr($page, 12, 6));
		if ($upper == 0)
		{
			push @problems, "block $blk: new (uninitialized) metapage" if $blk == 0;
			next;    # an extended page never written: allowed after a crash
		}
		my ($flags, $page_id) = unpack('v v', substr($page, $special + 4, 4));
		push @problems, sprintf("block %d: page id %#x", $blk, $page_id) if $page_id != 0xFF91;
		if ($blk == 0)
		{
			my ($magic, $version, $d, $mm, $efc) = unpack('V V V v v', substr($page, 24, 16));
			push @problems, sprintf("metapage magic %#x version %d", $magic, $version)
			  if $magic != 0x76524857 || $version < 1 || $version > 4;
			($m, $dims) = ($mm, $d);
			# value_slots (links among elements of one partition value) follow the
			# directory fields in newer metapages; older ones hold zeros there.
			$value_slots = unpack("v", substr($page, 24 + 40, 2)) // 0;
			$entry = _tid($page, 24 + 16);
			$entry_level = unpack('s<', substr($page, 24 + 22, 2));
			next;
		}
		next if $flags == 4;    # a partition directory page (hnsw_directory.h): not decoded
		push @problems, "block $blk: flags $flags" if $flags != 2;
		my $nitems = ($lower - 24) / 4;
		for my $i (1 .. $nitems)
		{
			my $lp = unpack('V', substr($page, 24 + 4 * ($i - 1), 4));
			my ($off, $lpf, $len) = ($lp & 0x7fff, ($lp >> 15) & 3, $lp >> 17);
			$lp_total++;
			if ($lpf == 0) { $lp_unused++; next; }    # unused: a tuple vacuum removed
			if ($lpf != 1) { push @problems, "$blk,$i: line pointer flags $lpf"; next; }
			my $tup = substr($page, $off, $len);
			my $type = unpack('C', $tup);
			if ($type == 1)
			{
				my ($level, $eflags) = unpack('C C', substr($tup, 1, 2));
				my @tids;
				my $gap = 0;
				for my $k (0 .. 9)
				{
					my $t = _tid($tup, 8 + 6 * $k);
					if (defined $t) { push @problems, "element $blk,$i: heap TID after a gap" if $gap; push @tids, $t; }
					else { $gap = 1; }
				}
				# The vector follows the header: at byte 80 since elements carry a
				# partition chain link, at 76 before; its varlena header says which.
				# A compact element (flag 2, version 2 without filter columns) has no
				# chain link: its vector starts at 76, the 4-byte boundary after the
				# neighbor TID.
				my ($voff, $vdim) = (80, -1);
				for my $o ($eflags & 2 ? (76) : (80, 76))
				{
					my ($hdr, $d) = unpack('V s<', substr($tup, $o, 6));
					if (($hdr >> 2) == 8 + 4 * $d && $d == $dims) { ($voff, $vdim) = ($o, $d); last; }
				}
				$elem{"$blk,$i"} = { level => $level, deleted => $eflags & 1, tids => \@tids,
					neighbors => _tid($tup, 68), raw => substr($tup, $voff + 8, 4 * ($vdim > 0 ? $vdim : 0)),
					dim => $vdim };
			}
			elsif ($type == 2 || $type == 3)
			{
				# type 3: a compact neighbor tuple (no slot count, the owner at 2, links at 8)
				my ($level, $slots) = unpack('C v', substr($tup, 1, 3));
				$slots = ($level + 2) * $m if $type == 3;
				my $links_at = $type == 3 ? 8 : 10;
				my @w = unpack('v' . (3 * $slots), substr($tup, $links_at, 6 * $slots));
				my @links = map { $w[ 3 * $_ + 2 ] ? (($w[ 3 * $_ ] << 16) | $w[ 3 * $_ + 1 ]) . ',' . $w[ 3 * $_ + 2 ] : undef }
				  0 .. $slots - 1;
				$nb{"$blk,$i"} = { level => $level, slots => $slots, owner => _tid($tup, $type == 3 ? 2 : 4),
					links => \@links };
			}
			else { push @problems, "$blk,$i: unknown tuple type $type"; }
		}
	}
	my (%tids, $live, $deleted);
	my $dangling_retired = 0;
	for my $e (sort keys %elem)
	{
		my $el = $elem{$e};
		$el->{deleted} ? $deleted++ : $live++;
		push @problems, "element $e: $el->{dim} dimensions, index has $dims" if $el->{dim} != $dims;
		push @problems, "element $e: deleted but holds heap TIDs" if $el->{deleted} && @{ $el->{tids} };
		push @problems, "element $e: live without heap TIDs" if !$el->{deleted} && !@{ $el->{tids} };
		$tids{$_}++ for @{ $el->{tids} };
		my $n = defined $el->{neighbors} ? $nb{ $el->{neighbors} } : undef;
		if (!$n) { push @problems, "element $e: neighbor tuple missing"; next; }
		push @problems, "element $e: neighbor tuple names $n->{owner}" if ($n->{owner} // '') ne $e;
		push @problems, "element $e: level $el->{level}, neighbor tuple level $n->{level}"
		  if $n->{level} != $el->{level};
		push @problems, "element $e: $n->{slots} link slots for level $el->{level}"
		  if $n->{slots} != ($el->{level} + 2) * $m + $value_slots;
		for my $l (0 .. $el->{level})
		{
			my ($start, $count) = $l == 0 ? (0, 2 * $m) : (2 * $m + ($l - 1) * $m, $m);
			my ($gap, %seen) = (0);
			for my $t (@{ $n->{links} }[ $start .. $start + $count - 1 ])
			{
				if (!defined $t) { $gap = 1; next; }
				push @problems, "element $e level $l: link after a gap" if $gap;
				push @problems, "element $e level $l: duplicate link $t" if $seen{$t}++;
				push @problems, "element $e level $l: link to itself" if $t eq $e;
				# A link to a removed element is tolerated by searches but means a
				# repair was lost, unless the owner is itself retired: VACUUM does not
				# repair the lists of deleted elements, and a crash between freeing
				# two of them leaves one's list naming the other until the next
				# VACUUM frees it too. A link to a lower-level element is a wrong graph.
				my $target = $elem{$t};
				if (!$target)
				{
					if ($el->{deleted}) { $dangling_retired++; }
					else { push @problems, "element $e level $l: link to $t, not an element"; }
					next;
				}
				push @problems, "element $e level $l: link to $t of level $target->{level}"
				  if $target->{level} < $l;
			}
		}
	}
	for my $t (sort keys %tids)
	{
		push @problems, "heap TID ($t) in $tids{$t} elements" if $tids{$t} > 1;
	}
	my (%reach, %reach0);
	if (defined $entry)
	{
		my $ee = $elem{$entry};
		if (!$ee) { push @problems, "entry point $entry is not an element"; }
		else
		{
			push @problems, "entry point level $entry_level, element level $ee->{level}"
			  if $ee->{level} != $entry_level;
			for my $pass ([ \%reach0, 0 ])
			{
				my ($set, $maxl) = @$pass;
				my @queue = ($entry);
				$set->{$entry} = 1;
				while (defined(my $e = shift @queue))
				{
					my $el = $elem{$e};
					my $n = $nb{ $el->{neighbors} // '' } or next;
					my $top = $maxl < $el->{level} ? $maxl : $el->{level};
					for my $l (0 .. $top)
					{
						my ($start, $count) = $l == 0 ? (0, 2 * $m) : (2 * $m + ($l - 1) * $m, $m);
						for my $t (@{ $n->{links} }[ $start .. $start + $count - 1 ])
						{
							next unless defined $t && $elem{$t} && !$set->{$t};
							$set->{$t} = 1;
							push @queue, $t;
						}
					}
				}
			}
		}
	}
	elsif (($live // 0) > 0) { push @problems, "no entry point but $live elements"; }
	my $reachable = grep { !$elem{$_}{deleted} } keys %reach0;
	return {
		problems => \@problems, tids => \%tids, elements => $live // 0, deleted => $deleted // 0,
		dangling_retired => $dangling_retired, lp_total => $lp_total, lp_unused => $lp_unused,
		reachable => $reachable, reachable0 => \%reach0, elem => \%elem, nb => \%nb, m => $m,
		entry_vec => defined $entry && $elem{$entry} ? _vector_literal($elem{$entry}) : undef };
}

# Waits until no other client backend runs (a killed client's backend may still hold
# a snapshot, which keeps VACUUM from removing rows it could see).
sub vr_wait_idle
{
	my ($node, $db) = @_;
	$node->poll_query_until($db // 'postgres',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()})
	  or die 'other backends did not go away';
}

# vr_assert_healthy(node, db, index => i, table => t, column => 'v', op => '<->',
#                   label => '...', exact => 0|1, min_reachable => 0..1):
#   - the pages are sound (vr_inspect_index finds no problem);
#   - every row of the table with an indexable vector has its TID in exactly one
#     live element; with exact => 1 (after a VACUUM with nothing running
#     concurrently) the index holds no other TID, except TIDs of LP_DEAD heap items
#     (VACUUM's index bypass keeps those);
#   - vecrbac.hnsw_check reports nothing (when installed);
#   - an exhaustive iterative scan from the entry point returns each row once, and
#     exactly the rows whose elements are reachable on level 0 from the entry point
#     (for <#>, whose greedy descent may start elsewhere: a subset of the rows);
#   - at least min_reachable of the indexed rows are reachable (default 0: reported
#     only; HNSW leaves some elements without incoming links, hnswlib as much).
# checker_allow => qr/.../ drops matching checker errors (noted): for states a crash
# may leave that searches tolerate by design.
# Assumes no HOT chains among indexed rows (every UPDATE in these tests changes the
# vector), since a HOT-updated row's ctid is not the TID its index entry holds.
sub vr_assert_healthy
{
	my ($node, $db, %a) = @_;
	my $label = $a{label} // '';
	my $col = $a{column} // 'v';
	my $id = $a{id} // 'id';
	my $op = $a{op} // '<->';
	my $ok = 1;

	my $info = vr_inspect_index($node, $db, $a{index});
	$ok &&= is_deeply($info->{problems}, [], "pages of $a{index} are sound $label")
	  or diag(join("\n", @{ $info->{problems} }[ 0 .. ($#{ $info->{problems} } < 19 ? $#{ $info->{problems} } : 19) ]));

	my $where = "$col IS NOT NULL";
	$where .= " AND vector_norm($col) > 0" if $op eq '<=>';
	my %rows;    # TID => id
	for my $line (split /\n/, $node->safe_psql($db,
		"SET enable_indexscan = off;\nSET enable_bitmapscan = off;\n"
		  . "SELECT ctid, $id FROM $a{table} WHERE $where;"))
	{
		my ($ctid, $rid) = split /\|/, $line;
		$ctid =~ s/[()]//g;
		$rows{$ctid} = $rid;
	}
	my @missing = grep { !$info->{tids}{$_} } sort keys %rows;
	$ok &&= is(scalar(@missing), 0, "every indexable row of $a{table} is in $a{index} $label")
	  or diag("rows missing from the index: " . join(' ', map { "($_)=$rows{$_}" } @missing[ 0 .. ($#missing < 19 ? $#missing : 19) ]));
	if ($a{exact})
	{
		# A TID whose heap line pointer is LP_DEAD is allowed: VACUUM skips index
		# vacuuming when very few such items exist (PostgreSQL 14's bypass) and keeps
		# them. A TID of an unused or reused heap slot is not.
		my @extra = grep { !exists $rows{$_} } sort keys %{ $info->{tids} };
		my (@bad, %lp);
		my %pages;
		for my $t (@extra) { my ($b) = split /,/, $t; $pages{$b} = 1; }
		for my $b (sort { $a <=> $b } keys %pages)
		{
			for my $line (split /\n/, $node->safe_psql($db,
				"SELECT lp, concat_ws('/', lp_flags, t_xmin, t_xmax) FROM heap_page_items(get_raw_page('$a{table}', $b))"))
			{
				my ($o, $state) = split /\|/, $line;
				$lp{"$b,$o"} = $state;
			}
		}
		@bad = grep { ($lp{$_} // 'none') ne '3' } @extra;
		$ok &&= is(scalar(@bad), 0, "$a{index} holds no TID of a removed row $label")
		  or diag("extra TIDs (heap line pointer: flags/xmin/xmax): "
			  . join(' ', map { "($_)=" . ($lp{$_} // 'none') } @bad[ 0 .. ($#bad < 19 ? $#bad : 19) ]));
		note(scalar(@extra) - scalar(@bad) . " TIDs of LP_DEAD heap items kept by VACUUM's bypass $label")
		  if @extra > @bad;
	}

	my $problems = vr_check_index($node, $db, $a{index});
	if ($problems && $a{checker_allow})
	{
		# States a crash may leave that searches tolerate by design (the caller says which).
		my @allowed = grep { $_ =~ $a{checker_allow} } @$problems;
		note("hnsw_check($a{index}), allowed after a crash: $_") for @allowed;
		$problems = [ grep { $_ !~ $a{checker_allow} } @$problems ];
	}
	SKIP:
	{
		skip "vecrbac.hnsw_check not installed, or a standby: checker not run ($label)", 1
		  unless defined $problems;
		$ok &&= is_deeply($problems, [], "hnsw_check($a{index}) clean $label")
		  or diag(join("\n", @$problems[ 0 .. ($#$problems < 9 ? $#$problems : 9) ]));
	}

	my $indexed = scalar(keys %rows);
	my %reach_rows;
	for my $e (keys %{ $info->{reachable0} })
	{
		for my $t (@{ $info->{elem}{$e}{tids} }) { $reach_rows{ $rows{$t} } = 1 if exists $rows{$t}; }
	}
	my $scan = defined $info->{entry_vec}
	  ? vr_index_all_ids($node, $db, %a, query => "'$info->{entry_vec}'::vector") : [];
	SKIP:
	{
		skip "$a{index} is not used by the planner (invalid?): exhaustive scan not run $label", 1
		  unless defined $scan;
		my (%seen, @dup, @notlive, @unexpected);
		my %live = map { $_ => 1 } values %rows;
		for my $r (@$scan)
		{
			push @dup, $r if $seen{$r}++;
			push @notlive, $r unless $live{$r};
		}
		my @absent = grep { !$seen{$_} } keys %reach_rows;
		@unexpected = grep { !$reach_rows{$_} } keys %seen if $op ne '<#>';
		@absent = () if $op eq '<#>';
		$ok &&= is(join(' ', scalar(@dup), scalar(@notlive), scalar(@absent), scalar(@unexpected)),
			'0 0 0 0', "exhaustive scan of $a{index} returns each reachable row once $label")
		  or diag(sprintf("scan %d rows; duplicated: %s; not live: %s; reachable but not returned: %s; returned but unreachable: %s",
				scalar(@$scan), "@dup[0 .. ($#dup < 9 ? $#dup : 9)]", "@notlive[0 .. ($#notlive < 9 ? $#notlive : 9)]",
				"@absent[0 .. ($#absent < 9 ? $#absent : 9)]", "@unexpected[0 .. ($#unexpected < 9 ? $#unexpected : 9)]"));
	}
	my $fraction = $indexed ? scalar(keys %reach_rows) / $indexed : 1;
	note(sprintf("%s %s: %d indexable rows, %d live and %d deleted elements, %.1f%% of rows reachable on level 0%s",
			$a{index}, $label, $indexed, $info->{elements}, $info->{deleted}, 100 * $fraction,
			($info->{dangling_retired} ? ", $info->{dangling_retired} links of deleted elements to freed ones" : '')
			  . ($info->{lp_unused} ? ", $info->{lp_unused} of $info->{lp_total} line pointers unused" : '')));
	if ($a{min_reachable})
	{
		$ok &&= cmp_ok($fraction, '>=', $a{min_reachable},
			"at least $a{min_reachable} of the rows in $a{index} are reachable $label");
	}
	return $ok;
}

# vr_start_psql(node, db, script): psql running a script in the background, with
# ON_ERROR_STOP, its output in files (IPC::Run only feeds pipes while the parent
# pumps them, and these clients must run on their own). Returns a handle for
# vr_client_output(handle, 'out' | 'err') and vr_client_finish(handle).
my $nclient = 0;

sub _write_file
{
	my ($path, $content) = @_;
	open(my $fh, '>', $path) or die "could not write $path: $!";
	print $fh $content;
	close $fh;
}

sub vr_start_psql
{
	my ($node, $db, $script) = @_;
	# tmp_check is shared by every test file of a run: names carry the test and pid.
	my ($test) = $0 =~ m{([^/]+)\.pl$};
	my $base = "${PostgreSQL::Test::Utils::tmp_check}/client_${test}_$$\_" . $nclient++;
	_write_file("$base.sql", $script);
	my $h = IPC::Run::start(
		[ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db), '-f', "$base.sql" ],
		'<', \undef, '>', "$base.out", '2>', "$base.err");
	return { h => $h, base => $base };
}

sub vr_client_output
{
	my ($c, $which) = @_;
	my $f = "$c->{base}.$which";
	return -e $f ? PostgreSQL::Test::Utils::slurp_file($f) : '';
}

sub _zombie
{
	my ($p) = @_;
	open(my $fh, '<', "/proc/$p/stat") or return 1;
	my $stat = <$fh>;
	close $fh;
	return $stat =~ /\)\s+Z\s/;
}

# True while the client's process runs (not exited, not a zombie).
sub vr_client_running
{
	my ($c) = @_;
	my $pid = $c->{h}{KIDS}[0]{PID} or return 0;
	return 0 unless -e "/proc/$pid";
	return !_zombie($pid);
}

# Waits for the client to exit; returns its exit status (psql: 2 when the connection
# was lost, 3 on an error under ON_ERROR_STOP).
sub vr_client_finish
{
	my ($c) = @_;
	eval { $c->{h}->finish; };
	return $c->{h}->full_result(0) >> 8;
}

# Runs pgbench on the node's database with the given scripts ({name => [weight,
# text]}), while another client VACUUMs the table every vacuum_every seconds, and
# asserts that pgbench, its clients and the VACUUM client saw no failure. Returns
# ({name => transactions}, tps, pgbench's output). Options: table, seconds, clients,
# vacuum_every, user (a role to connect as), db.
sub vr_pgbench
{
	my ($node, $scripts, %o) = @_;
	my $db = $o{db} // 'postgres';
	my ($test) = $0 =~ m{([^/]+)\.pl$};
	my @args;
	for my $name (sort keys %$scripts)
	{
		my $path = "${PostgreSQL::Test::Utils::tmp_check}/${test}_$name.sql";
		_write_file($path, $scripts->{$name}[1]);
		push @args, '-f', "$path\@$scripts->{$name}[0]";
	}
	my $vacuum = vr_start_psql($node, $db,
		join("\n", map { "VACUUM $o{table};\nSELECT pg_sleep($o{vacuum_every});" }
			  1 .. int($o{seconds} / $o{vacuum_every}) + 5) . "\n");
	my $connstr = $node->connstr($db) . ($o{user} ? " user=$o{user}" : '');
	my ($out, $err) = ('', '');
	my $ok = IPC::Run::run([ 'pgbench', '-n', '-c', $o{clients}, '-j', 2, '-T', $o{seconds}, @args, '-d', $connstr ],
		'>', \$out, '2>', \$err);
	$vacuum->{h}->kill_kill;
	vr_client_finish($vacuum);

	ok($ok, 'pgbench exited successfully') or diag($err);
	like($out, qr/number of failed transactions: 0 \(/, 'no failed transaction') or diag($out);
	unlike($err, qr/aborted|ERROR/, 'no client aborted, no error') or diag($err);
	is(join("\n", vr_client_errors($vacuum)), '', 'the VACUUM client saw no error');
	my ($tps) = $out =~ /tps = ([\d.]+)/;
	my %done;
	while ($out =~ m{SQL script \d+: \S+/\Q$test\E_(\w+)\.sql\n - weight: \d+ \(targets [\d.]+% of total\)\n - (\d+) transactions}g)
	{
		$done{$1} = $2;
	}
	is(scalar(keys %done), scalar(keys %$scripts), 'per-script counts parsed') or diag($out);
	return (\%done, $tps, $out);
}

# ---- wait points (src/pg/wait_point.h, docs/reliability.md) -------------------------
#
# A session with SET vecrbac.test_wait_point = 'name' stops at the point of that name
# while another session holds the advisory lock (1987207779, hashtext('name')): it
# waits for the lock in share mode. Tests arm a point, start the operation, wait
# until pg_locks shows the operation waiting there, then crash the server (or
# release the point): the crash lands at a known place whatever the machine's speed.

sub _wait_point_lock
{
	my ($name, $granted) = @_;
	return "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 1987207779 "
	  . "AND objid = (hashtext('$name')::int8 & 4294967295)::oid AND objsubid = 2 AND granted = $granted "
	  . "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))";
}

# vr_wait_point_hold(node, db, name): arms the point; returns a handle for
# vr_wait_point_await and vr_wait_point_release.
sub vr_wait_point_hold
{
	my ($node, $db, $name) = @_;
	my $c = vr_start_psql($node, $db,
		"SELECT pg_advisory_lock(1987207779, hashtext('$name'));\nSELECT pg_sleep(86400);\n");
	$node->poll_query_until($db, _wait_point_lock($name, 'true'))
	  or die "could not arm wait point $name: " . vr_client_output($c, 'err');
	return { client => $c, name => $name, db => $db, node => $node };
}

# True once a backend waits at the armed point; false if $client (the background
# psql running the operation) ended first, i.e. the operation never reached it.
sub vr_wait_point_await
{
	my ($hold, $client) = @_;
	my ($node, $db) = @{$hold}{qw(node db)};
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while (time() < $deadline)
	{
		return 1 if $node->safe_psql($db, _wait_point_lock($hold->{name}, 'false')) eq 't';
		return 0 if $client && !vr_client_running($client);
		select(undef, undef, undef, 0.05);
	}
	return 0;
}

# Lets the sessions waiting at the point go on (ends the holding session).
sub vr_wait_point_release
{
	my ($hold) = @_;
	my ($node, $db) = @{$hold}{qw(node db)};
	$node->safe_psql($db, "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
		  . "AND classid = 1987207779 AND objid = (hashtext('$hold->{name}')::int8 & 4294967295)::oid AND granted");
	vr_client_finish($hold->{client});
}

# Lines of a client's stderr that a crash does not explain.
my $crash_noise = qr/server closed the connection unexpectedly|connection to server was lost|terminating connection|This probably means the server terminated abnormally|before or while processing the request|could not send data to server|could not receive data from server|no connection to the server|^\s*$|^psql:\S+: NOTICE: |^(DETAIL|HINT): /;
sub vr_client_errors
{
	my ($c) = @_;
	return grep { $_ !~ $crash_noise } split /\n/, vr_client_output($c, 'err');
}

# Waits until $standby has replayed every WAL record $primary has inserted. PostgreSQL
# 15's wait_for_catchup waits for the primary's *write* position by default, which
# lags behind the records a VACUUM (which commits without an xid, so flushes nothing)
# has just inserted: a page comparison right after it then saw the standby a record
# or two behind (once in about 30 runs of 020).
sub vr_wait_replayed
{
	my ($primary, $standby) = @_;
	$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
}

# Makes every WAL record written so far durable, before a crash: a transaction that
# commits synchronously flushes the WAL up to its commit record. It must write WAL
# itself: a commit with nothing else logged (SELECT txid_current()) is asynchronous,
# and flushes nothing (RecordTransactionCommit), so the crash then kept whatever the
# WAL writer had happened to flush.
sub vr_flush_wal
{
	my ($node, $db) = @_;
	$db //= 'postgres';
	$node->safe_psql($db, "CREATE TABLE IF NOT EXISTS vr_wal_flush (at timestamptz);\n"
		  . "INSERT INTO vr_wal_flush VALUES (now());");
}

# Crashes a node as a power cut would, minus the loss of the OS cache: the
# postmaster is stopped (so it forks nothing more), then it and every one of its
# children are killed with SIGKILL at once. ($node->kill9 alone kills only the
# postmaster; orphaned backends would go on executing their clients' statements.)
sub vr_crash
{
	my ($node) = @_;
	my $pm = $node->{_pid} or die 'node ' . $node->name . ' is not running';
	kill 'STOP', $pm;
	my @kids;
	opendir(my $dh, '/proc') or die "opendir /proc: $!";
	for my $p (grep { /^\d+$/ } readdir $dh)
	{
		open(my $fh, '<', "/proc/$p/stat") or next;
		my $stat = <$fh>;
		close $fh;
		next unless defined $stat && $stat =~ /\)\s+\S+\s+(\d+)/;
		push @kids, $p if $1 == $pm;
	}
	closedir $dh;
	kill 'KILL', @kids if @kids;
	$node->kill9;
	# Wait until every process is gone and reaped: the postmaster's lock file check
	# takes a zombie for a running postmaster.
	for my $i (1 .. 600)
	{
		my @alive = grep { -e "/proc/$_" } ($pm, @kids);
		return scalar(@kids) unless @alive;
		select(undef, undef, undef, 0.05);
	}
	die "processes of " . $node->name . " survived SIGKILL";
}

# Per-page digests of a relation's main fork, with the checksum field masked (it is
# only computed when a page is written out): after replay a standby's index must be
# byte-identical to its primary's, since GenericXLog logs every change as an exact
# delta or image. Returns an array ref of "block:md5".
sub vr_page_digests
{
	my ($node, $db, $rel) = @_;
	_pageinspect($node, $db);
	# New (all-zero) pages are left out: PostgreSQL extends a relation without WAL, so after
	# a crash the primary can keep blocks that an insert in flight added and never logged,
	# which its standby never sees (a block initialized on one node and missing or new on
	# the other still shows as a difference).
	return vr_ids($node, $db,
		"SELECT b || ':' || md5(overlay(p placing '\\x0000'::bytea from 9 for 2)) "
		  . "FROM generate_series(0, pg_relation_size('$rel') / current_setting('block_size')::int - 1) b, "
		  . "LATERAL get_raw_page('$rel', b) p WHERE (page_header(p)).upper <> 0 ORDER BY b;");
}

# Hook for the row-level security suites: a text snapshot of every policy and of the
# RLS flags of every table in $db, compared before and after dump/restore or
# replication. Today it covers plain PostgreSQL policies; when vecrbac.protect()
# lands, extend it with the collection registry (vecrbac's own tables) so the same
# tests prove that protected collections survive.
sub vr_rls_snapshot
{
	my ($node, $db) = @_;
	return $node->safe_psql(
		$db, q{
SELECT string_agg(format('%s|%s|%s|%s|%s|%s|%s', schemaname, tablename, policyname,
                         permissive, roles, cmd, coalesce(qual, '') || '/' || coalesce(with_check, '')),
                  E'\n' ORDER BY schemaname, tablename, policyname)
FROM pg_policies
UNION ALL
SELECT string_agg(format('%s|%s|%s', relname, relrowsecurity, relforcerowsecurity), E'\n' ORDER BY relname)
FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace;
});
}

1;
