#!/usr/bin/env bash
# What the closed api costs per request (docs/adr/0011), on the demo data: the server time
# of each screen read by the old path (the view read under the session by a role holding
# ward_app's old grants, which is ward_api now) against the new one (ward_app calling the
# api function). 2,000 runs each, median and p95; the figures go to BENCHMARKS.md.
# Run as: .build/debug/ward sandbox -- bash scripts/api-cost.sh
set -euo pipefail
ward=.build/debug/ward
keydir=$(mktemp -d)
trap 'rm -rf "$keydir"' EXIT
export WARD_KEY_FILE=$keydir/master.key
"$ward" keys init >/dev/null
"$ward" migrate --dsn "$WARD_ADMIN_DSN" >/dev/null
"$ward" seed --dsn "$WARD_ADMIN_DSN" --demo >/dev/null
psql -qAt -c "SET ROLE ward_app; SELECT api.login('northside', 'alice', 'clinic-demo')" > $keydir/tok
tok=$(tail -1 $keydir/tok)
sam=$(psql -qAt -c "SELECT id FROM ward.staff WHERE username = 'sam'")
jose=$(psql -qAt -c "SELECT id FROM ward.patients WHERE family_name = 'Álvarez'")
run() { # role label sql
psql -qAt -v ON_ERROR_STOP=1 <<SQL
BEGIN;
SELECT set_config('ward.session', '$tok', true) IS NULL;
SET LOCAL ROLE $1;
DO \$d\$
DECLARE t0 timestamptz; times float8[] := '{}'; r record; i int;
BEGIN
  FOR i IN 1..2000 LOOP
    t0 := clock_timestamp();
    FOR r IN EXECUTE \$q\$ $3 \$q\$ LOOP END LOOP;
    times := times || extract(epoch FROM clock_timestamp() - t0) * 1e6;
  END LOOP;
  RAISE NOTICE '% | % us median | % us p95', '$2',
    round((SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(times) x)::numeric, 1),
    round((SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY x) FROM unnest(times) x)::numeric, 1);
END \$d\$;
ROLLBACK;
SQL
}
week="now() - interval '3 days', now() + interval '4 days'"
run ward_api "schedule, old: view" "SELECT appointment_id, patient_id, family_name, given_name, chart_no, clinician_id, clinician, starts_at, ends_at, status, reason FROM api.appointments WHERE clinician_id = '$sam' AND starts_at >= now() - interval '3 days' AND starts_at < now() + interval '4 days' ORDER BY starts_at, ends_at LIMIT 500"
run ward_app "schedule, new: api.schedule" "SELECT * FROM api.schedule('$sam', $week)"
run ward_api "patient notes, old: view" "SELECT note_id, signed_at, kind, title, author, amends_id FROM api.clinical_notes WHERE patient_id = '$jose' ORDER BY signed_at DESC LIMIT 100"
run ward_app "patient notes, new: api.patient_notes" "SELECT * FROM api.patient_notes('$jose')"
run ward_api "clinicians, old: view" "SELECT staff_id, username, display_name, role FROM api.clinicians ORDER BY display_name, username"
run ward_app "clinicians, new: api.clinician_list" "SELECT * FROM api.clinician_list()"
run ward_api "session keys, old: view" "SELECT scope, version, wrapped FROM api.data_keys"
run ward_app "session keys, new: api.session_keys" "SELECT * FROM api.session_keys()"
run ward_api "audit page, old: the invoker function body" "SELECT e.id, e.occurred_at, (SELECT s.username FROM ward.staff s WHERE s.id = e.actor_id), e.impersonated_by IS NOT NULL, e.action, e.object_type, e.object_id, e.details FROM ward.audit_events e WHERE e.id < 9223372036854775807 ORDER BY e.id DESC LIMIT 50"
run ward_app "audit page, new: api.audit_page" "SELECT * FROM api.audit_page(NULL, '', 50)"
