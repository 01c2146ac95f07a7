#!/usr/bin/env bash
# test.sh: runs every vecrbac test suite against a throwaway cluster, from nothing.
#
#   scripts/test.sh            dependencies, build, lint (format and pure-core
#                              includes), unit tests, pg_regress, pgTAP, isolation,
#                              Perl TAP, ASan/UBSan schedule, client tests, fuzz smoke
#   VR_SKIP_DEPS=1 ...         skip the apt-get step (for quick local iterations)
#   VR_SUITES="regress pgtap"  run only the named suites
#   VR_TAP_TESTS="002_* 01[78]_*"  run only the TAP tests matching these globs
#   VR_TAP_JOBS=3              TAP tests run at once (default 3: they mostly wait on their
#                              servers and on psql; each has its own clusters and ports)
#   VR_REGRESS_TESTS="a b"     run only these pg_regress tests (in this order)
#   VR_PGVECTOR_SOURCE=DIR     a pgvector source (checkout or bare git repository): built
#                              into tmp_check/pgvector (scripts/build_pgvector.sh, ~15 s)
#                              so that the migration TAP tests (013, 014) also run against
#                              a live pgvector; VR_PGVECTOR_PREFIX names one already built.
#                              Without either they use the recorded dumps (test/data/pgvector)
#                              and 014 (in-place migration) is skipped.
#   VR_MIRRORS=DIR             where the tool library keeps repository snapshots
#                              (default /work/.mirror). When it holds pgvector's, that is
#                              VR_PGVECTOR_SOURCE unless one is given; when it holds Citus's,
#                              scripts/build_citus.sh stages Citus (~1 min, once per machine)
#                              so that the Citus TAP tests (017, 018) run. VR_MIRRORS=none:
#                              neither (those tests then skip, with a message).
#
# Exit status: non-zero if any suite failed. Logs and diffs stay in tmp_check/.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [[ "${VR_SKIP_DEPS:-0}" != 1 ]]; then
    scripts/deps.sh || exit 1
fi
# The asan and fuzz suites build against the system PostgreSQL (pg_config of the
# private copy would point at headers it does not have): they get the PATH from
# before the private install is put in front of it.
ORIG_PATH=$PATH
source scripts/lib/cluster.sh

SUITES=${VR_SUITES:-"lint unit regress pgtap isolation tap asan clients fuzz"}
TMP=$ROOT/tmp_check
FAILED=()
TIMES=() # "suite seconds" of each suite run, printed in the summary
want() { [[ " $SUITES " == *" $1 "* ]]; }
suite() { # suite NAME COMMAND...: runs one suite and records its outcome
    local name=$1
    shift
    vr_log "suite: $name"
    # in this shell, not a pipeline's subshell: fuzz_result waits for a child of this one.
    # The command gets the pipe as its stdout and stderr only (not as fd $out too), so
    # that a server it starts, whose output pg_ctl sends to a log, does not hold the pipe
    # open and keep tee waiting.
    local out tee_pid status start=$SECONDS
    exec {out}> >(tee "$TMP/suite_$name.log")
    tee_pid=$!
    "$@" >&"$out" 2>&1 {out}>&-
    status=$?
    exec {out}>&-
    wait "$tee_pid" # tee has written everything
    if ((status == 0)); then echo "-- $name: ok"; else echo "-- $name: FAILED"; FAILED+=("$name"); fi
    TIMES+=("$name $((SECONDS - start)) s")
}
# The lines of a failed suite's log that say why (diff lines, failures, sanitizer
# reports), repeated at the very end, where a CI page that shows only the last two dozen
# lines of the output has them: the first 16 (pg_regress names the failed tests first).
why_failed() {
    local name=$1
    echo "-- why $name failed (tmp_check/suite_$name.log):"
    grep -nE '^[-+][^-+]|^@@|FAIL|[Ff]ailed|not ok|Sanitizer|runtime error|terminated by signal|PANIC|TRAP' \
        "$TMP/suite_$name.log" | grep -v "^[0-9]*:-- " | head -16
}

vr_log "build"
make -s -j"$(nproc)" WERROR=1 >/dev/null || { echo "build failed"; make WERROR=1; exit 1; }

