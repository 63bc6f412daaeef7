# shellcheck shell=bash
# Helpers shared by scripts/test and scripts/demo. Source it, do not execute it:
#
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# What it provides:
#   RELOCATE_ROOT            absolute path of the repository root
#   PG_CONFIG                the pinned pg_config of PostgreSQL 15 (/usr/bin/pg_config is a wrapper
#                            that picks the newest installed server-dev, so it is never used);
#                            RELOCATE_PG_CONFIG overrides it, e.g. with the pg_config of a private
#                            copy of the PostgreSQL 15 tree, so that two checkouts can install and
#                            test side by side without overwriting each other's relocate.so
#   log_step MSG...          print a step banner with the seconds elapsed since the script started
#   die MSG...               print an error and exit 1
#   at_exit 'COMMAND'        run COMMAND when the script exits (last registered runs first)
#   install_deps             apt-get install whatever is missing (fast no-op when all is present)
#   build_and_install        PGXS build + install of the extension
#   start_cluster            initdb + start a throwaway server on a private Unix socket, export PG*
#                            (RELOCATE_PG_SERVER_OPTIONS: more server options, e.g. "-c shared_buffers=16MB")
#   stop_cluster             stop it and delete its directory (also done automatically at exit)
#   cluster_log_tail [N]     last N lines of the throwaway server's log
#   cluster_crash_lines      server log lines reporting a crashed backend (empty when none)
#   pg_bin TOOL              path of a PostgreSQL 15 client program (psql, createdb, ...)
#
# The functions return non-zero on failure instead of exiting, so callers can decide whether a
# failure is fatal (scripts/demo) or just counted (scripts/test). Note that bash disables `set -e`
# inside a function called from an `if`/`||` context, so every step below checks its own status.

if [[ -n ${_RELOCATE_LIB_LOADED:-} ]]; then
    return 0
fi
_RELOCATE_LIB_LOADED=1

RELOCATE_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
PG_CONFIG=${RELOCATE_PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}

# The throwaway server listens only on a Unix socket in its own private directory
# (listen_addresses=''), so this port cannot clash with another server: it only names the socket.
RELOCATE_PGPORT=55432

# Everything needed to build and test on Debian 12. citext (used by the Sentry schema) ships in
# postgresql-15 itself there (/usr/share/postgresql/15/extension/citext.control), so
# postgresql-contrib is not needed. PGXS and pg_regress come with postgresql-client-15, the server
# headers with postgresql-server-dev-15. test/encrypted/encrypt-export needs the openssl command
# line (libssl-dev does not bring it), and bzip2 / xz-utils for its --compress bz2|xz (priority
# "standard", so absent from minimal images); tar, gzip and coreutils are always installed.
# clang-format and clang-tidy: the code checks (scripts/lint). libpq-dev: test/bench/sentry_pattern,
# the benchmark's libpq client (test/bench/run).
RELOCATE_APT_PACKAGES=(
    postgresql-15 postgresql-client-15 postgresql-server-dev-15
    rapidjson-dev libssl-dev libarchive-dev zlib1g-dev libgtest-dev
    cmake g++ make python3
    openssl bzip2 xz-utils
    clang-format clang-tidy
    libpq-dev
)

# ---------------------------------------------------------------------------------------------
# Logging

