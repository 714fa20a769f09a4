import Foundation
import WardDB

/// Synthetic clinics at scale for benchmarks: `ward seed --clinics N --patients P --seed S`.
/// The rows are made by Seed/synthetic.sql, set-based, in one transaction as ward_owner.
public enum SyntheticSeed {
    public struct Options: Sendable {
        public var clinics: Int
        public var patients: Int
        public var seed: Int
        /// Total audit events to reach (insert events of the loaded rows, then activity).
        public var auditEvents: Int
        /// The day that "today" is in the data (appointments run from 45 days before to 14
        /// after it). The same seed and anchor give the same rows.
        public var anchor: CalendarDate

        public init(clinics: Int, patients: Int, seed: Int, auditEvents: Int? = nil, anchor: CalendarDate? = nil) {
            self.clinics = clinics
            self.patients = patients
            self.seed = seed
            self.auditEvents = auditEvents ?? patients * 10
            self.anchor = anchor ?? SyntheticSeed.today
        }
    }

    public static var today: CalendarDate {
        let d = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: TestClock.now())
        return CalendarDate(year: d.year!, month: d.month!, day: d.day!)!
    }

    /// Every synthetic account's password, as for the demo.
    public static let password = DemoSeed.password

    /// Code of clinic i (1 is the largest) and the username of its admin.
    public static func clinicCode(seed: Int, _ i: Int) -> String { "syn\(seed)-" + String(format: "%04d", i) }
    public static func adminUsername(seed: Int, _ i: Int) -> String { "syn\(seed)-\(i)-admin" }
    public static func frontDeskUsername(seed: Int, _ i: Int) -> String { "syn\(seed)-\(i)-front_desk" }

    public struct SeedError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads the data; `progress` hears each step's name and seconds as it finishes.
    public static func load(_ c: Connection, _ o: Options,
                            progress: (String, Double) -> Void = { _, _ in }) throws {
        guard o.clinics >= 1, o.clinics <= 9999 else { throw SeedError(description: "--clinics must be 1 to 9999") }
        guard o.patients >= o.clinics else { throw SeedError(description: "--patients must be at least --clinics") }
        guard o.seed >= 0 else { throw SeedError(description: "--seed must be 0 or more") }
        let taken = try c.query("SELECT count(*) AS n FROM ward.tenants WHERE code = $1", [clinicCode(seed: o.seed, 1)])
        if try taken.first?.int("n") ?? 0 > 0 {
            throw SeedError(description: "this database already has the synthetic clinics of seed \(o.seed)")
        }
        try c.transaction { c in
            try c.query("SET LOCAL ROLE ward_owner")
            // Times are written in UTC so the rows do not depend on the session's time zone;
            // large sorts (the audit chains) stay in memory longer.
            try c.query("SET LOCAL TimeZone = 'UTC'")
            try c.query("SET LOCAL work_mem = '256MB'")
            // JIT compiling each big statement costs more than it saves here.
            try c.query("SET LOCAL jit = off")
            try c.query("""
                CREATE TEMP TABLE syn_params (seed bigint, clinics int, patients bigint, audit_events bigint,
                                              anchor date, password_hash text) ON COMMIT DROP
                """)
            try c.query("INSERT INTO syn_params VALUES ($1, $2, $3, $4, $5, ward.hash_password($6))",
                        [o.seed, o.clinics, o.patients, o.auditEvents, o.anchor, password])
            for (name, sql) in steps {
                let t0 = Date()
                try c.executeScript(sql)
                progress(name, Date().timeIntervalSince(t0))
            }
        }
    }

    /// The script cut at its "-- step: NAME" lines.
    static var steps: [(String, String)] {
        let script = String(decoding: PackageResources.synthetic_sql, as: UTF8.self)
        var out: [(String, String)] = []
        for part in script.components(separatedBy: "\n-- step: ").dropFirst() {
            let name = String(part.prefix { $0 != "\n" })
            out.append((name, String(part.drop { $0 != "\n" })))
        }
        return out
    }
}