# ---- pgvector and Citus from snapshots, when this machine has them ----------------------
# Neither is packaged for Debian 12. Citus is staged before the private install below,
# which copies it in (vr_prefix_setup).
MIRRORS=${VR_MIRRORS:-/work/.mirror}
if [[ $MIRRORS != none ]] && want tap; then
    if [[ -z ${VR_PGVECTOR_SOURCE:-} && -d $MIRRORS/pgvector+pgvector/repo ]]; then
        export VR_PGVECTOR_SOURCE=$MIRRORS/pgvector+pgvector/repo
    fi
    if [[ -d $MIRRORS/citusdata+citus/repo ]]; then
        vr_log "citus from $MIRRORS/citusdata+citus/repo"
        log=$(mktemp)
        # Citus is a peer, not ours: if it cannot be built here, its tests skip (as
        # without a snapshot), and the log says why.
        if CITUS_GIT_DIR=$MIRRORS/citusdata+citus/repo env PATH="$ORIG_PATH" scripts/build_citus.sh >"$log" 2>&1; then
            tail -1 "$log"
        else
            cat "$log"
            echo "WARNING: Citus could not be built: 017 and 018 will skip"
        fi
        rm -f "$log"
    fi
fi

rm -rf "$TMP"
mkdir -p "$TMP"
vr_prefix_setup "$TMP/install"
vr_pg_dir "$TMP/out"

# ---- lint: clang-format of every C++ file, no server header in a pure core ----------
want lint && suite lint make -s lint

# ---- pure C++ unit tests ----------------------------------------------------------
want unit && suite unit make -s unittest

# ---- one shared cluster for pg_regress, pgTAP and isolation ----------------------------
PORT=$(vr_free_port)
DATA=$TMP/cluster/data
# No autovacuum: a VACUUM or ANALYZE of its own between two statements of a test would change
# the plans, statistics and index pages the expected outputs show (more likely the slower the
# server: under ASan a test runs 3-5 times longer). Tests that need one run it themselves.
# No JIT: a test that disables sequential scans to assert an index plan gives any other
# scan in the query (a subquery's) a cost of 10^10, far above jit_above_cost, and each
# such query then spends 50-90 ms compiling expressions (hnsw_version1 took 30 s, 2.7 s
# without; ivfflat_filter 47 s, 0.9 s). The tests about JIT turn it on themselves
# (hnsw_projection, rbac_jit).
vr_cluster_start "$DATA" "$PORT" "autovacuum = off" "jit = off" || exit 1
trap 'vr_cluster_stop "$DATA"' EXIT

