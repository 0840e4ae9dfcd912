#!/bin/bash
# `pgroute --version` names the project version and the git revision it was built from: 7 or
# more hex digits (with -dirty for uncommitted changes), or "unknown" outside a checkout.
#   Usage: version_test.sh PGROUTE PROJECT_VERSION
set -euo pipefail
out=$("$1" --version)
pattern="^pgroute ${2//./\\.} \\(git ([0-9a-f]{7,}(-dirty)?|unknown)\\)$"
if [[ $out =~ $pattern ]]; then
  echo "ok: $out"
else
  echo "unexpected: '$out' (wanted $pattern)"
  exit 1
fi
