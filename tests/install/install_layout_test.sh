#!/bin/bash
# `cmake --install` puts the binary, pgroute(1), the systemd unit and the example configs where
# Debian would, and a first install gets a config in etc/pgroute.  Usage: install_layout_test.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/install/install_into.sh
source "$(dirname "$0")/install_into.sh"
install_into "$1"

failed=0
for path in \
  "$prefix/bin/pgroute" \
  "$prefix/share/man/man1/pgroute.1" \
  "$prefix/lib/systemd/system/pgroute.service" \
  "$prefix/share/doc/pgroute/examples/pgroute.yaml" \
  "$prefix/share/doc/pgroute/examples/pgroute-minimal.yaml" \
  "$prefix/share/doc/pgroute/examples/pgroute-seeds.yaml" \
  "$etc/pgroute/pgroute.yaml"; do
  if [[ -f $dest$path ]]; then echo "installed: $path"; else echo "MISSING: $path"; failed=1; fi
done
[[ -x $dest$prefix/bin/pgroute ]] || { echo "not executable: $prefix/bin/pgroute"; failed=1; }
# The unit runs what was installed, with the config that was installed.
unit=$dest$prefix/lib/systemd/system/pgroute.service
grep -qx "ExecStart=$prefix/bin/pgroute -c $etc/pgroute/pgroute.yaml" "$unit" \
  || { echo "ExecStart does not name $prefix/bin/pgroute and $etc/pgroute/pgroute.yaml"; failed=1; }
# Every installed example passes the installed binary's own check.
for example in "$dest$prefix"/share/doc/pgroute/examples/*.yaml; do
  "$dest$prefix/bin/pgroute" --check -c "$example" >/dev/null || { echo "--check failed: $example"; failed=1; }
done
exit "$failed"
