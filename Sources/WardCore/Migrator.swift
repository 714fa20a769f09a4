import Foundation
import WardDB

/// A versioned SQL file shipped inside the binary.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, bytes: [UInt8]) {
        self.version = version
        self.name = name
        self.sql = String(decoding: bytes, as: UTF8.self)
    }

    public var label: String { String(format: "%04d_%@", version, name) }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case changedAfterApply(label: String, applied: String, shipped: String)
    case unknownApplied(label: String)
    case failed(label: String, message: String)

    public var description: String {
        switch self {
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

/// Applies the migrations in order, as `ward_owner`, each in its own transaction, recording
/// each with a checksum. Running it again applies only what is new.
public struct Migrator {
    public let connection: Connection
    public let migrations: [Migration]

    public init(connection: Connection, migrations: [Migration] = Migrations.all) {
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
        try c.executeScript(Self.bootstrap)

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

    /// Roles and the bookkeeping table. This runs as the connecting administrator
    /// (a superuser, or a role with CREATEROLE that may grant on this database).
    static let bootstrap = """
        DO $roles$
        BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ward_owner') THEN
            -- Owns every object; used only by `ward migrate` and the operator commands.
            -- BYPASSRLS lets operator tools (seed, audit verify, benchmarks' floor) read all
            -- clinics; the terminal never connects as this role.
            CREATE ROLE ward_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
          END IF;
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ward_app') THEN
            -- What the terminal connects as: owns nothing, subject to every policy.
            CREATE ROLE ward_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
          END IF;
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ward_auth') THEN
            -- Owns only the few SECURITY DEFINER functions that must act before or beside a
            -- session (login, context resolution, audit writing, consent). Nobody logs in as it
            -- and ward_app is not a member; ward verify lists every function it owns.
            CREATE ROLE ward_auth NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS NOINHERIT;
          END IF;
          IF NOT pg_has_role('ward_owner', 'ward_auth', 'MEMBER') THEN
            -- So that migrations (as ward_owner) may hand those functions over to ward_auth.
            GRANT ward_auth TO ward_owner;
          END IF;
          IF NOT pg_has_role(current_user, 'ward_owner', 'MEMBER') THEN
            EXECUTE format('GRANT ward_owner TO %I', current_user);
          END IF;
          EXECUTE format('GRANT CREATE, CONNECT, TEMPORARY ON DATABASE %I TO ward_owner', current_database());
          EXECUTE format('GRANT CONNECT ON DATABASE %I TO ward_app', current_database());
        END
        $roles$;
        -- Nobody but the owner creates objects in public.
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        CREATE SCHEMA IF NOT EXISTS ward_meta AUTHORIZATION ward_owner;
        CREATE TABLE IF NOT EXISTS ward_meta.migrations (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          checksum   text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE ward_meta.migrations OWNER TO ward_owner;
        """
}
