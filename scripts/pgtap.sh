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
# The rules of `ward verify`, for Tests/sql/catalog_rules.sql: the same files, loaded into
# a schema ward_app cannot reach.
psql -q -v ON_ERROR_STOP=1 -c 'CREATE SCHEMA tap_rules' \
    -c 'CREATE TABLE tap_rules.rules (name text PRIMARY KEY, description text NOT NULL, sql text NOT NULL)' \
    -c 'CREATE TABLE tap_rules.allowlist (rule text NOT NULL, subject text NOT NULL, reason text NOT NULL)'
for f in Sources/WardCore/Rules/*.sql; do
    echo "INSERT INTO tap_rules.rules VALUES (:'name', :'description', :'body');" \
        | psql -q -v ON_ERROR_STOP=1 -v name="$(sed -n '1s/^-- rule: //p' "$f")" \
               -v description="$(sed -n '2s/^-- //p' "$f")" -v body="$(cat "$f")"
done
echo "INSERT INTO tap_rules.allowlist
      SELECT btrim(split_part(l, '|', 1)), btrim(split_part(l, '|', 2)), btrim(substring(l FROM '^[^|]*[|][^|]*[|](.*)$'))
        FROM regexp_split_to_table(:'list', E'\\n') l WHERE l !~ '^[[:space:]]*(#|$)';" \
    | psql -q -v ON_ERROR_STOP=1 -v list="$(cat Sources/WardCore/Rules/allowlist.txt)"
seeded=$PGDATABASE
failed=()
# PGTAP_FILES picks some files (make test-dates runs those that read the time).
files=(${PGTAP_FILES:-Tests/sql/*.sql})
for f in "${files[@]}"; do
    copy="tap_$(basename "$f" .sql)"
    psql -qd postgres -c "CREATE DATABASE \"$copy\" TEMPLATE \"$seeded\""
    # A copy starts with PostgreSQL's default database privileges (PUBLIC may create
    # temporary tables): the roles file, run again on it as on every database Ward
    # migrates, sets them.
    psql -qd "$copy" -v ON_ERROR_STOP=1 -f Sources/WardCore/Schema/00_roles.sql >/dev/null
    PGDATABASE=$copy pg_prove "$f" || failed+=("$f")
    psql -qd postgres -c "DROP DATABASE \"$copy\""
done
echo "pgTAP: ${#files[@]} files, ${#failed[@]} failed ${failed[*]}"
[ ${#failed[@]} -eq 0 ]