log_step() {
    printf '\n==> [%4ds] %s\n' "$SECONDS" "$*"
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Exit hooks: one EXIT trap runs every registered hook, newest first, even after an error or
# Ctrl-C. A hook may set RELOCATE_EXIT_CODE to change the script's exit status; it can read the
# status the script was exiting with in RELOCATE_EXIT_STATUS.

_RELOCATE_EXIT_HOOKS=()

at_exit() {
    _RELOCATE_EXIT_HOOKS+=("$1")
}

_relocate_on_exit() {
    RELOCATE_EXIT_STATUS=$?
    local i
    set +e
    for ((i = ${#_RELOCATE_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
        eval "${_RELOCATE_EXIT_HOOKS[i]}"
    done
    exit "${RELOCATE_EXIT_CODE:-$RELOCATE_EXIT_STATUS}"
}

trap _relocate_on_exit EXIT
# Turn signals into a normal exit so that the EXIT trap (cluster shutdown, cleanup) runs.
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# ---------------------------------------------------------------------------------------------
# Dependencies

# Print the packages of "$@" that are not fully installed.
_missing_packages() {
    local pkg
    for pkg in "$@"; do
        if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) != "install ok installed" ]]; then
            printf '%s\n' "$pkg"
        fi
    done
}

# Print "version/name" of every PostgreSQL cluster that is online (Debian's postgresql-common).
_online_clusters() {
    if command -v pg_lsclusters >/dev/null 2>&1; then
        pg_lsclusters --no-header 2>/dev/null | awk '$4 == "online" { print $1 "/" $2 }'
    fi
}

install_deps() {
    local -a missing
    mapfile -t missing < <(_missing_packages "${RELOCATE_APT_PACKAGES[@]}")
    if ((${#missing[@]} == 0)); then
        echo "all ${#RELOCATE_APT_PACKAGES[@]} required packages are already installed"
        return 0
    fi
    echo "missing packages: ${missing[*]}"
    if ((EUID != 0)); then
        echo "error: installing packages needs root; run as root, or install them yourself:" >&2
        echo "  apt-get install ${missing[*]}" >&2
        return 1
    fi

    # On a machine where apt is allowed to start services, installing postgresql-15 creates and
    # starts the stock cluster 15/main. We only ever use our own throwaway cluster, so any cluster
    # that comes online during the install is stopped again afterwards.
    local before
    before=$(_online_clusters)

    local -a apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
    local log
    log=$(mktemp -t relocate-apt.XXXXXX) || return 1
    if [[ -z ${_RELOCATE_APT_UPDATED:-} ]]; then
        echo "apt-get update"
        if ! DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update >"$log" 2>&1; then
            cat "$log" >&2
            rm -f -- "$log"
            echo "error: apt-get update failed" >&2
            return 1
        fi
        _RELOCATE_APT_UPDATED=1
    fi
    echo "apt-get install ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install "${missing[@]}" >"$log" 2>&1; then
        tail -n 100 "$log" >&2
        rm -f -- "$log"
        echo "error: apt-get install failed" >&2
        return 1
    fi
    rm -f -- "$log"

    local cluster
    for cluster in $(_online_clusters); do
        if ! grep -qxF -- "$cluster" <<<"$before"; then
            echo "stopping cluster $cluster that apt started"
            pg_ctlcluster "${cluster%%/*}" "${cluster#*/}" stop || true
        fi
    done

    mapfile -t missing < <(_missing_packages "${RELOCATE_APT_PACKAGES[@]}")
    if ((${#missing[@]} != 0)); then
        echo "error: still not installed after apt-get install: ${missing[*]}" >&2
        return 1
    fi
    echo "installed."
}

# ---------------------------------------------------------------------------------------------
# Build

# PGXS build + install of the extension (the .so into the PostgreSQL 15 lib dir, control and
# SQL files into its extension dir; needs root for the install step).
build_and_install() {
    if [[ ! -x $PG_CONFIG ]]; then
        echo "error: $PG_CONFIG not found (postgresql-client-15 not installed?)" >&2
        return 1
    fi
    (
        cd -- "$RELOCATE_ROOT" &&
            make PG_CONFIG="$PG_CONFIG" -j2 &&
            make PG_CONFIG="$PG_CONFIG" install
    )
}

# Path of a PostgreSQL 15 program; falls back to the one on PATH if PostgreSQL 15 is absent.
pg_bin() {
    local bindir
    if [[ -x $PG_CONFIG ]] && bindir=$("$PG_CONFIG" --bindir) && [[ -x $bindir/$1 ]]; then
        printf '%s\n' "$bindir/$1"
    else
        printf '%s\n' "$1"
    fi
}

# ---------------------------------------------------------------------------------------------
# Throwaway cluster
#
# initdb refuses to run as root, so as root the server runs as user postgres (via runuser) in a
# private temporary directory owned by postgres, holding the data directory, the server log and
# the Unix socket. Clients (psql, pg_regress) stay root and connect through that socket with
# trust authentication as PGUSER=postgres. As a non-root user the server simply runs as that user.

RELOCATE_PGDIR=
RELOCATE_PGBIN=
_RELOCATE_CLUSTER_HOOKED=

# Run a server-side program as the cluster owner, from a directory it can read.
_as_pg() {
    if ((EUID == 0)); then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

start_cluster() {
    if [[ -n $RELOCATE_PGDIR ]]; then
        echo "error: a throwaway cluster is already running in $RELOCATE_PGDIR" >&2
        return 1
    fi
    if [[ ! -x $PG_CONFIG ]]; then
        echo "error: $PG_CONFIG not found (postgresql-15 not installed?)" >&2
        return 1
    fi
    RELOCATE_PGBIN=$("$PG_CONFIG" --bindir) || return 1

    # Register the shutdown before anything is created, so it happens whatever fails below.
    if [[ -z $_RELOCATE_CLUSTER_HOOKED ]]; then
        at_exit stop_cluster
        _RELOCATE_CLUSTER_HOOKED=1
    fi
    RELOCATE_PGDIR=$(mktemp -d -t relocate-pg.XXXXXX) || return 1
    local dir=$RELOCATE_PGDIR
    if ((EUID == 0)); then
        chown postgres:postgres -- "$dir" || return 1
        if ! runuser -u postgres -- test -w "$dir"; then
            echo "error: user postgres cannot write to $dir (is TMPDIR readable by postgres?)" >&2
            return 1
        fi
    fi

    # --no-sync and fsync=off: the cluster is thrown away, durability is irrelevant.
    if ! _as_pg "$RELOCATE_PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        echo "error: initdb failed" >&2
        return 1
    fi

    # No TCP at all; the socket and its lock file live in our private directory.
    # RELOCATE_PG_POSTGRES: the program pg_ctl starts instead of postgres (scripts/valgrind's wrapper).
    if ! _as_pg "$RELOCATE_PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "${RELOCATE_PG_START_TIMEOUT:-60}" -s \
        ${RELOCATE_PG_POSTGRES:+-p "$RELOCATE_PG_POSTGRES"} \
        -o "-k '$dir' -p $RELOCATE_PGPORT -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off ${RELOCATE_PG_SERVER_OPTIONS:-}" \
        start; then
        cluster_log_tail 50 >&2
        echo "error: the throwaway server did not start" >&2
        return 1
    fi

    export PGHOST=$dir PGPORT=$RELOCATE_PGPORT PGUSER=postgres PGDATABASE=postgres
    echo "throwaway cluster running: PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER"
}

stop_cluster() {
    local dir=$RELOCATE_PGDIR
    [[ -n $dir ]] || return 0
    if [[ -f $dir/data/postmaster.pid ]]; then
        if ! _as_pg "$RELOCATE_PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 -s stop; then
            echo "warning: fast shutdown failed, trying immediate shutdown" >&2
            if ! _as_pg "$RELOCATE_PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 -s stop; then
                # Last resort: kill our own postmaster by the PID in its lock file.
                local pid
                pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
                if [[ $pid =~ ^[0-9]+$ ]]; then
                    echo "warning: killing postmaster $pid" >&2
                    kill -KILL "$pid" 2>/dev/null || true
                    sleep 1
                fi
            fi
        fi
    fi
    rm -rf -- "$dir"
    RELOCATE_PGDIR=
    if [[ ${PGHOST:-} == "$dir" ]]; then
        unset PGHOST PGPORT PGUSER PGDATABASE
    fi
    echo "throwaway cluster stopped and removed"
}

cluster_log_tail() {
    local n=${1:-50}
    if [[ -n $RELOCATE_PGDIR && -f $RELOCATE_PGDIR/server.log ]]; then
        echo "--- server log (last $n lines) ---"
        tail -n "$n" -- "$RELOCATE_PGDIR/server.log"
        echo "--- end of server log ---"
    fi
}

# A backend that dies on a signal (segfault, abort) is logged by the postmaster as
# "server process (PID n) was terminated by signal 11: Segmentation fault".
cluster_crash_lines() {
    if [[ -n $RELOCATE_PGDIR && -f $RELOCATE_PGDIR/server.log ]]; then
        grep -F 'terminated by signal' -- "$RELOCATE_PGDIR/server.log" || true
    fi
}
