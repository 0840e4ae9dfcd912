#!/bin/bash
# The image's runtime stage without a Docker engine: debootstrap a Debian 12 minbase root, replay
# docker/Dockerfile's last stage in it (its RUN under chroot, its COPYs from a `cmake --install`
# and the source tree), then, as its USER: every library resolves, --check passes on the image's
# config, and pgroute serves the HEALTHCHECK. Needs root and a reachable Debian mirror; exits 77
# (skipped) without them.  Usage: rootfs_test.sh DOCKERFILE SOURCE_DIR BUILD_DIR
set -euo pipefail
dockerfile=$1
source_dir=$2
build_dir=$3
mirror=${PGROUTE_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [[ $(id -u) -ne 0 ]] || ! command -v debootstrap >/dev/null; then
  echo "skipped: needs root and debootstrap (apt-get install debootstrap)"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/pgroute-rootfs.XXXXXX")
root=$work/root
pid=
cleanup() {
  if [[ -n $pid ]]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The last stage's instructions, continuation lines joined.
runtime=$(awk '/^FROM /{n++} n==2' "$dockerfile" | sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}')
grep -q '^FROM debian:12' <<<"$runtime" || { echo "the runtime stage is not on debian:12"; exit 1; }

if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
  if grep -qiE 'resolve|connect|Failed getting release' "$work/debootstrap.log"; then
    echo "skipped: the Debian mirror $mirror is not reachable"; tail -n3 "$work/debootstrap.log"; exit 77
  fi
  echo "debootstrap failed:"; tail -n20 "$work/debootstrap.log"; exit 1
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"

while IFS= read -r run; do
  echo "RUN ${run:0:100}..."
  chroot "$root" /bin/sh -c "$run" >"$work/run.log" 2>&1 || { cat "$work/run.log"; exit 1; }
done < <(sed -n 's/^RUN //p' <<<"$runtime")

DESTDIR=$work/staging cmake --install "$build_dir" --prefix /usr >/dev/null  # the image's prefix
while read -r from src dst; do
  if [[ $from == --from=build ]]; then src=$work$src; else dst=$src; src=$source_dir/$from; fi
  mkdir -p "$(dirname "$root$dst")"
  cp -a "$src" "$root$dst"
done < <(sed -n 's/^COPY //p' <<<"$runtime")

user=$(sed -n 's/^USER //p' <<<"$runtime")
entry=/usr/bin/pgroute
as_user() { chroot --userspec="$user:$user" "$root" "$@"; }

if chroot "$root" ldd "$entry" | grep 'not found'; then echo "libraries missing in the image"; exit 1; fi
echo "libraries: all found"
as_user "$entry" --version
as_user "$entry" --check -c /etc/pgroute/pgroute.yaml

# The seeds' config needs db1..db4 to route; the HEALTHCHECK only needs the admin listener, so a
# static config on ports of its own stands in for it. Ports below the kernel's ephemeral range
# (32768-60999), where the other tests' client connections take ports at any moment (one did:
# "Address already in use" on 35142), as healthcheck_test.sh and tests/support/ports.cpp pick.
base=$((20000 + RANDOM % 12700))
cat >"$root/tmp/pgroute.yaml" <<YAML
endpoints:
  write: {listen: "127.0.0.1:$base", route: leader}
nodes:
  - {name: pg1, host: 127.0.0.1, port: $((base + 1)), role: primary}
admin:
  listen: 127.0.0.1:$((base + 2))
YAML
chmod 644 "$root/tmp/pgroute.yaml"
# chroot itself, not a function around it, so that $! is the pid that becomes pgroute.
chroot --userspec="$user:$user" "$root" "$entry" -c /tmp/pgroute.yaml >"$work/pgroute.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  as_user /usr/local/bin/pgroute-healthcheck $((base + 2)) 2>/dev/null && break
  sleep 0.1
done
if ! as_user /usr/local/bin/pgroute-healthcheck $((base + 2)); then
  echo "HEALTHCHECK failed in the image's root:"; cat "$work/pgroute.log"; exit 1
fi
echo "HEALTHCHECK: healthy, as user $user in a debootstrapped Debian 12"
