#!/bin/bash
# The installed pgroute.service carries the keys README promises, and `systemd-analyze verify`
# (when installed; it needs no running systemd) finds nothing wrong in it, the man page its
# Documentation= names included.  Usage: systemd_unit_test.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/install/install_into.sh
source "$(dirname "$0")/install_into.sh"
install_into "$1"
unit=$dest$prefix/lib/systemd/system/pgroute.service

failed=0
for line in \
  "Type=notify" \
  "NotifyAccess=main" \
  "ExecStart=$prefix/bin/pgroute -c $etc/pgroute/pgroute.yaml" \
  "DynamicUser=yes" \
  "NoNewPrivileges=yes" \
  "ProtectSystem=strict" \
  "ProtectHome=yes" \
  "PrivateTmp=yes" \
  "ConfigurationDirectory=pgroute" \
  "Restart=on-failure" \
  "LimitNOFILE=65536"; do
  grep -qx -- "$line" "$unit" || { echo "missing: $line"; failed=1; }
done
# A reload checks the config first, so that `systemctl reload` fails on a broken one, then
# sends SIGHUP (README "Reload").
mapfile -t reloads < <(grep '^ExecReload=' "$unit")
# shellcheck disable=SC2016 # $MAINPID is systemd's, not the shell's
if [[ ${#reloads[@]} -ne 2 || ${reloads[0]} != *"/pgroute --check -c "* ||
  ${reloads[1]} != 'ExecReload=/bin/kill -HUP $MAINPID' ]]; then
  echo "ExecReload= is not the --check and the SIGHUP: ${reloads[*]}"
  failed=1
fi
# No capability: the default ports are unprivileged.
grep -q '^AmbientCapabilities=' "$unit" && { echo "AmbientCapabilities= is not needed"; failed=1; }

if ! command -v systemd-analyze >/dev/null; then
  echo "systemd-analyze not found: checked the unit's keys only, not verified"
  exit "$failed"
fi
# verify checks that the commands exist, so it reads a copy whose paths point into DESTDIR; it
# exits 0 on unknown keys and bad values, so any word it says is a failure.
verify_dir=$dest/verify
mkdir -p "$verify_dir"
sed "s#$prefix/bin/pgroute#$dest$prefix/bin/pgroute#g" "$unit" >"$verify_dir/pgroute.service"
if ! output=$(MANPATH=$dest$prefix/share/man systemd-analyze verify "$verify_dir/pgroute.service" 2>&1) \
  || [[ -n $output ]]; then
  echo "systemd-analyze verify:"
  echo "$output"
  failed=1
else
  echo "systemd-analyze verify: clean ($(systemd-analyze --version | head -n1))"
fi
exit "$failed"
