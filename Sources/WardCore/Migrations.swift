/// Every migration, in order. SwiftPM embeds each file of Migrations/ in the binary as
/// `PackageResources.<name>`; a file missing from this list fails MigrationListTests.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "schemas", bytes: PackageResources._001_schemas_sql),
        Migration(version: 2, name: "extensions_privileges", bytes: PackageResources._002_extensions_privileges_sql),
        Migration(version: 3, name: "tenants_staff_rbac", bytes: PackageResources._003_tenants_staff_rbac_sql),
        Migration(version: 4, name: "sessions_context", bytes: PackageResources._004_sessions_context_sql),
        Migration(version: 5, name: "audit", bytes: PackageResources._005_audit_sql),
        Migration(version: 6, name: "login", bytes: PackageResources._006_login_sql),
        Migration(version: 7, name: "patients_consent", bytes: PackageResources._007_patients_consent_sql),
        Migration(version: 8, name: "appointments_notes", bytes: PackageResources._008_appointments_notes_sql),
        Migration(version: 9, name: "api_views", bytes: PackageResources._009_api_views_sql),
        Migration(version: 10, name: "api_functions", bytes: PackageResources._010_api_functions_sql),
        Migration(version: 11, name: "definer_grants", bytes: PackageResources._011_definer_grants_sql),
        Migration(version: 12, name: "rollback_proof_limits", bytes: PackageResources._012_rollback_proof_limits_sql),
        Migration(version: 14, name: "data_keys", bytes: PackageResources._014_data_keys_sql),
        Migration(version: 15, name: "sealed_fields", bytes: PackageResources._015_sealed_fields_sql),
        Migration(version: 16, name: "staff_admin_operator", bytes: PackageResources._016_staff_admin_operator_sql),
        Migration(version: 17, name: "bench_fixes", bytes: PackageResources._017_bench_fixes_sql),
        Migration(version: 18, name: "appointments_screen", bytes: PackageResources._018_appointments_screen_sql),
        Migration(version: 19, name: "bookings_one_at_a_time", bytes: PackageResources._019_bookings_one_at_a_time_sql),
        Migration(version: 20, name: "policies_once_per_statement", bytes: PackageResources._020_policies_once_per_statement_sql),
        Migration(version: 21, name: "ward_now", bytes: PackageResources._021_ward_now_sql),
    ]
}
