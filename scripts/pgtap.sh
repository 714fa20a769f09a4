#!/usr/bin/env bash
# The pgTAP suite: migrate and seed the database the sandbox made, then run every file of
# Tests/sql, each in its own copy of that database, so that no file depends on what
# another left behind (a locked account, a session, a revoked consent).
# Run as: .build/debug/ward sandbox -- bash scripts/pgtap.sh
set -euo pipefail
ward=${WARD_BIN:-.build/debug/ward}
# The demo's sensitive fields are sealed with data keys wrapped by a master key of its own.
keydir=$(mktemp -d)
trap 'rm -rf "$keydir"' EXIT
export WARD_KEY_FILE=$keydir/master.key
"$ward" keys init >/dev/null
"$ward" migrate --dsn "$WARD_ADMIN_DSN" >/dev/null
"$ward" seed --dsn "$WARD_ADMIN_DSN" --demo >/dev/null
psql -qc 'CREATE EXTENSION IF NOT EXISTS pgtap'
seeded=$PGDATABASE
failed=()
files=(Tests/sql/*.sql)
for f in "${files[@]}"; do
    copy="tap_$(basename "$f" .sql)"
    psql -qd postgres -c "CREATE DATABASE \"$copy\" TEMPLATE \"$seeded\""
    PGDATABASE=$copy pg_prove "$f" || failed+=("$f")
    psql -qd postgres -c "DROP DATABASE \"$copy\""
done
echo "pgTAP: ${#files[@]} files, ${#failed[@]} failed ${failed[*]}"
[ ${#failed[@]} -eq 0 ]
