import WardDB

/// Loads the demo clinics, staff and patients of docs/DESIGN.md, section 5 (password
/// `clinic-demo` for every account). Runs as an administrator on a migrated database.
public enum DemoSeed {
    public static let password = "clinic-demo"

    public struct Account: Sendable {
        public let clinic: String, username: String, role: String
    }

    /// The demo accounts, for printing on `ward demo`'s start.
    public static let accounts: [Account] = [
        Account(clinic: "northside", username: "alice", role: "admin"),
        Account(clinic: "northside", username: "sam", role: "specialist"),
        Account(clinic: "northside", username: "fiona", role: "front_desk"),
        Account(clinic: "northside", username: "bruno", role: "billing"),
        Account(clinic: "riverside", username: "rita", role: "admin"),
        Account(clinic: "riverside", username: "victor", role: "specialist"),
        Account(clinic: "riverside", username: "dana", role: "front_desk"),
        Account(clinic: "riverside", username: "sam", role: "specialist"),
        Account(clinic: "lakeside", username: "lena", role: "admin"),
        Account(clinic: "lakeside", username: "theo", role: "specialist"),
        Account(clinic: "platform", username: "olga", role: "platform_admin"),
    ]

    public enum Outcome: Equatable { case loaded, alreadyLoaded }

    /// Loads the data once; a database that already has the demo clinics is left alone.
    /// Allergies, signatures and note bodies are sealed with data keys wrapped by
    /// `masterKey` before the transaction commits: no plaintext of them is ever stored.
    @discardableResult
    public static func load(_ c: Connection, masterKey: MasterKey) throws -> Outcome {
        let present = try c.query("SELECT count(*) AS n FROM ward.tenants WHERE code = $1", ["northside"])
        if try present.first?.int("n") ?? 0 > 0 { return .alreadyLoaded }
        try c.transaction { c in
            try c.executeScript(String(decoding: PackageResources.demo_sql, as: UTF8.self))
            try c.query("SET LOCAL ROLE ward_owner")
            let keys = KeyAdmin(connection: c, masterKey: masterKey, ownTransactions: false)
            try keys.ensureCheck()
            for target in try keys.targets(clinic: nil) {
                var ring = try keys.ring(target)
                if ring.current == nil { ring = try keys.addVersion(target, to: ring) }
                _ = try keys.reseal(target, ring: ring)
            }
        }
        return .loaded
    }
}
