import Foundation
import WardDB
import XCTest

final class AsyncTests: XCTestCase {
    var conn: Connection!

    override func setUpWithError() throws {
        conn = try Fixture.freshDatabase().2
    }

    /// Waits on the socket like the terminal's event loop does, up to `seconds`.
    func pollUntilDone(_ seconds: Double) throws -> Result<QueryResult, DatabaseError>? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let outcome = try conn.poll() { return outcome }
            var pfd = pollfd(fd: conn.socket, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 50)
        }
        return nil
    }

    func testSendPollReturnsRows() throws {
        try conn.send("SELECT g AS n FROM generate_series(1, $1::int) g", [5])
        XCTAssertTrue(conn.isSending)
        XCTAssertThrowsError(try conn.query("SELECT 1"), "one query at a time")
        let outcome = try XCTUnwrap(pollUntilDone(5))
        let rows = try outcome.get().rows
        XCTAssertEqual(try rows.map { try $0.int("n")! }, [1, 2, 3, 4, 5])
        XCTAssertFalse(conn.isSending)
    }

    func testCancelEndsSleepEarly() throws {
        let started = Date()
        try conn.send("SELECT pg_sleep(30)")
        usleep(100_000)
        XCTAssertTrue(conn.cancel())
        let outcome = try XCTUnwrap(pollUntilDone(10), "the query did not end after cancel")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertLessThan(elapsed, 10, "cancel must end the 30 s sleep early")
        guard case .failure(let e) = outcome else { return XCTFail("a cancelled query cannot succeed") }
        XCTAssertEqual(e.sqlState, "57014")
        XCTAssertEqual(try conn.query("SELECT 1 AS one").first?.int("one"), 1, "usable after cancel")
    }

    func testCancelFromAnotherThreadStopsBlockingQuery() throws {
        let canceller = try XCTUnwrap(conn.canceller())
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { canceller.cancel() }
        let started = Date()
        XCTAssertThrowsError(try conn.query("SELECT pg_sleep(30)")) { e in
            XCTAssertEqual((e as? DatabaseError)?.sqlState, "57014")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "cancel must end the 30 s sleep early")
    }

    func testAsyncErrorKeepsSQLState() throws {
        try conn.send("SELECT 1/0")
        let outcome = try XCTUnwrap(pollUntilDone(5))
        guard case .failure(let e) = outcome else { return XCTFail("division by zero succeeded") }
        XCTAssertEqual(e.sqlState, "22012")
    }
}

final class PipelinedSessionTests: XCTestCase {
    var conn: Connection!

    override func setUpWithError() throws {
        conn = try Fixture.freshDatabase().2
    }

    func run(_ sql: String, _ params: [any SQLValueConvertible] = [], session: String) throws -> Result<QueryResult, DatabaseError> {
        try conn.send(sql, params, session: session)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let outcome = try conn.poll() { return outcome }
            var pfd = pollfd(fd: conn.socket, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 50)
        }
        throw DatabaseError.misuse("timed out")
    }

    func testQuerySeesTheSessionInTheSameTransaction() throws {
        let rows = try run("SELECT current_setting('ward.session', true) AS s, $1::int AS n", [7], session: "tok-1").get()
        XCTAssertEqual(try rows.first?.string("s"), "tok-1")
        XCTAssertEqual(try rows.first?.int("n"), 7)
        let after = try conn.query("SELECT current_setting('ward.session', true) AS s").first!.string("s")
        XCTAssertTrue(after == nil || after == "", "the pipeline's setting outlived it: \(after ?? "nil")")
    }

    func testPipelineIsOneTransaction() throws {
        try conn.query("CREATE TABLE t (v int)")
        // If set_config and the statement were separate transactions, this would see a
        // different transaction id from the one set_config ran in.
        let r = try run("""
            INSERT INTO t SELECT 1 WHERE current_setting('ward.session', true) = 'tok-2' RETURNING v
            """, session: "tok-2").get()
        XCTAssertEqual(r.rows.count, 1)
    }

    func testErrorRollsBackAndLeavesConnectionUsable() throws {
        try conn.query("CREATE TABLE t (v int CHECK (v > 0))")
        let outcome = try run("INSERT INTO t VALUES ($1)", [-1], session: "tok-3")
        guard case .failure(let e) = outcome else { return XCTFail("a check violation succeeded") }
        XCTAssertEqual(e.sqlState, "23514")
        XCTAssertEqual(try conn.query("SELECT count(*) AS n FROM t").first?.int("n"), 0)
        let ok = try run("SELECT 1 AS one", session: "tok-4").get()
        XCTAssertEqual(try ok.first?.int("one"), 1)
    }

    func testCancelInPipeline() throws {
        let started = Date()
        try conn.send("SELECT pg_sleep(30)", session: "tok-5")
        usleep(100_000)
        conn.cancel()
        var outcome: Result<QueryResult, DatabaseError>?
        while outcome == nil && Date().timeIntervalSince(started) < 15 {
            outcome = try conn.poll()
            var pfd = pollfd(fd: conn.socket, events: Int16(POLLIN), revents: 0)
            if outcome == nil { _ = poll(&pfd, 1, 50) }
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "cancel must end the 30 s sleep early")
        guard case .failure(let e)? = outcome else { return XCTFail("not cancelled: \(String(describing: outcome))") }
        XCTAssertEqual(e.sqlState, "57014")
        XCTAssertEqual(try conn.query("SELECT 1 AS one").first?.int("one"), 1)
    }

    /// The server's own bound on a request: it ends a wait early, and is transaction-local,
    /// so the connection's next request (perhaps another client's, behind a pooler) has none.
    func testTimeoutEndsAWaitAndEndsWithTheTransaction() throws {
        for session in ["tok-6", nil] {
            let started = Date()
            try conn.send("SELECT pg_sleep(30)", session: session, timeout: 0.3)
            let outcome = try XCTUnwrap(conn.wait(seconds: 10), "the timeout did not end the sleep")
            XCTAssertLessThan(Date().timeIntervalSince(started), 5)
            guard case .failure(let e) = outcome else { return XCTFail("a 30 s sleep finished within 0.3 s") }
            XCTAssertEqual(e.sqlState, "57014")
            XCTAssertEqual(try run("SELECT current_setting('statement_timeout') AS t", session: "tok-7").get().first?.string("t"), "0")
        }
    }

    func testBoundedWaitReturnsNilWhileTheQueryRuns() throws {
        try conn.send("SELECT pg_sleep(30)", session: "tok-8")
        let started = Date()
        XCTAssertNil(try conn.wait(seconds: 0.3))
        XCTAssertLessThan(Date().timeIntervalSince(started), 2)
        conn.cancel()
        XCTAssertNotNil(try conn.wait(seconds: 10))
    }
}
