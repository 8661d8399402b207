#!/usr/bin/env bash
# Makes the offline base image the examples build on: `berth-busybox:latest`, a root file
# system made of Debian's static BusyBox, imported into the Docker Engine (default) or into
# berth's embedded engine. No registry needed.
# Usage: examples/base-image.sh [--engine docker|embedded] [image-name]
set -euo pipefail
engine=docker
if [ "${1:-}" = "--engine" ]; then engine="${2:?--engine needs docker or embedded}"; shift 2; fi
image="${1:-berth-busybox:latest}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
busybox=/bin/busybox
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
  echo "base-image: $busybox is not a static BusyBox; install Debian's busybox-static (apt-get install busybox-static)" >&2
  exit 1
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,etc,tmp,root,var/www,usr/bin,usr/sbin,sbin,proc,sys,dev,run}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
case "$engine" in
  docker)
    tar -C "$root" -c . | docker import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'CMD ["sh"]' - "$image" >/dev/null ;;
  embedded)
    tar -C "$root" -c . | "$repo/bin/berth" image import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c 'CMD ["sh"]' - "$image" >/dev/null ;;
  *) echo "base-image: unknown engine $engine (docker or embedded)" >&2; exit 1 ;;
esac
echo "base-image: $image is ready ($engine engine)"
