# 010_token_abuse.pl: hostile session tokens fail cleanly, with the documented SQLSTATE
# and message, and the backend's memory stays bounded.
#
#   - A 10 MB token is refused by the size cap (default 8 KiB) before anything is
#     decoded: through vecrbac.token, vecrbac.login() and vecrbac.jwt_verify(); with
#     the cap raised by a superuser to its maximum (1 MB), still a clean error.
#   - JSON nested 100,000 deep (arrays, objects) in the header (refused before the
#     signature is checked) and in correctly signed claims: "nested too deeply".
#   - 100,000 access entries (a correctly signed token of 4.8 MB): refused by the cap;
#     the largest that fits the maximum cap (20,000 entries) verifies, and one with a
#     duplicate collection at its end is refused; value_exists with 20,000 pairs (refused:
#     at most 16) and with 16.
#   - Many failed verifications in one session (VR_TOKEN_FAILURES, 100,000 in CI; the
#     offline run uses 1,000,000), cycling through every kind of refusal: each one an
#     error with its SQLSTATE (28000, or 42501 without a token), and the backend's
#     memory contexts do not grow from a tenth of the run to its end.
#   - Claims whose strings are SQL (collection names, payload keys and values,
#     value_exists): ordinary refusals or empty scopes, never a syntax error.
#   - 20,000 distinct valid tokens through the 16-entry cache, and 32 distinct tokens
#     of the maximum size: RSS stays bounded (the cache holds 16 tokens and 1 MiB of
#     token text).
# Each case runs in a fresh backend, which then reads its own peak and current RSS
# (/proc/self/status) and memory-context total: the peak is bounded, and the memory
# contexts are back to those of a fresh backend; the same backend answering that
# query shows that it survived. The server log must show no crashed backend.
use strict;
use warnings;
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64url);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use VecrbacTest;

my $failures = vr_env_int('VR_TOKEN_FAILURES', 100000);
my $secret = 'an abuse-test secret of at least thirty-two bytes';
my $MB = 1024 * 1024;

my $node = vr_node('token_abuse',
	conf => [ "vecrbac.jwt_secret = '$secret'", 'log_min_error_statement = panic' ]);
