# VecrbacCitus.pm: a Citus cluster on 127.0.0.1 for the TAP tests that need one
# (017_citus, 018_citus_rebalance, 023_citus_upgrade), and what they check on it.
#
# Citus is not packaged for Debian 12: scripts/build_citus.sh stages it and
# vr_prefix_setup copies it into the test install. Without it, vr_citus_cluster skips
# the whole test (plan skip_all), saying so.
package VecrbacCitus;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Cluster;
use Test::More;
use VecrbacTest;

our @EXPORT = qw(vr_citus_secret vr_citus_cluster vr_citus_placements vr_citus_guarded);

# The JWT secret every node is configured with.
sub vr_citus_secret { return 'a citus-test secret of at least thirty-two bytes' }

# vr_citus_cluster(workers => N, added => M, conf => [...], before_citus => sub { ... })
# A coordinator and N workers, each with Citus preloaded, 4 shards per table and the
# secret (plus `conf`), started; before_citus(@nodes) runs before CREATE EXTENSION citus;
# the first M workers (default all) join the cluster. Returns ($coordinator, @workers).
sub vr_citus_cluster
{
	my (%a) = @_;
	my @conf = (
		"shared_preload_libraries = 'citus'",
		"vecrbac.jwt_secret = '" . vr_citus_secret() . "'",
		'max_connections = 60',
		'max_prepared_transactions = 20',
		'citus.shard_count = 4',
		'citus.enable_statistics_collection = off',
		@{ $a{conf} // [] });
	my $coord = vr_node('citus_coordinator', conf => \@conf);
	my $libdir = $coord->config_data('--pkglibdir');
	plan skip_all => 'Citus is not installed: run scripts/build_citus.sh, then the tests'
	  if !-f "$libdir/citus.so";
	my @workers = map { vr_node("citus_worker$_", conf => \@conf) } (1 .. $a{workers});
	my @nodes = ($coord, @workers);
	$_->start for @nodes;
	$a{before_citus}->(@nodes) if $a{before_citus};
	$_->safe_psql('postgres', 'CREATE EXTENSION citus') for @nodes;
	$coord->safe_psql('postgres',
		"SELECT citus_set_coordinator_host('127.0.0.1', " . $coord->port . ')');
	my $added = $a{added} // $a{workers};
	$coord->safe_psql('postgres', "SELECT citus_add_node('127.0.0.1', " . $_->port . ')')
	  for @workers[ 0 .. $added - 1 ];
	return ($coord, @workers);
}

# On every active placement of $table (run_command_on_placements from the coordinator):
# whether $cond holds, with %1$L the shard's name. 't' when it holds on all of them.
sub vr_citus_placements
{
	my ($coord, $table, $cond) = @_;
	return $coord->safe_psql('postgres', qq{
SELECT count(*) > 0 AND bool_and(success AND result = 't')
FROM run_command_on_placements('$table', \$\$SELECT $cond\$\$)});
}

# The condition (for vr_citus_placements) that a placement is protected: the four
# vecrbac policies, row-level security enabled and forced, and its TRUNCATE guard.
sub vr_citus_guarded
{
	return q{(SELECT count(*) = 4 FROM pg_policy WHERE polrelid = %1$L::regclass AND polname LIKE 'vecrbac_%%')
  AND (SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = %1$L::regclass)
  AND EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = %1$L::regclass AND tgname ~ '^vecrbac_truncate_[0-9]+$')};
}

1;
