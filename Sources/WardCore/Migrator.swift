import Foundation
import WardDB

/// A versioned SQL file shipped inside the binary.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    public init(version: Int, name: String, bytes: [UInt8]) {
        self.init(version: version, name: name, sql: String(decoding: bytes, as: UTF8.self))
    }

    public var label: String { String(format: "%04d_%@", version, name) }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case changedAfterApply(label: String, applied: String, shipped: String)
    case unknownApplied(label: String)
    case failed(label: String, message: String)

    public var description: String {
        switch self {
        case let .changedAfterApply(label, applied, shipped) where label.hasSuffix("_baseline"):
            return """
                this database was built from another version of the baseline schema (checksum \
                \(applied.prefix(12)) in the database, \(shipped.prefix(12)) in this binary): the \
                baseline is edited in place only for fresh databases, so build a new database \
                with this ward, or use the ward that built this one.
                """
        case let .changedAfterApply(label, applied, shipped):
            return """
                migration \(label) was changed after it was applied (checksum \(applied.prefix(12)) \
                in the database, \(shipped.prefix(12)) in this binary). Applied migrations are \
                never edited: undo the edit and add a new migration instead.
                """
        case let .unknownApplied(label):
            return "the database has migration \(label), which this binary does not know: use a newer ward"
        case let .failed(label, message):
            return "migration \(label) failed: \(message)"
        }
    }
}

/// Runs the roles file as the connecting administrator, then applies the migrations in
/// order (today the one baseline of Schema/), as `ward_owner`, each in its own transaction,
/// recording each with a checksum. Running it again applies only what is new, and refuses
/// a migration whose text changed after it was applied.
public struct Migrator {
    public let connection: Connection
    public let migrations: [Migration]

    public init(connection: Connection, migrations: [Migration] = [Schema.baseline]) {
        self.connection = connection
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    public struct Report: Equatable {
        public var applied: [String] = []
        public var alreadyApplied: [String] = []
    }

    @discardableResult
    public func migrate() throws -> Report {
        let c = connection
        // One migrator at a time per database.
        try c.query("SELECT pg_advisory_lock(hashtext('ward migrate'))")
        defer { _ = try? c.query("SELECT pg_advisory_unlock(hashtext('ward migrate'))") }
        try c.executeScript(Schema.roles.sql)

        var applied: [Int: (String, String)] = [:]
        for row in try c.query("SELECT version, name, checksum FROM ward_meta.migrations").rows {
            applied[try row.int("version")!] = (try row.string("name")!, try row.string("checksum")!)
        }
        let known = Set(migrations.map(\.version))
        for (v, (name, _)) in applied where !known.contains(v) {
            throw MigrationError.unknownApplied(label: String(format: "%04d_%@", v, name))
        }

        var report = Report()
        for m in migrations {
            let sum = try checksum(m.sql)
            if let (_, old) = applied[m.version] {
                guard old == sum else {
                    throw MigrationError.changedAfterApply(label: m.label, applied: old, shipped: sum)
                }
                report.alreadyApplied.append(m.label)
                continue
            }
            do {
                try c.transaction { c in
                    try c.query("SET LOCAL ROLE ward_owner")
                    try c.executeScript(m.sql)
                    try c.query("""
                        INSERT INTO ward_meta.migrations (version, name, checksum) VALUES ($1, $2, $3)
                        """, [m.version, m.name, sum])
                }
            } catch let e as DatabaseError {
                throw MigrationError.failed(label: m.label, message: e.description)
            }
            report.applied.append(m.label)
        }
        return report
    }

    func checksum(_ sql: String) throws -> String {
        try connection.query("SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS sum", [sql])
            .first!.string("sum")!
    }
}
