import Foundation
import WardCore
import WardDB
import XCTest

/// Many terminals behind PgBouncer in transaction pooling mode, fewer server connections
/// than clients: a server connection serves northside's transaction, then riverside's.
/// Context set transaction-locally (one pipeline: set_config(.., true) then the query, as
/// the terminal does) must never carry over. The control experiment sets the context the
/// wrong way (session-level SET) and must see it leak: the detector works.
///
/// POOL_TRANSACTIONS per client: 150 by default, 10,000 in `make test-long` (CI runs both).
final class PooledIsolationTests: XCTestCase {
    static let clients = 64
    static let poolSize = 8

    /// What a client reads in one transaction: its clinic's code, and the scope of a data key
    /// it can see ('clinic:<its clinic's id>'). No row without a session (api.whoami
    /// answers none, so the key look-up beneath it never runs).
    static let probe = """
        SELECT w.clinic_code AS code,
               (SELECT k.scope FROM api.session_keys() k WHERE k.scope <> 'portable' ORDER BY k.version DESC LIMIT 1) AS scope
          FROM api.whoami() w
        """

    func testTransactionLocalContextNeverLeaks() throws {
        let perClient = Int(ProcessInfo.processInfo.environment["POOL_TRANSACTIONS"] ?? "") ?? 150
        let db = try DemoDatabase.fresh()
        let dsn = try DemoDatabase.bouncer(db, poolSize: Self.poolSize)
        let setup = try Connection(db.appDSN)
        let clinics = try [("northside", "fiona"), ("riverside", "dana")].map { code, user in
            (code, user, "clinic:" + (try db.owner.query("SELECT id::text AS id FROM ward.tenants WHERE code = $1", [code])
                                          .first!.string("id")!))
        }
        let tokens = try clinics.map { try demoLogin(setup, $0.0, $0.1) }

        let tally = Tally()
        runConcurrently(Self.clients) { i in
            let (code, _, prefix) = clinics[i % 2]
            let token = tokens[i % 2]
            do {
                let c = try Connection(dsn)
                for n in 0..<perClient {
                    // The idle clock moves only on audited actions; a long run touches it.
                    if n % 500 == 499 { try c.send("SELECT api.touch()", session: token); _ = try c.wait() }
                    try c.send(Self.probe, session: token)
                    let rows = try c.wait().rows
                    let seen = try rows.map { (try $0.string("code"), try $0.string("scope")) }
                    if seen.isEmpty || seen.contains(where: { $0.0 != code || !($0.1 ?? prefix).hasPrefix(prefix) }) {
                        tally.leak("client \(i) (\(code)) saw \(seen.prefix(3))")
                    }
                    tally.count()
                }
            } catch {
                tally.leak("client \(i): \(error)")
            }
        }
        print("pooled isolation: \(tally.transactions) pooled transactions, \(tally.leaks.count) leaks "
              + "(\(Self.clients) clients, \(Self.poolSize) server connections)")
        XCTAssertEqual(tally.transactions, Self.clients * perClient)
        XCTAssertEqual(tally.leaks, [], tally.leaks.prefix(10).joined(separator: "\n"))
    }

    /// The wrong way: one client sets the token with a session-level set_config; clients
    /// that set nothing then run on the same pooled server connections and see its clinic.
    func testControlSessionLevelSetLeaks() throws {
        let db = try DemoDatabase.fresh()
        let dsn = try DemoDatabase.bouncer(db, poolSize: Self.poolSize)
        let token = try demoLogin(try Connection(db.appDSN), "northside", "fiona")
        let careless = try Connection(dsn)
        try careless.query("SELECT set_config('ward.session', $1, false)", [token])

        let tally = Tally()
        runConcurrently(16) { _ in
            do {
                let c = try Connection(dsn)
                for _ in 0..<50 {
                    if try !c.query(Self.probe).rows.isEmpty { tally.leak("a client without a token saw northside") }
                    tally.count()
                }
            } catch {
                tally.leak("\(error)")
            }
        }
        print("pooled isolation control: session-level SET leaked into \(tally.leaks.count) of \(tally.transactions) transactions")
        XCTAssertGreaterThan(tally.leaks.count, 0, "the detector must see the session-level SET leak")
    }

    /// Runs body(0..<n) on n threads of their own (not a pool of core-count width), so all
    /// n clients are connected and competing for the bouncer's few server connections.
    func runConcurrently(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for i in 0..<n {
            group.enter()
            let t = Thread { body(i); group.leave() }
            t.stackSize = 1 << 20
            t.start()
        }
        group.wait()
    }
}

final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var leaks: [String] = []
    private(set) var transactions = 0
    func leak(_ s: String) { lock.lock(); leaks.append(s); lock.unlock() }
    func count() { lock.lock(); transactions += 1; lock.unlock() }
}
