#!/bin/bash
# docker/Dockerfile installs packages that exist in Debian 12, its build stage only -dev packages
# .ci/install-deps also installs, and its runtime stage every package whose shared library the
# built binary loads (ldd, mapped with dpkg -S), bar the base image's own.
#   Usage: dockerfile_packages_test.sh DOCKERFILE INSTALL_DEPS PGROUTE
set -euo pipefail
dockerfile=$1
install_deps=$2
pgroute=$3
# In every debian:12 image: apt itself depends on them.
base_packages="libc6 libgcc-s1 libstdc++6"

# The packages of each stage's `apt-get install`, one a line; stage 1 is build, 2 runtime.
stage_packages() {
  awk -v stage="$1" '/^FROM /{n++} n==stage' "$dockerfile" | sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' \
    | grep -o 'apt-get install[^&]*' | tr ' ' '\n' | grep -vE '^(apt-get|install|-.*|)$' | sort -u
}
build=$(stage_packages 1)
runtime=$(stage_packages 2)
[[ -n $build && -n $runtime ]] || { echo "no apt-get install found in both stages of $dockerfile"; exit 1; }

failed=0
if ! apt-cache policy 2>/dev/null | grep bookworm >/dev/null; then
  echo "apt has no bookworm lists (apt-get update first): cannot check the packages exist"
  exit 1
fi
for pkg in $build $runtime; do
  if apt-cache show "$pkg" >/dev/null 2>&1; then
    echo "in Debian 12: $pkg"
  else
    echo "NOT in Debian 12: $pkg"
    failed=1
  fi
done
for pkg in $build; do
  [[ $pkg == *-dev ]] || continue
  grep -qw -- "$pkg" "$install_deps" || { echo "build stage has $pkg, .ci/install-deps does not"; failed=1; }
done

needed=$(ldd "$pgroute" | awk '/=> \//{print $3}' | while read -r lib; do
  dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib"
done | cut -d: -f1 | sort -u)
for pkg in $needed; do
  if grep -qxF "$pkg" <<<"$runtime"; then
    echo "runtime has what pgroute loads: $pkg"
  elif [[ " $base_packages " == *" $pkg "* ]]; then
    echo "in the base image: $pkg"
  else
    echo "pgroute loads a library of $pkg, the runtime stage does not install it"
    failed=1
  fi
done
exit "$failed"
