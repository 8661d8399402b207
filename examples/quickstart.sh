#!/usr/bin/env bash
# The main job on a fresh Debian machine (as root): bring up examples/quickstart on berth's
# embedded engine — no Docker daemon, no registry — and show it answering.
#   examples/quickstart.sh          install what is missing, import the base image, up -d --wait
#   examples/quickstart.sh --down   take the project down again (volumes removed)
# Environment: BERTH_ROOT (engine state, default /var/lib/berth), WEB_PORT (default 8080).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
berth="$repo/bin/berth"
project_dir="$repo/examples/quickstart"
run() { "$berth" --engine embedded --project-directory "$project_dir" "$@"; }

if [ "${1:-}" = "--down" ]; then
  run down -v -t 2
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "quickstart: the embedded engine needs root (rootless is not supported yet); run as root" >&2
  exit 1
fi
if [ ! -f "$repo/dist/src/cli/main.js" ]; then
  echo "quickstart: berth is not built; run: npm ci && npm run build" >&2
  exit 1
fi

# What the embedded engine runs on: an OCI runtime, the conmon supervisor, an init, the
# default seccomp profile, iproute2 and iptables; busybox-static makes the offline base image.
packages=(crun runc conmon catatonit golang-github-containers-common iproute2 iptables procps busybox-static)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! "$berth" image inspect berth-busybox:latest >/dev/null 2>&1; then
  echo "== base image (offline, from busybox-static)"
  "$repo/examples/base-image.sh" --engine embedded
fi

echo "== berth up -d --wait (embedded engine)"
run up -d --wait --wait-timeout 120
run ps

port="$(run port web 80)"
url="http://${port/0.0.0.0/127.0.0.1}/cgi-bin/hello"
echo "== web answers on $url:"
if command -v curl >/dev/null 2>&1; then curl -fsS "$url"; else busybox wget -q -O - "$url"; fi
echo "== it keeps running; take it down with: $0 --down"
