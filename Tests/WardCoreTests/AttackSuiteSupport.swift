import Foundation
import WardCore
import WardDB
@testable import WardClient
import XCTest

/// What the security suites share: one throwaway cluster per test process, and for each
/// suite a database of its own in it, migrated and loaded with the demo data, so that one
/// suite's attacks (lockouts, revoked consents) cannot change another suite's ground.
enum DemoDatabase {
    nonisolated(unsafe) private static var shared: ThrowawayCluster?
    private static let lock = NSLock()

    struct Handle {
        let cluster: ThrowawayCluster
        let name: String
        /// The migrating administrator: reads every clinic, used for ground truth only.
        let owner: Connection
        var appDSN: String { cluster.dsn(database: name, user: "ward_app") }
    }

    static func fresh() throws -> Handle {
        lock.lock()
        defer { lock.unlock() }
        let cluster = try shared ?? ThrowawayCluster.start()
        shared = cluster
        // An identifier cannot be a parameter; the name is made here from hex digits only.
        let name = "sec_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try Connection(cluster.dsn()).executeScript("CREATE DATABASE \(name)")
        let owner = try Connection(cluster.dsn(database: name))
        try Migrator(connection: owner).migrate()
        _ = try DemoSeed.load(owner, masterKey: TestKeys.fresh())
        return Handle(cluster: cluster, name: name, owner: owner)
    }

    nonisolated(unsafe) private static var bouncerDSN: String?

    /// A DSN through the cluster's one PgBouncer (transaction pooling), as ward_app, to the
    /// handle's database. Pools are per database, so every suite gets poolSize of its own;
    /// the first caller's poolSize is the one the bouncer keeps.
    static func bouncer(_ h: Handle, poolSize: Int) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let dsn = try bouncerDSN ?? h.cluster.startBouncer(database: "DB", poolSize: poolSize)
        bouncerDSN = dsn
        return dsn.replacingOccurrences(of: "dbname=DB", with: "dbname=\(h.name)")
            .replacingOccurrences(of: "user=\(h.cluster.superuser)", with: "user=ward_app")
    }
}

/// Logs a demo account in through ward_app and returns its token.
func demoLogin(_ app: Connection, _ clinic: String, _ user: String, password: String = DemoSeed.password) throws -> String {
    guard let token = try app.query("SELECT api.login($1, $2, $3) AS t", [clinic, user, password]).first?.string("t") else {
        throw DatabaseError.misuse("login of \(user)@\(clinic) refused")
    }
    return token
}

/// The outcome of one statement run as the terminal runs it, but always rolled back.
enum Outcome {
    case rows(QueryResult)
    case failed(DatabaseError)

    var error: DatabaseError? { if case .failed(let e) = self { return e }; return nil }

    /// Everything a caller could read from it: values, or the error's texts.
    var text: String {
        switch self {
        case .rows(let r): return r.rows.map { $0.values.map { $0 ?? "∅" }.joined(separator: "|") }.joined(separator: "\n")
        case .failed(.server(let s)): return [s.sqlState, s.message, s.detail ?? "", s.hint ?? ""].joined(separator: " ")
        case .failed(let e): return "\(e)"
        }
    }
}

extension Connection {
    /// BEGIN; SET LOCAL ROLE role (only when given: the superuser's connection proving the
    /// policies as ward_api); set_config('ward.session', token, true) (skipped for nil);
    /// the `setup` statements; sql; then ROLLBACK, or COMMIT when asked and it succeeded.
    func attempt(_ sql: String, _ params: [any SQLValueConvertible] = [], session: String?,
                 commit: Bool = false, role: ReaderRole? = nil, setup: [String] = []) -> Outcome {
        do {
            try query("BEGIN")
            var keep = false
            defer { _ = try? query(keep ? "COMMIT" : "ROLLBACK") }
            if let role { try query("SET LOCAL ROLE \(role.rawValue)") }
            for statement in setup { try query(statement) }
            if let session { try query("SELECT set_config('ward.session', $1, true)", [session]) }
            let result = try query(sql, params)
            keep = commit
            return .rows(result)
        } catch let e as DatabaseError {
            return .failed(e)
        } catch {
            return .failed(.misuse("\(error)"))
        }
    }
}

/// The roles a superuser's connection may take for a probe (a fixed list: a role name is
/// an identifier, never a parameter).
enum ReaderRole: String {
    case api = "ward_api"
    case app = "ward_app"
}

/// Whether the terminal would tell the user a proper sentence for this error: the
/// SQLSTATEs UserError maps, as opposed to its catch-all "refused the request (code X)".
func userErrorHasSentence(_ e: DatabaseError) -> Bool {
    !UserError(e).message.contains("(code ")
}

/// Ward's log goes to a temporary directory during the suites: UserError logs every code.
func keepLogOutOfHome() {
    setenv("XDG_STATE_HOME", NSTemporaryDirectory() + "ward-security-tests", 1)
}
