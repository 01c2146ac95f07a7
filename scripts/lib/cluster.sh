# cluster.sh: a private PostgreSQL install and throwaway clusters, for tests and the demo.
# Sourced by scripts/test.sh, scripts/demo.sh and the benchmarks; not run on its own.
#
# The private install is a copy (hard links where possible) of Debian's PostgreSQL 15
# binaries, libraries and share files under $VR_PREFIX, plus vecrbac installed with
# DESTDIR. PostgreSQL finds its lib and share directories relative to its own binary,
# so servers started from there load this build of vecrbac and never touch the system
# install: two checkouts can run their tests at the same time.
#
# initdb and postgres refuse to run as root; as root every server command runs as the
# postgres system user that Debian's package creates.

PG_BINDIR_SYSTEM=$(pg_config --bindir)
PG_PKGLIBDIR_SYSTEM=$(pg_config --pkglibdir)
PG_SHAREDIR_SYSTEM=$(pg_config --sharedir)
PG_PGXS_DIR=$(dirname "$(pg_config --pgxs)")/..
PG_REGRESS="$PG_PGXS_DIR/test/regress/pg_regress"
PG_ISOLATION_REGRESS="$PG_PGXS_DIR/test/isolation/pg_isolation_regress"

vr_log() { printf '\n== %s (%s)\n' "$*" "$(date -u +%T)"; }

# Runs a command as the server's user (postgres when we are root).
vr_as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- env PATH="$PATH" "$@"
    else
        "$@"
    fi
}

# Makes a directory owned by the server's user.
vr_pg_dir() {
    mkdir -p "$1"
    if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$1"; fi
}

# A TCP port on 127.0.0.1 that nothing listens on now.
vr_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# vr_prefix_setup DIR: private install of PostgreSQL plus this build of vecrbac.
vr_prefix_setup() {
    local prefix=$1 src
    rm -rf "$prefix"
    mkdir -p "$prefix"
    for src in "$PG_BINDIR_SYSTEM/.." "$PG_SHAREDIR_SYSTEM"; do
        src=$(cd "$src" && pwd)
        mkdir -p "$prefix$(dirname "$src")"
        cp -al "$src" "$prefix$src" 2>/dev/null || cp -a "$src" "$prefix$src"
    done
    make -s install DESTDIR="$prefix" >/dev/null
    # Citus, when scripts/build_citus.sh has staged it (test/tap/017_citus.pl, 018 and 023 skip without)
    local citus=${VR_CITUS_PREFIX:-/var/cache/vecrbac/citus-v13.2.2}
    if [[ -f $citus/.complete ]]; then cp -a "$citus/usr" "$prefix/"; fi
    export VR_PREFIX=$prefix
    export VR_BINDIR=$prefix$(cd "$PG_BINDIR_SYSTEM" && pwd)
    export PATH="$VR_BINDIR:$PATH"
}

# vr_cluster_start DATADIR PORT [extra postgresql.conf lines...]
vr_cluster_start() {
    local data=$1 port=$2
    shift 2
    vr_pg_dir "$(dirname "$data")"
    rm -rf "$data"
    vr_as_pg "$VR_BINDIR/initdb" -D "$data" -U postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 >"$data.initdb.log" 2>&1 ||
        { cat "$data.initdb.log"; return 1; }
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$data'"
        echo "max_connections = 60"
        echo "shared_buffers = 256MB"
        echo "maintenance_work_mem = 256MB"
        echo "log_min_messages = warning"
        echo "log_line_prefix = '%m [%p] %q%a '"
        local line
        for line in "$@"; do echo "$line"; done
    } | vr_as_pg tee -a "$data/postgresql.conf" >/dev/null
    vr_as_pg "$VR_BINDIR/pg_ctl" -D "$data" -l "$data.log" -w -t 60 start >/dev/null ||
        { cat "$data.log"; return 1; }
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres
}

# vr_cluster_stop DATADIR
vr_cluster_stop() {
    local data=$1
    [[ -f "$data/postmaster.pid" ]] || return 0
    vr_as_pg "$VR_BINDIR/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
}