$node->start;
vr_create_extension($node);
$node->safe_psql('postgres', q{
CREATE TABLE docs (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(2) NOT NULL, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs SELECT i, i % 3, ARRAY[i, 0]::real[]::vector FROM generate_series(1, 30) i;
CREATE INDEX ON docs USING hnsw (tenant, embedding vector_l2_ops, payload);
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant"}');
CREATE TABLE staff (id int PRIMARY KEY, "user" text NOT NULL, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO staff VALUES (1, 'carol');
SELECT vecrbac.protect('staff', key_columns => '["user"]');
CREATE ROLE app LOGIN NOSUPERUSER NOBYPASSRLS;
GRANT SELECT ON docs TO app;
-- The loops below read their own memory contexts while running as app.
GRANT SELECT ON pg_backend_memory_contexts TO app;
GRANT EXECUTE ON FUNCTION pg_get_backend_memory_contexts() TO app;
});

# ---- tokens, built here (the claims of some cases are no valid jsonb for jwt_sign) ---------
sub token
{
	my ($header, $claims, $key) = @_;
	my $input = encode_base64url($header) . '.' . encode_base64url($claims);
	return "$input." . encode_base64url(hmac_sha256($input, $key // $secret));
}
my $hs256 = '{"alg":"HS256","typ":"JWT"}';
sub signed { return token($hs256, $_[0]); }

# ---- running a case in a fresh backend and reading its memory -------------------------------
my $status_sql = q{
RESET ROLE;
SELECT (regexp_match(s, 'VmHWM:\s+(\d+) kB'))[1], (regexp_match(s, 'VmRSS:\s+(\d+) kB'))[1],
       (SELECT sum(total_bytes) FROM pg_backend_memory_contexts)
FROM pg_read_file('/proc/self/status') s;};

# Runs $sql in a fresh backend, then that backend reads its peak and current memory.
# Returns (peak kB, RSS kB, memory-context bytes, the NOTICE lines, seconds).
sub measured
{
	my ($sql) = @_;
	my $t = time;
	my ($rc, $out, $err) = $node->psql('postgres', ($sql // '') . $status_sql);
	my $secs = time - $t;
	my @l = split /\n/, $out;
	my ($hwm, $rss, $ctx) = split(/\|/, $l[-1] // '');
	my $notices = join("\n", map { s/^.*?NOTICE:\s+//r } grep { /NOTICE:/ } split /\n/, $err);
	diag("unexpected stderr: $err") if $err =~ /ERROR|FATAL|PANIC|terminat/;
	return ($hwm // 0, $rss // 0, $ctx // 0, $notices, $secs);
}

# The statement that verifies the session token: any read of a protected table.
my $read = 'PERFORM count(*) FROM docs';

# One attempt as role app, caught in the server: NOTICE "<SQLSTATE> <message>" or "ok <n>".
sub attempt_sql
{
	my ($settings, $body) = @_;
	return "$settings\nSET ROLE app;\nDO \$do\$\nDECLARE n bigint;\nBEGIN\n$body\n"
	  . "RAISE NOTICE 'ok';\nEXCEPTION WHEN others THEN RAISE NOTICE '% %', SQLSTATE, SQLERRM;\nEND \$do\$;\n";
}
sub with_token
{
	my ($token_expr) = @_;
	return "PERFORM set_config('vecrbac.token', $token_expr, false);\n$read;";
}

my ($hwm0, $rss0, $ctx0) = measured();
note("fresh backend: peak $hwm0 kB, RSS $rss0 kB, memory contexts $ctx0 bytes");

my $big = q{repeat('A', 10485760)};
my $cap = q{SET vecrbac.jwt_max_token_bytes = '1MB';};
my $deep = 100000;
my @cases = (
	[ '10 MB token, vecrbac.token', '', with_token($big), qr/^28000 malformed token: longer than 8192 bytes$/ ],
	[ '10 MB token, vecrbac.login()', '', "PERFORM vecrbac.login($big);", qr/^28000 malformed token: longer than 8192 bytes$/ ],
	[ '10 MB token, vecrbac.jwt_verify()', '', "PERFORM vecrbac.jwt_verify($big, '$secret');",
		qr/^28000 malformed token: longer than 8192 bytes$/ ],
	[ '10 MB token, cap raised to 1 MB', $cap, with_token($big), qr/^28000 malformed token: longer than 1048576 bytes$/ ],
	[ 'header nested 100,000 deep (arrays)', $cap,
		with_token("'" . token('{"alg":"HS256","x":' . ('[' x $deep) . (']' x $deep) . '}', '{"exp":4000000000,"access":"r"}') . "'"),
		qr/^28000 malformed token: header is not valid JSON \(nested too deeply\)$/ ],
	[ 'header nested 100,000 deep (objects)', $cap,
		with_token("'" . token('{"alg":"HS256","x":' . ('{"a":' x $deep) . '1' . ('}' x $deep) . '}', '{"exp":4000000000,"access":"r"}') . "'"),
		qr/^28000 malformed token: header is not valid JSON \(nested too deeply\)$/ ],
	[ 'signed claims nested 100,000 deep (arrays)', $cap,
		with_token("'" . signed('{"exp":4000000000,"access":"r","x":' . ('[' x $deep) . (']' x $deep) . '}') . "'"),
		qr/^28000 malformed token: claims are not valid JSON \(nested too deeply\)$/ ],
	[ 'signed claims nested 100,000 deep (objects)', $cap,
		with_token("'" . signed('{"exp":4000000000,"access":"r","x":' . ('{"a":' x $deep) . '1' . ('}' x $deep) . '}') . "'"),
		qr/^28000 malformed token: claims are not valid JSON \(nested too deeply\)$/ ],
	[ '100,000 access entries, signed (4.8 MB)', $cap,
		with_token("'" . signed('{"exp":4000000000,"access":[' . join(',', map { qq({"collection":"c$_","access":"r"}) } 1 .. 100000) . ']}') . "'"),
		qr/^28000 malformed token: longer than 1048576 bytes$/ ],
	[ '20,000 access entries, signed (the most the 1 MB cap holds)', $cap,
		with_token("'" . signed('{"exp":4000000000,"access":[' . join(',', map { qq({"collection":"c$_","access":"r"}) } 1 .. 19999)
			  . ',{"collection":"docs","access":"r","payload":{"tenant":1}}]}') . "'")
		  . "\nSELECT count(*) INTO n FROM docs; RAISE NOTICE 'rows %', n;",
		qr/^rows 10\nok$/ ],
	[ '20,000 access entries, the last one a duplicate', $cap,
		with_token("'" . signed('{"exp":4000000000,"access":[' . join(',', map { qq({"collection":"c$_","access":"r"}) } 1 .. 19999)
			  . ',{"collection":"c1","access":"r"}]}') . "'"),
		qr/^28000 invalid token claims: a collection appears twice in "access"$/ ],
	[ 'value_exists with 20,000 pairs', $cap,
		with_token("'" . signed('{"exp":4000000000,"access":"r","value_exists":{"collection":"staff","matches":['
			  . join(',', map { qq({"key":"k$_","value":$_}) } 1 .. 20000) . ']}}') . "'"),
		qr/^28000 invalid token claims: "value_exists" has more than 16 matches$/ ],
	[ 'value_exists with 16 pairs (the most allowed)', '',
		with_token("'" . signed('{"exp":4000000000,"access":"r","value_exists":{"collection":"staff","matches":['
			  . join(',', map { qq({"key":"k$_","value":$_}) } 1 .. 16) . ']}}') . "'"),
		qr/^28000 token is not valid: its value_exists condition matches no row$/ ],
);
for my $c (@cases)
{
	my ($name, $settings, $body, $want) = @$c;
	my ($hwm, $rss, $ctx, $notices, $secs) = measured(attempt_sql($settings, $body));
	like($notices, $want, "$name: " . ($notices =~ s/\n/; /gr));
	cmp_ok($hwm, '<', 160 * 1024, sprintf('%s: peak %.1f MB', $name, $hwm / 1024));
	# RSS after the case is a figure, not a bound: glibc keeps freed heap pages of
	# large allocations (its mmap threshold grows after the first one is freed).
	note(sprintf('%s: RSS %.1f MB after (fresh %.1f MB)', $name, $rss / 1024, $rss0 / 1024));
	cmp_ok($ctx - $ctx0, '<', $MB, sprintf('%s: memory contexts %d bytes after', $name, $ctx));
	note(sprintf('%s: %.2f s', $name, $secs));    # a figure, not a bound: no test depends on speed
}

# ---- many failed verifications in one session ------------------------------------------------
# Every kind of refusal, in rotation: each token verifies afresh (refused tokens are
# never cached). Time and memory are read in the loop.
my $forged = token($hs256, '{"exp":4000000000,"access":"r"}', 'another secret of at least thirty-two bytes');
# Correctly signed, but its claims segment is padded base64 (refused after the signature).
my $bad_claims_encoding = do
{
	my $input = encode_base64url($hs256) . '.e30=';
	"$input." . encode_base64url(hmac_sha256($input, $secret));
};
# [name, token, whether jwt_verify() refuses it too (the last ones are valid JWTs that
# only the row-level security part refuses)]
my @bad = (
	[ 'forged', $forged, 1 ],
	[ 'expired', signed('{"exp":1000000000,"access":"r"}'), 1 ],
	[ 'not yet valid', signed('{"exp":4000000000,"nbf":3900000000,"access":"r"}'), 1 ],
	[ 'no exp', signed('{"access":"r"}'), 1 ],
	[ 'alg none', encode_base64url('{"alg":"none"}') . '.' . encode_base64url('{"exp":4000000000,"access":"r"}') . '.', 1 ],
	[ 'malformed', 'not.a.token', 1 ],
	[ 'bad base64', $bad_claims_encoding, 1 ],
	[ 'no token', '', 0 ],
	[ 'bad claims', signed('{"exp":4000000000,"access":[{"collection":"docs","access":"x"}]}'), 0 ],
	[ 'value_exists', signed('{"exp":4000000000,"access":"r","value_exists":{"collection":"staff","matches":[{"key":"user","value":"mallory"}]}}'), 0 ],
	[ 'no access', signed('{"exp":4000000000,"access":[]}'), 0 ],
);
my $tokens = join(",\n", map { "'$_->[1]'" } @bad);
my $jwt_fails = join(',', map { $_->[2] ? 'true' : 'false' } @bad);
my $k = scalar(@bad);
my $tenth = int($failures / 10);
my $loop = qq{
SET ROLE app;
DO \$do\$
DECLARE
  tokens text[] := ARRAY[$tokens];
  jwt_fails boolean[] := ARRAY[$jwt_fails];
  states jsonb := '{}';
  oks int := 0;
  at_tenth bigint;
  at_end bigint;
  t0 timestamptz := clock_timestamp();
  t1 timestamptz;
  key text;
BEGIN
  FOR i IN 1..$failures LOOP
    BEGIN
      PERFORM set_config('vecrbac.token', tokens[1 + i % $k], true);
      IF i % 3 = 0 AND jwt_fails[1 + i % $k] THEN
        PERFORM vecrbac.jwt_verify(tokens[1 + i % $k], '$secret');
      ELSE
        $read;
      END IF;
      oks := oks + 1;
    EXCEPTION WHEN others THEN
      key := SQLSTATE || ' ' || left(SQLERRM, 100);
      states := jsonb_set(states, ARRAY[key], to_jsonb(coalesce((states ->> key)::int, 0) + 1));
    END;
    IF i = $tenth THEN
      SELECT sum(total_bytes) INTO at_tenth FROM pg_backend_memory_contexts;
      t1 := clock_timestamp();
    END IF;
  END LOOP;
  SELECT sum(total_bytes) INTO at_end FROM pg_backend_memory_contexts;
  RAISE NOTICE 'accepted %', oks;
  RAISE NOTICE 'growth from % to % failures: % bytes', $tenth, $failures, at_end - at_tenth;
  RAISE NOTICE 'seconds % (first tenth %)', extract(epoch FROM clock_timestamp() - t0), extract(epoch FROM t1 - t0);
  FOR key IN SELECT jsonb_object_keys(states) ORDER BY 1 LOOP
    RAISE NOTICE 'state % x %', key, states ->> key;
  END LOOP;
END \$do\$;
};
my ($hwm1, $rss1, $ctx1) = measured();
my ($hwm2, $rss2, $ctx2, $notices, $secs) = measured($loop);
like($notices, qr/^accepted 0$/m, "$failures failed verifications in one session: none accepted");
my %states = $notices =~ /^state (.+?) x (\d+)$/mg;
note("refusals: " . join('; ', map { "$_ x $states{$_}" } sort keys %states));
my $total = 0;
$total += $_ for values %states;
is($total, $failures, 'every attempt refused');
is(join(',', sort { $a cmp $b } keys %{ { map { substr($_, 0, 5) => 1 } keys %states } }), '28000,42501',
	'with SQLSTATE 28000, or 42501 without a token or grant');
for my $msg (
	qr/^28000 invalid signature/, qr/^28000 token expired/, qr/^28000 token not yet valid/,
	qr/^28000 token has no "exp" claim/, qr/^28000 invalid token claims: unknown access mode/,
	qr/^28000 token is not valid: its value_exists condition matches no row/,
	qr/^28000 algorithm not allowed: unsecured tokens/, qr/^28000 malformed token: header is not strict base64url/,
	qr/^28000 malformed token: claims are not strict base64url/, qr/^42501 permission denied for collection "docs"/,
	qr/^42501 no token is set/)
{
	ok((grep { $_ =~ $msg } keys %states), "refusal seen: $msg");
}
my ($growth) = $notices =~ /growth from \d+ to \d+ failures: (-?\d+) bytes/;
my ($loop_secs, $tenth_secs) = $notices =~ /seconds ([\d.]+) \(first tenth ([\d.]+)\)/;
note(sprintf('%d failures: %.1f s (%.1f us each), peak %d kB, RSS %d kB (fresh %d kB), contexts %d bytes (fresh %d)',
		$failures, $loop_secs // -1, 1e6 * ($loop_secs // 0) / $failures, $hwm2, $rss2, $rss1, $ctx2, $ctx1));
cmp_ok($growth // 1e12, '<', 64 * 1024,
	"memory contexts grew $growth bytes from the " . $tenth . "th failure to the ${failures}th, in one transaction");
cmp_ok($hwm2 - $hwm1, '<', 64 * 1024, sprintf('peak memory grew by %.1f MB', ($hwm2 - $hwm1) / 1024));
cmp_ok($rss2 - $rss1, '<', 16 * 1024, sprintf('RSS %.1f MB after', $rss2 / 1024));
# After the loop: caches a fresh backend has not filled yet (relations, plans, the
# DO block's); the growth inside the loop, above, is the leak check.
cmp_ok($ctx2 - $ctx1, '<', 4 * $MB, "memory contexts $ctx2 bytes after");

# ---- the token cache under churn ---------------------------------------------------------------
# 20,000 distinct valid tokens (signed in the loop), each verified once and cached,
# evicting the least recently used of 16.
my $churn = qq{
SET ROLE app;
DO \$do\$
DECLARE n bigint; at_tenth bigint; at_end bigint;
BEGIN
  FOR i IN 1..20000 LOOP
    PERFORM set_config('vecrbac.token',
      vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'jti', i, 'access', 'r'), '$secret'), true);
    SELECT count(*) INTO n FROM docs;
    IF n <> 30 THEN RAISE EXCEPTION 'token % saw % rows', i, n; END IF;
    IF i = 2000 THEN SELECT sum(total_bytes) INTO at_tenth FROM pg_backend_memory_contexts; END IF;
  END LOOP;
  SELECT sum(total_bytes) INTO at_end FROM pg_backend_memory_contexts;
  RAISE NOTICE 'growth %', at_end - at_tenth;
END \$do\$;
};
my ($hwm3, $rss3, $ctx3, $n3, $s3) = measured($churn);
like($n3, qr/^growth -?\d+$/, sprintf('20,000 distinct valid tokens: all verified (%.1f s)', $s3));
my ($g3) = $n3 =~ /growth (-?\d+)/;
cmp_ok($g3 // 1e12, '<', 64 * 1024, "memory contexts grew $g3 bytes from the 2,000th to the 20,000th token");
cmp_ok($hwm3 - $hwm1, '<', 32 * 1024, sprintf('peak %.1f MB', $hwm3 / 1024));

# 32 distinct tokens of the maximum size (1 MB cap, 20,000 access entries each): the
# cache keeps one of them (its byte budget), so memory after 32 is that after 16, and
# near that of a fresh backend.
my @huge = map {
	my $t = $_;
	signed(qq({"exp":4000000000,"jti":$t,"access":[) . join(',', map { qq({"collection":"c$_","access":"r"}) } 1 .. 19999)
		  . ',{"collection":"docs","access":"r"}]}')
} 1 .. 32;
my $rss_after = q{SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\s+(\d+) kB'))[1] AS rss \gset
\echo rss :rss
};
my $huge_sql = "$cap\n";
for my $i (0 .. 31)
{
	$huge_sql .= "SET ROLE app;\nSET vecrbac.token = '$huge[$i]';\nSELECT count(*) FROM docs;\nRESET ROLE;\n";
	$huge_sql .= $rss_after if $i == 15 || $i == 31;
}
my $t = time;
my ($rc, $out, $err) = $node->psql('postgres', $huge_sql);
my $huge_secs = time - $t;
my @rss = $out =~ /^rss (\d+)$/mg;
is(scalar(@rss), 2, sprintf('32 tokens of 1 MB verified in one session (%.1f s)', $huge_secs)) or diag($err);
note(sprintf('RSS after 16 maximum-size tokens: %.1f MB; after 32: %.1f MB (fresh backend %.1f MB)',
		($rss[0] // 0) / 1024, ($rss[1] // 0) / 1024, $rss0 / 1024));
cmp_ok(($rss[1] // 1e9) - ($rss[0] // 0), '<', 16 * 1024, 'memory does not grow from 16 tokens to 32');
cmp_ok(($rss[1] // 1e9) - $rss0, '<', 48 * 1024, 'the cache keeps no more than its byte budget');

# ---- token content never reaches SQL text --------------------------------------------------------
# Claims whose strings are SQL: collection names, payload keys and values, value_exists
# collections, keys and values. Policies compare claims as data and the value_exists
# lookup passes them as parameters (only registry names, quoted, are query text), so
# each is an ordinary refusal or an empty scope: never a syntax error or another
# SQLSTATE, and the sentinel table survives.
$node->safe_psql('postgres', 'CREATE TABLE sentinel (x int); INSERT INTO sentinel VALUES (1);');
my @sql_strings = (q{x'); DROP TABLE sentinel; --}, q{"; DROP TABLE sentinel; --}, q{docs' OR 'a' = 'a},
	q{1) OR (true}, q{$1}, q{%I %L %s}, q{\\'; SELECT pg_sleep(10); --}, q{tenant" = "tenant});
my @injections;
for my $str (@sql_strings)
{
	(my $j = $str) =~ s/(["\\])/\\$1/g;    # as a JSON string
	push @injections,
	  [ "collection $str", qq({"exp":4000000000,"access":[{"collection":"$j","access":"r"}]}), qr/^42501 permission denied for collection "docs"$/ ],
	  [ "payload key $str", qq({"exp":4000000000,"access":[{"collection":"docs","access":"r","payload":{"$j":1}}]}), qr/^(rows 0|28000 invalid token claims: .*)$/ ],
	  [ "payload value $str", qq({"exp":4000000000,"access":[{"collection":"docs","access":"rw","payload":{"tenant":"$j"}}]}), qr/^rows 0$/ ],
	  [ "value_exists collection $str", qq({"exp":4000000000,"access":"r","value_exists":{"collection":"$j","matches":[{"key":"user","value":"carol"}]}}),
		qr/^28000 token is not valid: its value_exists condition matches no row$/ ],
	  [ "value_exists key $str", qq({"exp":4000000000,"access":"r","value_exists":{"collection":"staff","matches":[{"key":"$j","value":"carol"}]}}),
		qr/^(28000 token is not valid: its value_exists condition matches no row|28000 invalid token claims: .*)$/ ],
	  [ "value_exists value $str", qq({"exp":4000000000,"access":"r","value_exists":{"collection":"staff","matches":[{"key":"user","value":"$j"}]}}),
		qr/^28000 token is not valid: its value_exists condition matches no row$/ ];
}
my $injection_sql = '';
for my $c (@injections)
{
	my $t = signed($c->[1]);
	$injection_sql .= attempt_sql('', with_token("'$t'") . "\nSELECT count(*) INTO n FROM docs; RAISE NOTICE 'rows %', n;")
	  =~ s/RAISE NOTICE 'ok';\n//r;
}
my ($irc, $iout, $ierr) = $node->psql('postgres', $injection_sql);
my @outcomes = map { s/^.*?NOTICE:\s+//r } grep { /NOTICE:/ } split /\n/, $ierr;
is(scalar(@outcomes), scalar(@injections), 'every SQL-shaped claim answered') or diag($ierr);
for my $i (0 .. $#injections)
{
	like($outcomes[$i] // '', $injections[$i][2], "$injections[$i][0]: " . ($outcomes[$i] // 'nothing'));
}
is($node->safe_psql('postgres', 'SELECT count(*) FROM sentinel'), '1', 'the sentinel table is intact');
# A write with SQL in its scope's value: refused by the policy, nothing written.
my $or_true = '1) OR (true';
my $rw = signed(qq({"exp":4000000000,"access":[{"collection":"docs","access":"rw","payload":{"tenant":"$or_true"}}]}));
$node->safe_psql('postgres', 'GRANT INSERT, UPDATE, DELETE ON docs TO app');
my ($wrc, $wout, $werr) = $node->psql('postgres', attempt_sql('', with_token("'$rw'")
	  . "\nINSERT INTO docs VALUES (100, 1, '[1,1]');\n"));
like($werr, qr/NOTICE:\s+42501 new row violates row-level security policy for table "docs"/, 'an insert in such a scope: refused');
is($node->safe_psql('postgres', q{SET ROLE app; SET vecrbac.token = '} . $rw . q{'; UPDATE docs SET tenant = 2; DELETE FROM docs; SELECT count(*) FROM docs}),
	'0', 'its updates and deletes see no row');
is($node->safe_psql('postgres', 'SELECT count(*) FROM docs'), '30', 'and the table is unchanged');

# ---- no backend crashed -------------------------------------------------------------------------
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|was terminated|exited with exit code [1-9]|PANIC/, 'no backend crashed');

$node->stop;
done_testing();
