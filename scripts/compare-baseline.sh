#!/usr/bin/env bash
# Compares the baseline (Sources/WardCore/Schema/) with the schema the old migrations
# 0001-0020 built (taken from git at OLD_COMMIT, d61735e by default, with that commit's
# bootstrap roles). Each is built in a throwaway cluster of its own, as `ward migrate`
# builds it (roles as the administrator, the rest as ward_owner in one transaction per
# script), then dumped (pg_dump --schema-only, pg_dumpall --roles-only), normalised and
# diffed. Normalising drops comments, folds whitespace inside function bodies and sorts
# the column lines of each CREATE TABLE (the baseline puts columns that migrations added
# at the end where they belong). Prints the diff; exits 0 either way unless a build fails.
#
#   bash scripts/compare-baseline.sh            (root runs the servers as postgres)
#   KEEP=1 bash scripts/compare-baseline.sh     (keeps the dumps in the printed folder)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
old_commit=${OLD_COMMIT:-d61735e}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
    for c in old new; do
        [ -f "$work/$c/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$work/$c/data" -m immediate stop >/dev/null 2>&1 || true
    done
    if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "dumps kept in $work" >&2; fi
}
trap cleanup EXIT

start() {  # start NAME: a cluster with its socket in $work/NAME, database ward
    mkdir -p "$work/$1/data" "$work/$1/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres "$work/$1"
    as_pg "$bin/initdb" -A trust -E UTF8 --locale=C.UTF-8 -U postgres -D "$work/$1/data" >/dev/null
    as_pg "$bin/pg_ctl" -D "$work/$1/data" -w -l "$work/$1/log" \
        -o "-c listen_addresses='' -k $work/$1/sock" start >/dev/null
    as_pg "$bin/psql" -qX -h "$work/$1/sock" -U postgres -d postgres -c 'CREATE DATABASE ward' >/dev/null
}
psql_in() {  # psql_in NAME [psql args]: runs a script from stdin, stops at the first error
    local c=$1; shift
    as_pg "$bin/psql" -qX -v ON_ERROR_STOP=1 -h "$work/$c/sock" -U postgres -d ward "$@" >/dev/null
}
as_owner() {  # as_owner NAME: stdin as ward_owner in one transaction, as the Migrator does
    { echo 'BEGIN; SET LOCAL ROLE ward_owner;'; cat; echo; echo 'COMMIT;'; } | psql_in "$1"
}

# The old schema: the bootstrap string of Migrator.swift, then each migration file.
start old
git -C "$root" show "$old_commit:Sources/WardCore/Migrator.swift" \
    | awk '/static let bootstrap = """/ { f = 1; next } f && /^        """/ { exit } f' \
    | sed 's/^        //' | psql_in old
for f in $(git -C "$root" ls-tree --name-only "$old_commit" Sources/WardCore/Migrations/ | sort); do
    git -C "$root" show "$old_commit:$f" | as_owner old
done

# The baseline: the roles file as the administrator, then every other file in order.
start new
psql_in new < "$root/Sources/WardCore/Schema/00_roles.sql"
ls "$root"/Sources/WardCore/Schema/[0-9]*.sql | sort | grep -v '/00_roles.sql$' | xargs cat | as_owner new

normalise() {
    python3 -c '
import re, sys
text = sys.stdin.read()
# Function bodies: drop -- comments, fold whitespace.
def body(m):
    b = re.sub(r"--[^\n]*", "", m.group(2))
    return m.group(1) + " ".join(b.split()) + m.group(3)
text = re.sub(r"(\$(?:_|[a-z]*)\$)(.*?)(\1)", body, text, flags=re.S)
out, table = [], None
for line in text.split("\n"):
    if line.startswith("--") or line.startswith("\\restrict") or line.startswith("\\unrestrict") or not line.strip():
        continue
    if table is not None:
        if line.startswith(")"):
            out += sorted(l.rstrip(",") for l in table)
            out.append(line); table = None
        else:
            table.append(line.strip())
        continue
    out.append(line)
    if line.startswith("CREATE TABLE ") and line.endswith("("):
        table = []
# Privileges: pg_dump lists column grants in column order; sort each run of them.
final, run = [], []
for line in out + [""]:
    if line.startswith(("GRANT ", "REVOKE ")):
        run.append(line); continue
    final += sorted(run); run = []
    final.append(line)
print("\n".join(final).rstrip("\n"))
'
}
# The clock: every read of the application's time became ward.now(). Shown apart, so the
# first diff holds only the other changes.
clock() { sed -E 's/ward\.now\(\)(::date)?|(pg_catalog\.)?now\(\)|(pg_catalog\.)?clock_timestamp\(\)|CURRENT_DATE/<clock>/g'; }
for c in old new; do
    as_pg "$bin/pg_dump" --schema-only -h "$work/$c/sock" -U postgres -d ward | normalise > "$work/$c.schema"
    as_pg "$bin/pg_dumpall" --roles-only -h "$work/$c/sock" -U postgres | normalise > "$work/$c.roles"
    clock < "$work/$c.schema" > "$work/$c.schema-clock"
done
echo "== roles (pg_dumpall --roles-only): old migrations vs baseline =="
diff -u "$work/old.roles" "$work/new.roles" && echo "(no difference)"
echo "== schema (pg_dump --schema-only), every clock call read as <clock>: old migrations vs baseline =="
diff -u "$work/old.schema-clock" "$work/new.schema-clock" && echo "(no difference)"
echo "== the clock: objects whose only change is now()/clock_timestamp()/CURRENT_DATE -> ward.now() =="
python3 -c '
import sys
for st in open(sys.argv[1]).read().split(";\n"):
    if "ward.now()" in st: print("  " + st.strip().split("\n")[0][:110])
' "$work/new.schema" | sort -u
exit 0
