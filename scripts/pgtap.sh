#!/usr/bin/env bash
# The pgTAP suite: migrate and seed the database the sandbox made, then run every file of
# Tests/sql. Run as: .build/debug/ward sandbox -- bash scripts/pgtap.sh
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
# PGTAP_FILES picks some files (make test-dates runs those that read the time).
pg_prove --ext .sql ${PGTAP_FILES:-Tests/sql/}
