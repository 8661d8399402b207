#!/usr/bin/env bash
# Starts or stops a Docker daemon for the tests and the demo (CI uses it too).
#   docker-engine.sh start   use a daemon that already answers (never stopped by us), or start one
#   docker-engine.sh stop    stop the daemon only if `start` started it (by its recorded PID)
#   docker-engine.sh host    print the DOCKER_HOST the tests should use
# Environment (defaults suit CI):
#   BERTH_DOCKER_SOCK        socket of a daemon we start        (/var/run/docker.sock)
#   BERTH_DOCKER_ROOT        its --data-root                    (/var/lib/docker)
#   BERTH_DOCKER_STATE       PID, log and host files            (/tmp/berth-dockerd)
#   BERTH_DOCKERD_EXTRA_ARGS extra dockerd flags (word-split)   (empty)
#     A second daemon beside another one needs its own --exec-root and bridge; never pass
#     `--bridge none` on a host where another dockerd runs: it deletes the shared docker0.
#   BERTH_DOCKER_WAIT        seconds to wait for it to answer   (60)
set -euo pipefail

SOCK="${BERTH_DOCKER_SOCK:-/var/run/docker.sock}"
ROOT="${BERTH_DOCKER_ROOT:-/var/lib/docker}"
STATE="${BERTH_DOCKER_STATE:-/tmp/berth-dockerd}"
WAIT="${BERTH_DOCKER_WAIT:-60}"
PIDFILE="$STATE/dockerd.pid"
LOG="$STATE/dockerd.log"
HOSTFILE="$STATE/host"

answers() { # $1: DOCKER_HOST value
  DOCKER_HOST="$1" timeout 10 docker info >/dev/null 2>&1
}

start() {
  mkdir -p "$STATE"
  if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then
    echo "docker-engine: using the Docker Engine already answering at $DOCKER_HOST"
    echo "$DOCKER_HOST" > "$HOSTFILE"
    return 0
  fi
  if answers "unix://$SOCK"; then
    echo "docker-engine: using the Docker Engine already answering at unix://$SOCK"
    echo "unix://$SOCK" > "$HOSTFILE"
    return 0
  fi
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "docker-engine: dockerd $(cat "$PIDFILE") from an earlier start is alive but does not answer" >&2
    return 1
  fi
  rm -f "$SOCK"
  mkdir -p "$ROOT" "$(dirname "$SOCK")"
  # shellcheck disable=SC2086 # extra args are meant to be word-split
  nohup dockerd --host "unix://$SOCK" --data-root "$ROOT" --pidfile "$STATE/dockerd.self.pid" \
    ${BERTH_DOCKERD_EXTRA_ARGS:-} >"$LOG" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" > "$PIDFILE"
  echo "unix://$SOCK" > "$HOSTFILE"
  echo "docker-engine: started dockerd (pid $pid, socket $SOCK, data root $ROOT, log $LOG)"
  local waited=0
  until answers "unix://$SOCK"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "docker-engine: dockerd exited during startup; last log lines:" >&2
      tail -n 40 "$LOG" >&2 || true
      rm -f "$PIDFILE"
      return 1
    fi
    if [ "$waited" -ge "$WAIT" ]; then
      echo "docker-engine: dockerd did not answer within ${WAIT}s; last log lines:" >&2
      tail -n 40 "$LOG" >&2 || true
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "docker-engine: dockerd answers after ${waited}s: $(DOCKER_HOST="unix://$SOCK" docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
}

stop() {
  if [ ! -f "$PIDFILE" ]; then
    echo "docker-engine: no dockerd of ours to stop"
    return 0
  fi
  local pid
  pid="$(cat "$PIDFILE")"
  # A PID recorded by a crashed earlier run may belong to another process by now.
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" != "dockerd" ]; then
    echo "docker-engine: recorded pid $pid is not a running dockerd; nothing to stop"
    rm -f "$PIDFILE" "$HOSTFILE"
    return 0
  fi
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 30 ]; do
      sleep 1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "docker-engine: dockerd $pid ignored SIGTERM for 30s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PIDFILE" "$HOSTFILE"
  echo "docker-engine: stopped dockerd (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  host) cat "$HOSTFILE" ;;
  *) echo "usage: $0 start|stop|host" >&2; exit 2 ;;
esac
