#!/usr/bin/env bash
# The date-sensitive tests at pinned instants (docs/adr/0015-pinned-clock.md). Run by
# `make test-dates` after a build. Each instant runs three parts at once (the api and
# calendar tests, the appointment E2E tests, the pgTAP files that read the time), and
# DATE_JOBS instants run side by side: most of the time goes to starting, migrating and
# seeding throwaway clusters, which leaves the cores idle part of the time.
set -uo pipefail
instants=${DATE_INSTANTS:?the instants to pin, ISO 8601, separated by spaces}
jobs=${DATE_JOBS:-2}
tests=.build/debug/WardPackageTests.xctest
ward=${WARD_BIN:-.build/debug/ward}
unit="WardScreensTests.AppointmentApiTests,WardScreensTests.AppointmentCalendarTests,WardScreensTests.ClinicDatesTests"
e2e="WardE2ETests.AppointmentE2ETests"
pgtap="Tests/sql/session_tokens.sql Tests/sql/appointments_no_double_booking.sql Tests/sql/login_rollback_proof.sql Tests/sql/appointments_clash_and_day.sql Tests/sql/clock_and_permissions.sql"
mkdir -p .build/test-dates

one() {
    local t=$1 log=.build/test-dates/$1
    WARD_TEST_NOW=$t "$tests" "$unit" >"$log.unit.log" 2>&1 & local a=$!
    WARD_TEST_NOW=$t "$tests" "$e2e" >"$log.e2e.log" 2>&1 & local b=$!
    WARD_TEST_NOW=$t PGTAP_FILES="$pgtap" "$ward" sandbox -- bash scripts/pgtap.sh >"$log.pgtap.log" 2>&1 & local c=$!
    local failed=""
    wait $a || failed="$failed unit"
    wait $b || failed="$failed e2e"
    wait $c || failed="$failed pgtap"
    if [ -z "$failed" ]; then
        echo "WARD_TEST_NOW=$t: passed"
    else
        echo "WARD_TEST_NOW=$t: FAILED:$failed"
        for part in $failed; do
            grep -hE ": error: |^not ok|^# +Failed test" "$log.$part.log" | sed "s/^/  [$t $part] /" | head -20
        done
        return 1
    fi
}
export -f one
export tests ward unit e2e pgtap

start=$(date +%s)
status=0
printf '%s\n' $instants | xargs -P "$jobs" -I{} bash -c 'one {}' || status=1
echo "test-dates: $(wc -w <<<"$instants") instants in $(( $(date +%s) - start )) s ($jobs at a time)"
exit $status
