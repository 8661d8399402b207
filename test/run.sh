#!/usr/bin/env bash
# The test suite with everything it needs, on a fresh Debian machine (as root):
# installs the system packages the tests use, starts a Docker Engine when none answers,
# runs `npm test` (build, lint, unit, corpus, contract and end-to-end tests), and stops the
# Docker Engine it started, also when the tests fail.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

packages=(docker.io cgroupfs-mount busybox-static docker-registry attr crun runc conmon catatonit golang-github-containers-common iproute2 iptables procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test/run.sh: please install ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "== installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The package must not start a daemon of its own: the tests start and stop theirs.
  policy_rc_created=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_rc_created=1
  fi
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  if [ "$policy_rc_created" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

echo "== Docker Engine for the tests"
trap 'node "$repo/test/cleanup-embedded.mjs" || true; "$repo/examples/docker-engine.sh" stop' EXIT
"$repo/examples/docker-engine.sh" start
DOCKER_HOST="$("$repo/examples/docker-engine.sh" host)"
export DOCKER_HOST

echo "== npm test"
npm test
