import WardDB
import XCTest

final class TransactionTests: XCTestCase {
    var conn: Connection!

    override func setUpWithError() throws {
        conn = try Fixture.freshDatabase().2
    }

    func currentSetting() throws -> String? {
        try conn.query("SELECT current_setting('ward.session', true) AS s").first!.string("s")
    }

    func testSessionSettingIsGoneAfterCommit() throws {
        let seen = try conn.withSession("token-a") { c in
            try c.query("SELECT current_setting('ward.session', true) AS s").first!.string("s")
        }
        XCTAssertEqual(seen, "token-a")
        // After a transaction that set it, PostgreSQL keeps the name with an empty value.
        let after = try currentSetting()
        XCTAssertTrue(after == nil || after == "", "setting leaked past COMMIT: \(after ?? "nil")")
        let nextTx = try conn.transaction { c in
            try c.query("SELECT current_setting('ward.session', true) AS s").first!.string("s")
        }
        XCTAssertTrue(nextTx == nil || nextTx == "", "next transaction saw \(nextTx ?? "nil")")
    }

    func testSessionSettingIsGoneAfterRollback() throws {
        struct Boom: Error {}
        XCTAssertThrowsError(try conn.withSession("token-b") { c -> Void in
            XCTAssertEqual(try c.query("SELECT current_setting('ward.session', true) AS s").first!.string("s"), "token-b")
            throw Boom()
        })
        let after = try currentSetting()
        XCTAssertTrue(after == nil || after == "", "setting leaked past ROLLBACK: \(after ?? "nil")")
    }

    func testTransactionRollsBackOnError() throws {
        try conn.query("CREATE TABLE t (v int UNIQUE)")
        XCTAssertThrowsError(try conn.transaction { c in
            try c.query("INSERT INTO t VALUES (1)")
            try c.query("INSERT INTO t VALUES (1)")
        })
        XCTAssertEqual(try conn.query("SELECT count(*) AS n FROM t").first!.int("n"), 0)
        try conn.transaction { c in try c.query("INSERT INTO t VALUES (2)") }
        XCTAssertEqual(try conn.query("SELECT count(*) AS n FROM t").first!.int("n"), 1)
    }

    /// The test that shows why context must be transaction-local: a session-level set_config
    /// survives COMMIT and would be seen by the next user of a pooled connection.
    func testSessionLevelSettingWouldLeak() throws {
        try conn.transaction { c in try c.query("SELECT set_config('ward.session', 'sticky', false)") }
        XCTAssertEqual(try currentSetting(), "sticky")
        try conn.query("RESET ward.session")
    }
}
