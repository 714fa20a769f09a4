#!/usr/bin/env bash
# `make test-install`: what `make install` installs has no developer command (bench,
# sandbox, ui-preview, demo). A release build is installed into a temporary DESTDIR and
# asked; the debug build, which must have them, is the control that the check can see one.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
make --no-print-directory install DESTDIR="$dest" PREFIX=/usr/local >"$dest.log" 2>&1 || { cat "$dest.log"; exit 1; }
rm -f "$dest.log"

fail=0
# Lists the subcommands `ward --help` names, one a line.
subcommands() { "$1" --help | sed -n '/^SUBCOMMANDS:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'; }
# True when the binary has the command (hidden ones too): its own usage line, not the
# default `ward ui` help that any unknown word gets.
has() { "$1" "$2" --help 2>&1 | grep -q "^USAGE: ward $2\b"; }

installed="$dest/usr/local/bin/ward"
listed=$(subcommands "$installed")
grep -qx migrate <<<"$listed" || { echo "control: the installed ward's help lists no 'migrate'"; fail=1; }
for cmd in bench sandbox ui-preview demo; do
  if grep -qx "$cmd" <<<"$listed"; then echo "the installed ward lists '$cmd'"; fail=1; fi
  if has "$installed" "$cmd"; then echo "the installed ward runs '$cmd'"; fail=1; fi
done

# Control: the debug build (tests, `make demo`) has every one of them.
debug=.build/debug/ward
if [ -x "$debug" ]; then
  # (bench, sandbox and ui-preview are hidden from its help, so they are run instead.)
  for cmd in bench sandbox ui-preview demo; do
    has "$debug" "$cmd" || { echo "control: the debug build has no '$cmd'"; fail=1; }
  done
  has "$debug" no-such-command && { echo "control: 'has' finds a command that does not exist"; fail=1; }
fi

[ "$fail" -eq 0 ] && echo "installed ward: no developer commands (bench, sandbox, ui-preview, demo)"
exit "$fail"
