import Foundation
import WardDB
import XCTest

/// PgBouncer in transaction mode hands one server connection to many clients in turn.
/// These tests show what that means for Ward's context setting.
final class PoolingTests: XCTestCase {
    var cluster: ThrowawayCluster!
    var pooled = ""

    override func setUpWithError() throws {
        cluster = try ThrowawayCluster.start()
        pooled = try cluster.startBouncer(database: "postgres", poolSize: 1)
    }

    override func tearDown() {
        let bouncer = cluster.bouncerPID
        cluster.stop()
        XCTAssertGreaterThan(bouncer, 0)
        XCTAssertFalse(bouncer > 0 && ThrowawayCluster.isRunning(bouncer), "pgbouncer outlived the cluster")
    }

    func setting(_ c: Connection) throws -> String {
        try c.transaction { c in
            try c.query("SELECT coalesce(current_setting('ward.session', true), '') AS s").first!.string("s")!
        }
    }

    /// The failure transaction-local context prevents: with one server connection behind
    /// two clients, a session-level setting made by A is seen by B.
    func testSessionLevelSettingLeaksAcrossPooledClients() throws {
        let a = try Connection(pooled), b = try Connection(pooled + " user=postgres")
        try a.query("SELECT set_config('ward.session', 'clinic-a-token', false)")
        XCTAssertEqual(try setting(b), "clinic-a-token", "expected the leak that transaction mode causes")
        try a.query("RESET ward.session")
    }

    func testTransactionLocalSettingDoesNotLeak() throws {
        let a = try Connection(pooled), b = try Connection(pooled)
        let seenByA = try a.withSession("clinic-a-token") { c in
            try c.query("SELECT current_setting('ward.session', true) AS s").first!.string("s")
        }
        XCTAssertEqual(seenByA, "clinic-a-token")
        XCTAssertEqual(try setting(b), "")
        let serverOfA = try a.query("SELECT pg_backend_pid() AS p").first!.int("p")
        let serverOfB = try b.query("SELECT pg_backend_pid() AS p").first!.int("p")
        XCTAssertEqual(serverOfA, serverOfB, "with a pool of one, both clients share one server connection")
    }

    /// The terminal's one-round-trip path (a pipeline ended by Sync) works through the pooler
    /// and leaves nothing behind for the next client.
    func testPipelinedSessionThroughPooler() throws {
        let a = try Connection(pooled), b = try Connection(pooled)
        try a.send("SELECT current_setting('ward.session', true) AS s", session: "clinic-a-token")
        let rows = try a.wait()
        XCTAssertEqual(try rows.first?.string("s"), "clinic-a-token")
        XCTAssertEqual(try setting(b), "")
    }
}
