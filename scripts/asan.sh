#!/usr/bin/env bash
# asan.sh: vecrbac built with AddressSanitizer and UndefinedBehaviorSanitizer, run
# under the whole pg_regress schedule and the isolation specs; fails on any
# sanitizer report (or server crash) in the server log.
#
#   scripts/asan.sh            build, install, run, check (what `make asan-check` runs)
#   VR_ASAN_KEEP=1 ...         leave the cluster's data and log in tmp_check/asan
#
# How: the sources are copied to tmp_check/asan/tree and built there with g++
# -fsanitize=address,undefined (so the normal build's objects are untouched),
# installed into a private PostgreSQL copy of their own (tmp_check/asan/install),
# and a throwaway cluster is started with the ASan runtime preloaded into every
# server process (PostgreSQL itself is not instrumented, and the ASan runtime must
# be loaded before any other library; test/asan/nls_shim.c works around a hang at
# startup). LeakSanitizer is off: backends exit with
# memory contexts still allocated by design. UBSan stops at the first report.
#
# What ASan can see here: accesses outside malloc'd blocks, use after free of
# malloc'd memory, stack and global overflows in vecrbac's code. PostgreSQL's
# allocator carves small palloc chunks out of 8 kB blocks without telling ASan, so
# an overflow that stays inside such a block goes unseen; chunks above 8 kB are
# malloc'd one by one and are fully checked (this is how a use after free of a
# growing TID set was found).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source scripts/lib/cluster.sh

ASAN_DIR=$ROOT/tmp_check/asan
TREE=$ASAN_DIR/tree
LIBASAN=$(gcc -print-file-name=libasan.so)
LIBASAN=$(readlink -f "$LIBASAN")
SAN_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"

vr_log "asan: build with $SAN_FLAGS"
rm -rf "$ASAN_DIR"
mkdir -p "$TREE"
cp -a Makefile vecrbac.control sql src companion "$TREE"/
rm -f "$TREE"/src/*.o "$TREE"/src/*/*.o "$TREE"/*.so
# -O1 keeps reports readable and the build quicker; -Werror as in CI.
(cd "$TREE" && make -s -j"$(nproc)" WERROR=1 VR_EXTRA_CXXFLAGS="$SAN_FLAGS -O1" \
    VR_EXTRA_LDFLAGS="-fsanitize=address,undefined" >"$ASAN_DIR/build.log" 2>&1) ||
    { tail -50 "$ASAN_DIR/build.log"; echo "asan: build failed"; exit 1; }
ldd "$TREE/vecrbac.so" >"$ASAN_DIR/ldd.txt"; grep -q libasan "$ASAN_DIR/ldd.txt" || { echo "asan: vecrbac.so is not linked with libasan"; exit 1; }

pushd "$TREE" >/dev/null && vr_prefix_setup "$ASAN_DIR/install" && popd >/dev/null || exit 1
vr_pg_dir "$ASAN_DIR/out"

# See test/asan/nls_shim.c: without it, postgres hangs in main() under the runtime.
gcc -shared -fPIC -O2 -o "$ASAN_DIR/nls_shim.so" test/asan/nls_shim.c || exit 1
chmod 755 "$ASAN_DIR" "$ASAN_DIR/nls_shim.so"

DATA=$ASAN_DIR/cluster/data
PORT=$(vr_free_port)
SAN_ENV=(
    LD_PRELOAD="$LIBASAN $ASAN_DIR/nls_shim.so"
    ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_odr_violation=0:print_summary=1"
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
)
# initdb runs without the runtime (nothing of ours is loaded there); the server with it.
vr_pg_dir "$(dirname "$DATA")"
vr_as_pg "$VR_BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$DATA.initdb.log" 2>&1 || { cat "$DATA.initdb.log"; exit 1; }
{
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PORT"
    echo "unix_socket_directories = '$DATA'"
    echo "shared_buffers = 128MB"
    echo "max_connections = 30"
    echo "log_line_prefix = '%m [%p] '"
    echo "restart_after_crash = off"
    echo "autovacuum = off" # as in test.sh: nothing changes plans or pages between statements
    echo "jit = off"        # as in test.sh: no compiling for plans that disable sequential scans
} | vr_as_pg tee -a "$DATA/postgresql.conf" >/dev/null
LOG=$DATA.log
vr_as_pg env "${SAN_ENV[@]}" "$VR_BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 120 start >/dev/null ||
    { cat "$LOG"; exit 1; }
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
stop() { vr_as_pg "$VR_BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 || true; }
trap stop EXIT

status=0
vr_log "asan: pg_regress schedule"
stage=$ASAN_DIR/out/regress
vr_pg_dir "$stage"
ln -sfn "$ROOT/test/sql" "$stage/sql"
ln -sfn "$ROOT/expected" "$stage/expected"
vr_as_pg "$PG_REGRESS" --bindir="$VR_BINDIR" --host=127.0.0.1 --port="$PORT" --user=postgres \
    --dbname=vecrbac_asan --inputdir="$stage" --outputdir="$stage" --schedule="$ROOT/test/schedule" ||
    { head -100 "$stage/regression.diffs" 2>/dev/null; status=1; }

specs=("$ROOT"/test/isolation/*.spec)
if [[ -e "${specs[0]}" ]]; then
    vr_log "asan: isolation specs"
    stage=$ASAN_DIR/out/isolation
    vr_pg_dir "$stage"
    ln -sfn "$ROOT/test/isolation" "$stage/specs"
    ln -sfn "$ROOT/expected" "$stage/expected"
    names=()
    for s in "${specs[@]}"; do names+=("$(basename "$s" .spec)"); done
    vr_as_pg "$PG_ISOLATION_REGRESS" --host=127.0.0.1 --port="$PORT" --user=postgres \
        --dbname=vecrbac_asan_iso --inputdir="$stage" --outputdir="$stage" "${names[@]}" ||
        { head -100 "$stage/output_iso/regression.diffs" 2>/dev/null; status=1; }
fi

stop
trap - EXIT

vr_log "asan: server log"
if grep -nE "AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|LeakSanitizer|SUMMARY: .*Sanitizer|terminated by signal|was terminated by" "$LOG" >"$ASAN_DIR/reports.txt"; then
    echo "asan: sanitizer reports or crashes in $LOG:"
    head -60 "$ASAN_DIR/reports.txt"
    grep -nA40 -m1 "ERROR: AddressSanitizer\|runtime error:" "$LOG" | head -80
    status=1
else
    echo "asan: no sanitizer report in $(wc -l <"$LOG") lines of server log"
fi
[[ "${VR_ASAN_KEEP:-0}" == 1 ]] || rm -rf "$ASAN_DIR/install" "$TREE"
exit $status
