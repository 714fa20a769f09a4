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

    func testCancelSleepWithinOneSecond() throws {
        let started = Date()
        try conn.send("SELECT pg_sleep(10)")
        usleep(100_000)
        XCTAssertTrue(conn.cancel())
        let outcome = try XCTUnwrap(pollUntilDone(2), "the query did not end after cancel")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertLessThan(elapsed, 1.0)
        guard case .failure(let e) = outcome else { return XCTFail("a cancelled query cannot succeed") }
        XCTAssertEqual(e.sqlState, "57014")
        XCTAssertEqual(try conn.query("SELECT 1 AS one").first?.int("one"), 1, "usable after cancel")
    }

    func testCancelFromAnotherThreadStopsBlockingQuery() throws {
        let canceller = try XCTUnwrap(conn.canceller())
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { canceller.cancel() }
        let started = Date()
        XCTAssertThrowsError(try conn.query("SELECT pg_sleep(10)")) { e in
            XCTAssertEqual((e as? DatabaseError)?.sqlState, "57014")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.0)
    }

    func testAsyncErrorKeepsSQLState() throws {
        try conn.send("SELECT 1/0")
        let outcome = try XCTUnwrap(pollUntilDone(5))
        guard case .failure(let e) = outcome else { return XCTFail("division by zero succeeded") }
        XCTAssertEqual(e.sqlState, "22012")
    }
}
