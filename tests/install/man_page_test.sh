#!/bin/bash
# pgroute(1) formats without a warning, and it and `pgroute --help` name the same subcommands
# and options, so neither can drift from the other.  Usage: man_page_test.sh PGROUTE MAN_PAGE
set -euo pipefail
pgroute=$1
page=$2
failed=0

if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
  if [[ -n $warnings ]]; then echo "groff warnings:"; echo "$warnings"; failed=1; fi
else
  echo "groff not found: the page's formatting is not checked"
fi

help=$("$pgroute" --help)
# The page's words as typed: roff's \- is a '-'; font changes are dropped.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$page")
subcommands_in() { grep -oE 'pgroute (status|migrate-haproxy|[a-z][a-z-]+[a-z])' | awk '{print $2}' | sort -u; }
joined() { tr '\n' ' ' <<<"$1" | sed 's/ $//'; }
options_in() { grep -oE '(^|[^a-zA-Z0-9-])--?[a-zA-Z][a-zA-Z-]*' | sed 's/^[^-]*//' | sort -u; }

# A subcommand is a word after "pgroute " in a synopsis line; the page's prose has other words
# after it ("pgroute sits ..."), so only the help's synopsis is read that way, and each of its
# subcommands must appear in the page's COMMANDS section and the other way round.
help_subcommands=$(sed -n '/^Usage:/,/^Options:/p' <<<"$help" | grep -E '^  pgroute [a-z]' | subcommands_in)
page_subcommands=$(sed -n '/^\.SH COMMANDS/,/^\.SH OPTIONS/p' <<<"$text" | grep -E '^\.B pgroute [a-z]' \
  | sed 's/^\.B //' | subcommands_in)
if [[ $help_subcommands != "$page_subcommands" ]]; then
  echo "subcommands differ: --help has [$(joined "$help_subcommands")], pgroute(1) has [$(joined "$page_subcommands")]"
  failed=1
fi

help_options=$(options_in <<<"$help")
page_options=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH SIGNALS/p' <<<"$text" | sed 's/^\.[A-Z]* //' | tr -d '"' | options_in)
for option in $help_options; do
  grep -qxF -- "$option" <<<"$page_options" || { echo "--help has $option, pgroute(1) does not"; failed=1; }
done
for option in $page_options; do
  grep -qxF -- "$option" <<<"$help_options" || { echo "pgroute(1) has $option, --help does not"; failed=1; }
done
[[ $failed == 0 ]] && echo "in step: subcommands [$(joined "$help_subcommands")], options [$(joined "$help_options")]"
exit "$failed"
