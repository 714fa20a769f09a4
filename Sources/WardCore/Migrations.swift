/// Every migration, in order. SwiftPM embeds each file of Migrations/ in the binary as
/// `PackageResources.<name>`; a file missing from this list fails MigrationListTests.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "schemas", bytes: PackageResources._001_schemas_sql),
    ]
}
