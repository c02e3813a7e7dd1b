#!/usr/bin/env bash
# Starts a private Docker daemon (Debian's docker.io 20.10, BuildKit included) for dockopt's
# build tests, without touching the host's own Docker setup: no iptables rules, no bridge
# (builds and containers use `--network host` or `--network none`), all state in one folder.
#
# Usage: bash scripts/start-dockerd.sh [--status | --stop]
#   (none)    start the daemon unless it already runs; print `DOCKER_HOST=unix://...`
#   --status  exit 0 and print `DOCKER_HOST=...` when the daemon runs and answers, else exit 1
#   --stop    stop the daemon (and the containerd it started) and wait for it to exit
#
# Environment:
#   DOCKOPT_DOCKERD_DIR  the daemon's state: data root, exec root, socket, pid file, log
#                        (default ~/.cache/dockopt/dockerd); images and the build cache stay
#                        there between runs
#
# Use the 20.10 client explicitly (`/usr/bin/docker`): a newer `docker` earlier on PATH
# refuses BuildKit builds without buildx. Example:
#   eval "$(bash scripts/start-dockerd.sh)"; export DOCKER_HOST
#   DOCKER_BUILDKIT=1 /usr/bin/docker build --network host -t localhost/app DIR
#   bash scripts/start-dockerd.sh --stop
set -euo pipefail

DIR=${DOCKOPT_DOCKERD_DIR:-$HOME/.cache/dockopt/dockerd}
DOCKERD=/usr/sbin/dockerd
DOCKER=/usr/bin/docker
# How long to wait for the daemon to answer, or to exit.
WAIT_SECONDS=60

die() {
    echo "start-dockerd: error: $*" >&2
    exit 1
}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
SOCK=$DIR/docker.sock
PIDFILE=$DIR/docker.pid
LOG=$DIR/dockerd.log
HOST=unix://$SOCK

# A unix socket path longer than 107 bytes cannot be bound.
((${#SOCK} < 100)) || die "state folder path too long for a socket: $DIR (set DOCKOPT_DOCKERD_DIR)"

daemon_pid() {
    local pid
    [[ -s $PIDFILE ]] || return 1
    pid=$(cat "$PIDFILE")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

answers() { DOCKER_HOST=$HOST "$DOCKER" version >/dev/null 2>&1; }

stop() {
    local pid
    if ! pid=$(daemon_pid); then
        echo "start-dockerd: not running" >&2
        return 0
    fi
    kill "$pid"
    # dockerd stops its containerd before it exits.
    for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || {
            echo "start-dockerd: stopped (pid $pid)" >&2
            return 0
        }
        sleep 0.1
    done
    die "dockerd (pid $pid) still runs after ${WAIT_SECONDS} s; see $LOG"
}

case ${1:-} in
    --stop)
        stop
        exit 0
        ;;
    --status)
        if daemon_pid >/dev/null && answers; then
            echo "DOCKER_HOST=$HOST"
            exit 0
        fi
        exit 1
        ;;
    "") ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument: $1 (try --help)" ;;
esac

[[ -x $DOCKERD && -x $DOCKER ]] || die "$DOCKERD or $DOCKER not found: run bash scripts/install-tools.sh"
[[ $(id -u) -eq 0 ]] || die "dockerd needs root"

if pid=$(daemon_pid); then
    if answers; then
        echo "start-dockerd: already running (pid $pid)" >&2
        echo "DOCKER_HOST=$HOST"
        exit 0
    fi
    # Alive but not answering yet: another start may be under way; wait for it below.
else
    rm -f "$PIDFILE" "$SOCK"
    mkdir -p "$DIR/data" "$DIR/exec"
    # setsid: the daemon outlives this script and its caller's process group.
    setsid "$DOCKERD" \
        --iptables=false --ip6tables=false --bridge=none \
        --data-root "$DIR/data" --exec-root "$DIR/exec" \
        -H "$HOST" --pidfile "$PIDFILE" \
        </dev/null >"$LOG" 2>&1 &
    pid=$!
fi

for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    if answers; then
        echo "start-dockerd: running (pid $pid), log in $LOG" >&2
        echo "DOCKER_HOST=$HOST"
        exit 0
    fi
    kill -0 "$pid" 2>/dev/null || die "dockerd exited; last lines of $LOG:
$(tail -n 20 "$LOG" 2>/dev/null)"
    sleep 0.1
done
die "dockerd (pid $pid) did not answer within ${WAIT_SECONDS} s; see $LOG"
