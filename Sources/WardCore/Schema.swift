/// The schema, read in order by subject. SwiftPM embeds each file of Schema/ in the binary
/// as `PackageResources.<name>`; a file missing from these lists fails SchemaFileTests.
public enum Schema {
    /// Run by the bootstrap as the connecting administrator: roles are cluster-wide and
    /// ward_owner has no CREATEROLE. Idempotent; runs on every `ward migrate`.
    public static let roles = SchemaFile(name: "00_roles", bytes: PackageResources._0_roles_sql)

    /// The baseline, run as ward_owner in one transaction, in this order.
    public static let files: [SchemaFile] = [
        SchemaFile(name: "01_schemas", bytes: PackageResources._1_schemas_sql),
        SchemaFile(name: "02_tenants_staff", bytes: PackageResources._2_tenants_staff_sql),
        SchemaFile(name: "03_sessions_context", bytes: PackageResources._3_sessions_context_sql),
        SchemaFile(name: "04_audit", bytes: PackageResources._4_audit_sql),
        SchemaFile(name: "05_login_limits", bytes: PackageResources._5_login_limits_sql),
        SchemaFile(name: "06_patients_consent", bytes: PackageResources._6_patients_consent_sql),
        SchemaFile(name: "07_keys", bytes: PackageResources._7_keys_sql),
        SchemaFile(name: "08_appointments_notes", bytes: PackageResources._8_appointments_notes_sql),
        SchemaFile(name: "09_views", bytes: PackageResources._9_views_sql),
        SchemaFile(name: "10_api_patients", bytes: PackageResources._0_api_patients_sql),
        SchemaFile(name: "11_api_appointments_notes", bytes: PackageResources._1_api_appointments_notes_sql),
        SchemaFile(name: "12_api_staff_audit", bytes: PackageResources._2_api_staff_audit_sql),
        SchemaFile(name: "13_ops", bytes: PackageResources._3_ops_sql),
        SchemaFile(name: "14_policies", bytes: PackageResources._4_policies_sql),
        SchemaFile(name: "15_grants", bytes: PackageResources._5_grants_sql),
    ]

    /// The one migration a fresh database receives. Until a tagged release, issues edit
    /// Schema/ in place (fresh databases only); after it, every change is an append-only
    /// migration named for what it changes.
    public static let baseline = Migration(version: 1, name: "baseline",
                                           sql: files.map { "-- \($0.name).sql\n" + $0.sql }.joined(separator: "\n"))
}

public struct SchemaFile: Sendable {
    public let name: String
    public let sql: String

    init(name: String, bytes: [UInt8]) {
        self.name = name
        self.sql = String(decoding: bytes, as: UTF8.self)
    }
}
