#!/bin/bash
# A second `cmake --install` keeps an operator's edited etc/pgroute/pgroute.yaml, as dpkg keeps
# a changed conffile.  Usage: install_keeps_config_test.sh BUILD_DIR
set -euo pipefail
# shellcheck source=tests/install/install_into.sh
source "$(dirname "$0")/install_into.sh"
install_into "$1"
config=$dest$etc/pgroute/pgroute.yaml
echo "# edited by the operator" >>"$config"
DESTDIR=$dest cmake --install "$1" >/dev/null
if tail -n1 "$config" | grep -qx "# edited by the operator"; then
  echo "kept: $etc/pgroute/pgroute.yaml"
else
  echo "a reinstall overwrote $etc/pgroute/pgroute.yaml"
  exit 1
fi
