# shellcheck shell=bash disable=SC2034  # dest, prefix and etc are for the sourcing test
# Sourced by the install tests: `cmake --install BUILD` into a fresh DESTDIR, and where the
# install's paths land in it. Usage: install_into BUILD_DIR; then $dest, $prefix, $etc are set.
install_into() {
  local build_dir=$1
  dest=$(mktemp -d "${TMPDIR:-/tmp}/pgroute-install.XXXXXX")
  trap 'rm -rf "$dest"' EXIT
  DESTDIR=$dest cmake --install "$build_dir" >/dev/null
  prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build_dir/CMakeCache.txt")
  # GNUInstallDirs puts etc under the prefix except for /usr, whose config lives in /etc.
  if [[ $prefix == /usr ]]; then etc=/etc; else etc=$prefix/etc; fi
}
