import Foundation
import WardDB
import XCTest

final class ErrorTests: XCTestCase {
    var conn: Connection!
    var cluster: ThrowawayCluster!
    var database = ""

    override func setUpWithError() throws {
        (cluster, database, conn) = try Fixture.freshDatabase()
    }

    func sqlState(_ body: () throws -> Void) -> DatabaseError? {
        do { try body() } catch let e as DatabaseError { return e } catch { XCTFail("\(error)") }
        return nil
    }

    func testUniqueViolation() throws {
        try conn.query("CREATE TABLE u (v int CONSTRAINT u_v_key UNIQUE)")
        try conn.query("INSERT INTO u VALUES (1)")
        let e = sqlState { try conn.query("INSERT INTO u VALUES ($1)", [1]) }
        XCTAssertEqual(e?.sqlState, "23505")
        guard case .server(let s)? = e else { return XCTFail("expected a server error") }
        XCTAssertEqual(s.constraint, "u_v_key")
        XCTAssertNotNil(s.detail, "unique violations carry a detail")
        XCTAssertTrue(conn.isAlive)
    }

    func testPermissionDenied() throws {
        try conn.query("CREATE TABLE secret (v int)")
        try conn.query("CREATE ROLE ward_test_nobody")
        defer { _ = try? conn.query("DROP OWNED BY ward_test_nobody; DROP ROLE ward_test_nobody") }
        let e = sqlState {
            try conn.transaction { c in
                try c.query("SET LOCAL ROLE ward_test_nobody")
                try c.query("SELECT * FROM secret")
            }
        }
        XCTAssertEqual(e?.sqlState, "42501")
    }

    func testUndefinedTableAndHint() throws {
        let e = sqlState { try conn.query("SELECT * FROM no_such_table") }
        XCTAssertEqual(e?.sqlState, "42P01")
        let h = sqlState { try conn.query("SELECT nosuchfunction(1)") }
        guard case .server(let s)? = h else { return XCTFail("expected a server error") }
        XCTAssertEqual(s.sqlState, "42883")
        XCTAssertNotNil(s.hint, "undefined function errors carry a hint")
    }

    func testKilledBackendIsConnectionLost() throws {
        let victim = try Connection(cluster.dsn(database: database))
        let pid = victim.backendPID
        try conn.query("SELECT pg_terminate_backend($1)", [Int(pid)])
        let e = sqlState { try victim.query("SELECT 1") }
        XCTAssertEqual(e?.isConnectionLost, true, "got \(String(describing: e))")
        XCTAssertFalse(victim.isAlive)
        // And it can come back.
        try victim.reconnect()
        XCTAssertEqual(try victim.query("SELECT 1 AS one").first?.int("one"), 1)
    }

    func testConnectFailureIsItsOwnError() {
        XCTAssertThrowsError(try Connection("host=/nonexistent-dir-for-ward connect_timeout=2")) { e in
            guard case DatabaseError.connectFailed = e else { return XCTFail("got \(e)") }
        }
    }

    func testEmptyConnInfoUsesLibpqEnvironment() throws {
        // What psql does: PGHOST, PGUSER, PGDATABASE fill in what the string leaves out.
        setenv("PGHOST", cluster.socketDirectory, 1)
        setenv("PGUSER", cluster.superuser, 1)
        setenv("PGDATABASE", database, 1)
        defer { unsetenv("PGHOST"); unsetenv("PGUSER"); unsetenv("PGDATABASE") }
        let c = try Connection()
        XCTAssertEqual(try c.query("SELECT current_database() AS d").first?.string("d"), database)
    }

    func testServiceFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ward-service-\(UUID().uuidString)")
        try """
            [wardtest]
            host=\(cluster.socketDirectory)
            user=\(cluster.superuser)
            dbname=\(database)

            """.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        setenv("PGSERVICEFILE", file.path, 1)
        defer { unsetenv("PGSERVICEFILE") }
        let c = try Connection("service=wardtest")
        XCTAssertEqual(try c.query("SELECT current_database() AS d").first?.string("d"), database)
    }

    func testURIConnInfo() throws {
        let host = cluster.socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let c = try Connection("postgresql:///\(database)?host=\(host)&user=\(cluster.superuser)")
        XCTAssertEqual(try c.query("SELECT current_database() AS d").first?.string("d"), database)
    }
}
