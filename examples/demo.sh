#!/usr/bin/env bash
# The main job on a fresh Debian machine (as root): bring up examples/fullstack on a Docker
# Engine with berth, show it answering, and take it down again.
#   examples/demo.sh          up, check, down (volumes removed)
#   examples/demo.sh --keep   leave the project running (stop it with: bin/berth -p fullstack down -v)
# Installs what it needs (docker.io, busybox-static) and starts a dockerd when none answers;
# a dockerd it started is stopped at the end. No container registry is needed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
berth="$repo/bin/berth"
project_dir="$repo/examples/fullstack"
keep=0
[ "${1:-}" = "--keep" ] && keep=1

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "demo: please install ${need[*]} (as root: apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "== installing ${need[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

if [ ! -f "$repo/dist/src/cli/main.js" ]; then
  echo "demo: berth is not built; run: npm ci && npm run build" >&2
  exit 1
fi

echo "== Docker Engine"
if [ "$keep" = 0 ]; then trap '"$repo/examples/docker-engine.sh" stop' EXIT; fi
"$repo/examples/docker-engine.sh" start
DOCKER_HOST="$("$repo/examples/docker-engine.sh" host)"
export DOCKER_HOST

echo "== base image (offline, from busybox-static)"
"$repo/examples/base-image.sh"

down() { "$berth" --project-directory "$project_dir" down -v -t 2 || true; }
[ "$keep" = 0 ] && trap 'down; "$repo/examples/docker-engine.sh" stop' EXIT

echo "== berth up -d --wait"
"$berth" --project-directory "$project_dir" up -d --wait --wait-timeout 120
"$berth" --project-directory "$project_dir" ps

web_port="$("$berth" --project-directory "$project_dir" port web 80)"
api_port="$("$berth" --project-directory "$project_dir" port api 8000)"
echo "== web answers on $web_port:"
busybox wget -q -O - "http://$web_port/" | head -3
echo "== api answers on $api_port:"
busybox wget -q -O - "http://$api_port/cgi-bin/health"
echo "== worker logs:"
"$berth" --project-directory "$project_dir" logs --tail 2 worker

if [ "$keep" = 1 ]; then
  echo "== left running; take it down with: $berth --project-directory $project_dir down -v"
else
  echo "== berth down -v"
fi