run_regress() {
    local stage=$TMP/out/regress f name
    for f in "$ROOT"/test/sql/*.sql; do # every input must be scheduled
        name=$(basename "$f" .sql)
        grep -qE "^test:.*[[:space:]]$name([[:space:]]|\$)" "$ROOT/test/schedule" ||
            { echo "test/sql/$name.sql is not in test/schedule"; return 1; }
    done
    vr_pg_dir "$stage"
    ln -sfn "$ROOT/test/sql" "$stage/sql"
    ln -sfn "$ROOT/expected" "$stage/expected"
    vr_as_pg "$PG_REGRESS" --bindir="$VR_BINDIR" --host=127.0.0.1 --port="$PORT" \
        --user=postgres --dbname=vecrbac_regress --inputdir="$stage" --outputdir="$stage" \
        ${VR_REGRESS_TESTS:---schedule="$ROOT/test/schedule"} ||
        { cat "$stage/regression.diffs" 2>/dev/null | head -200; return 1; }
}

run_pgtap() {
    local files=("$ROOT"/test/pgtap/*.sql)
    [[ -e "${files[0]}" ]] || { echo "no pgTAP tests"; return 0; }
    vr_as_pg createdb -h 127.0.0.1 -p "$PORT" -U postgres vecrbac_pgtap || return 1
    vr_as_pg psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d vecrbac_pgtap \
        -c 'CREATE EXTENSION pgtap' || return 1
    vr_as_pg pg_prove -h 127.0.0.1 -p "$PORT" -U postgres -d vecrbac_pgtap "${files[@]}"
}

run_isolation() {
    local specs=("$ROOT"/test/isolation/*.spec) stage=$TMP/out/isolation names=()
    [[ -e "${specs[0]}" ]] || { echo "no isolation specs"; return 0; }
    vr_pg_dir "$stage"
    ln -sfn "$ROOT/test/isolation" "$stage/specs"
    ln -sfn "$ROOT/expected" "$stage/expected"
    local s
    for s in "${specs[@]}"; do names+=("$(basename "$s" .spec)"); done
    vr_as_pg "$PG_ISOLATION_REGRESS" --host=127.0.0.1 --port="$PORT" \
        --user=postgres --dbname=vecrbac_isolation --inputdir="$stage" --outputdir="$stage" \
        "${names[@]}" ||
        { cat "$stage/output_iso/regression.diffs" 2>/dev/null | head -200; return 1; }
}

want regress && suite regress run_regress
want pgtap && suite pgtap run_pgtap
want isolation && suite isolation run_isolation

vr_cluster_stop "$DATA"
trap - EXIT

# ---- fuzzers, in the background: each is one single-threaded process for a fixed time, and
# the TAP suites that run meanwhile mostly wait on their servers; the two share the 2 cores
# of a CI machine instead of running one after the other. Reported at the end.
FUZZ_PID=
if want fuzz && [[ -x "$ROOT/test/fuzz/run.sh" ]]; then
    vr_log "suite: fuzz (started in the background; its log is printed at the end)"
    (env PATH="$ORIG_PATH" nice -n 5 "$ROOT/test/fuzz/run.sh" >"$TMP/fuzz.log" 2>&1
     echo $? >"$TMP/fuzz.rc") &
    FUZZ_PID=$!
fi
fuzz_result() {
    wait "$FUZZ_PID"
    cat "$TMP/fuzz.log"
    [[ "$(cat "$TMP/fuzz.rc" 2>/dev/null)" == 0 ]]
}

# ---- Perl TAP: each test makes its own clusters (crash, replication) ---------------------
run_tap() {
    local tests=() patterns pattern matches
    read -ra patterns <<<"${VR_TAP_TESTS:-*}" # split on spaces, globbed below, not here
    for pattern in "${patterns[@]}"; do
        matches=("$ROOT"/test/tap/$pattern.pl)
        # A pattern that matches nothing is a typo, not a pass.
        [[ -e "${matches[0]}" ]] || { echo "no TAP test matches $pattern"; [[ -z "${VR_TAP_TESTS:-}" ]]; return; }
        tests+=("${matches[@]}")
    done
    vr_pg_dir "$TMP/out/tap"
    (cd "$TMP/out/tap" && vr_as_pg env TESTDIR="$TMP/out/tap" \
        PERL5LIB="$PG_PGXS_DIR/test/perl:$ROOT/test/tap/lib" PG_REGRESS="$PG_REGRESS" \
        VR_ROOT="$ROOT" prove -v --timer -j"${VR_TAP_JOBS:-3}" "${tests[@]}")
}
if want tap && [[ -n "${VR_PGVECTOR_SOURCE:-}" && -z "${VR_PGVECTOR_PREFIX:-}" ]]; then
    vr_log "pgvector from $VR_PGVECTOR_SOURCE"
    # Against the system PostgreSQL (the private copy has no headers), as asan and fuzz.
    if env PATH="$ORIG_PATH" scripts/build_pgvector.sh "$VR_PGVECTOR_SOURCE" "$TMP/pgvector" >"$TMP/pgvector.log" 2>&1; then
        export VR_PGVECTOR_PREFIX=$TMP/pgvector
    else
        cat "$TMP/pgvector.log"
        FAILED+=(pgvector-build)
    fi
fi
want tap && suite tap run_tap

# ---- the schedule again, against an ASan/UBSan build (scripts/asan.sh) ------------------
want asan && suite asan env PATH="$ORIG_PATH" "$ROOT/scripts/asan.sh"

# ---- real clients: provided by their own script when present ------------------------
if want clients && [[ -x "$ROOT/test/clients/run.sh" ]]; then
    suite clients "$ROOT/test/clients/run.sh"
fi

[[ -n $FUZZ_PID ]] && suite fuzz fuzz_result

vr_log "summary"
echo "seconds per suite: $(IFS=,; echo "${TIMES[*]}" | sed 's/,/, /g'); all: $SECONDS s"
if ((${#FAILED[@]})); then
    echo "FAILED suites: ${FAILED[*]}"
    for name in "${FAILED[@]}"; do why_failed "$name"; done
    exit 1
fi
echo "all suites passed: $SUITES"
