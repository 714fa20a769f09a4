import Foundation
import WardCore
import WardDB
import XCTest

/// The run's pinned clock (WARD_TEST_NOW) and how the throwaway cluster applies it: the
/// database reads the pinned time through ward.now(), replaced as superuser, while
/// PostgreSQL's own clock (timeouts, deadlock detection) keeps the real time.
final class TestClockTests: XCTestCase {
    func testTheInstantsAreReadAsTheIssueWritesThem() {
        XCTAssertEqual(TestClock.parse("2027-03-01T00:05Z"), Date(timeIntervalSince1970: 1_803_859_500))
        XCTAssertEqual(TestClock.parse("2027-03-01T00:05:00Z"), Date(timeIntervalSince1970: 1_803_859_500))
        XCTAssertEqual(TestClock.parse("2027-03-01T01:05:00+01:00"), Date(timeIntervalSince1970: 1_803_859_500))
        XCTAssertEqual(TestClock.parse("2027-03-01T00:05:00.500Z"), Date(timeIntervalSince1970: 1_803_859_500.5))
        XCTAssertNil(TestClock.parse("2027-03-01"), "a day is no instant")
        XCTAssertNil(TestClock.parse("tomorrow"))
    }

    func testOnlyADebugProgramWithoutSetIDRightsHonoursTheVariable() {
        XCTAssertTrue(TestClock.honoursEnvironment(debugBuild: true, setID: false))
        XCTAssertFalse(TestClock.honoursEnvironment(debugBuild: false, setID: false), "a release build ignores it")
        XCTAssertFalse(TestClock.honoursEnvironment(debugBuild: true, setID: true), "a setuid/setgid ward ignores it")
        XCTAssertFalse(TestClock.honoursEnvironment(debugBuild: false, setID: true))
        XCTAssertFalse(TestClock.runsSetID, "the test runner is no setuid program")
    }

    func testTheClockStartsAtThePinnedInstantAndAdvances() {
        let start = TestClock.pinned ?? TestClock.realStart
        let a = TestClock.now()
        usleep(20_000)
        let b = TestClock.now()
        XCTAssertGreaterThanOrEqual(a, start)
        XCTAssertGreaterThan(b, a, "the clock advances")
        if let pinned = ProcessInfo.processInfo.environment["WARD_TEST_NOW"].flatMap(TestClock.parse) {
            XCTAssertEqual(TestClock.pinned, pinned)
        } else {
            XCTAssertNil(TestClock.pinned)
            XCTAssertLessThan(abs(a.timeIntervalSinceNow), 5, "unpinned, the run follows the real clock")
        }
    }

    /// The London autumn night: pinned there, a migrated database's ward.now() is that
    /// instant plus the time since the run started, for ward_app as for the owner; the
    /// server's own now() and its timeouts stay real; ward_app cannot move it.
    func testAClusterPinnedAtAnInstantMigratesToAWardNowAtThatInstant() throws {
        let pinned = TestClock.parse("2027-10-31T00:30Z")!
        let c = try ThrowawayCluster.start(pinnedAt: pinned)
        defer { c.stop() }
        try Connection(c.dsn()).executeScript("CREATE DATABASE ward")
        let owner = try Connection(c.dsn(database: "ward"))
        try Migrator(connection: owner).migrate()
        let expected = pinned.addingTimeInterval(Date().timeIntervalSince(TestClock.realStart))

        let row = try owner.query("SELECT ward.now() AS pinned, pg_catalog.now() AS real").first!
        XCTAssertEqual(try row.timestamp("pinned")!.timeIntervalSince(expected), 0, accuracy: 5)
        XCTAssertEqual(try row.timestamp("real")!.timeIntervalSinceNow, 0, accuracy: 5, "PostgreSQL's clock is real")

        let app = try Connection(c.dsn(database: "ward", user: "ward_app"))
        let seen = try app.query("SELECT api.server_now() AS t").first!.timestamp("t")!
        XCTAssertEqual(seen.timeIntervalSince(expected), 0, accuracy: 5)
        XCTAssertThrowsError(try app.query("""
            CREATE OR REPLACE FUNCTION ward.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT pg_catalog.now() $$
            """), "ward_app cannot put the real clock back")
        try app.query("SET TimeZone = 'Pacific/Kiritimati'")
        let again = try app.query("SELECT api.server_now() AS t").first!.timestamp("t")!
        XCTAssertEqual(again.timeIntervalSince(expected), 0, accuracy: 5, "a session setting does not move the instant")

        // Timeouts fire by the real clock.
        try app.query("SET statement_timeout = 100")
        XCTAssertThrowsError(try app.query("SELECT pg_sleep(2)")) { e in
            XCTAssertEqual((e as? DatabaseError)?.sqlState, "57014")
        }
    }

    /// The control: without a pinned instant ward.now() is the real now, so the test above
    /// would catch a harness that did not replace it.
    func testAnUnpinnedClusterReadsTheRealNow() throws {
        let c = try ThrowawayCluster.start(pinnedAt: nil)
        defer { c.stop() }
        try Connection(c.dsn()).executeScript("CREATE DATABASE ward")
        let owner = try Connection(c.dsn(database: "ward"))
        try Migrator(connection: owner).migrate()
        let t = try owner.query("SELECT ward.now() AS t").first!.timestamp("t")!
        XCTAssertEqual(t.timeIntervalSinceNow, 0, accuracy: 5)
    }
}
