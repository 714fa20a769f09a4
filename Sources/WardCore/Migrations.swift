/// Every migration, in order. SwiftPM embeds each file of Migrations/ in the binary as
/// `PackageResources.<name>`; a file missing from this list fails MigrationListTests.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "schemas", bytes: PackageResources._001_schemas_sql),
        Migration(version: 2, name: "extensions_privileges", bytes: PackageResources._002_extensions_privileges_sql),
        Migration(version: 3, name: "tenants_staff_rbac", bytes: PackageResources._003_tenants_staff_rbac_sql),
        Migration(version: 4, name: "sessions_context", bytes: PackageResources._004_sessions_context_sql),
        Migration(version: 5, name: "audit", bytes: PackageResources._005_audit_sql),
    ]
}
