import Foundation
import WardDB
import XCTest

final class ParameterTests: XCTestCase {
    var conn: Connection!

    override func setUpWithError() throws {
        conn = try Fixture.freshDatabase().2
    }

    func roundTrip(_ s: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let row = try conn.query("SELECT $1::text AS v, length($1::text) AS n", [s]).first!
        XCTAssertEqual(try row.string("v"), s, file: file, line: line)
        // length() counts code points, so the server saw every character, not a prefix.
        XCTAssertEqual(try row.int("n"), s.unicodeScalars.count, file: file, line: line)
    }

    func testHostileTextRoundTripsExactly() throws {
        for s in ["it's", "a\\b\\\\c", "'); DROP TABLE x; --", "\"quoted\"", "😀👩‍⚕️🏥",
                  "अनन्या शर्मा", "王小明", "José Álvarez", "", " leading and trailing ", "tab\tnewline\n",
                  "$1 $2 %s %d", "\u{7}\u{1b}[31mred"] {
            try roundTrip(s)
        }
    }

    func testInjectionTextIsStoredNotExecuted() throws {
        try conn.query("CREATE TABLE x (v text)")
        try conn.query("INSERT INTO x VALUES ($1)", ["'); DROP TABLE x; --"])
        let r = try conn.query("SELECT v FROM x")
        XCTAssertEqual(try r.first?.string("v"), "'); DROP TABLE x; --")
    }

    func testOneMegabyteString() throws {
        let big = String(repeating: "ä€😀x", count: 262_144)
        let row = try conn.query("SELECT $1::text AS v, octet_length($1::text) AS bytes", [big]).first!
        XCTAssertEqual(try row.string("v"), big)
        XCTAssertEqual(try row.int("bytes"), big.utf8.count)
        XCTAssertGreaterThan(big.utf8.count, 1_000_000)
    }

    func testNulByteIsRefusedNotTruncated() throws {
        XCTAssertThrowsError(try conn.query("SELECT $1::text", ["before\u{0}after"])) { error in
            guard case DatabaseError.invalidParameter(let message) = error else {
                return XCTFail("expected invalidParameter, got \(error)")
            }
            XCTAssertTrue(message.contains("NUL"), message)
            XCTAssertTrue(message.contains("$1"), message)
        }
        // The connection is still usable afterwards.
        XCTAssertEqual(try conn.query("SELECT 1 AS one").first?.int("one"), 1)
    }

    func testByteaCarriesEveryByte() throws {
        let bytes = (0...255).map(UInt8.init) + [0, 0, 255]
        let row = try conn.query("SELECT $1::bytea AS b, length($1::bytea) AS n", [SQLValue.bytes(bytes)]).first!
        XCTAssertEqual(try row.bytes("b"), bytes)
        XCTAssertEqual(try row.int("n"), bytes.count)
    }

    func testTypedReading() throws {
        let id = UUID()
        let when = Date(timeIntervalSince1970: 1_790_000_000.123456)
        let row = try conn.query("""
            SELECT 42::int AS i, -9000000000::bigint AS big, true AS t, false AS f,
                   '2026-02-28'::date AS d, $1::timestamptz AS ts, $2::uuid AS u,
                   NULL::text AS nothing, '\\x00ff'::bytea AS b,
                   '2026-11-23 10:00:00+05:30'::timestamptz AS offset_ts
            """, [when, id]).first!
        XCTAssertEqual(try row.int("i"), 42)
        XCTAssertEqual(try row.int("big"), -9_000_000_000)
        XCTAssertEqual(try row.bool("t"), true)
        XCTAssertEqual(try row.bool("f"), false)
        XCTAssertEqual(try row.date("d"), CalendarDate(year: 2026, month: 2, day: 28))
        XCTAssertEqual(try row.timestamp("ts")!.timeIntervalSince1970, when.timeIntervalSince1970, accuracy: 0.000001)
        XCTAssertEqual(try row.uuid("u"), id)
        XCTAssertNil(try row.string("nothing"))
        XCTAssertTrue(try row.isNull("nothing"))
        XCTAssertNil(try row.int("nothing"))
        XCTAssertEqual(try row.bytes("b"), [0, 255])
        XCTAssertEqual(try row.timestamp("offset_ts"),
                       try conn.query("SELECT '2026-11-23 04:30:00+00'::timestamptz AS v").first!.timestamp("v"))
        XCTAssertThrowsError(try row.int("t"), "a boolean is not an integer")
        XCTAssertThrowsError(try row.string("missing"), "no such column")
    }

    func testNullAndTypedParameters() throws {
        let row = try conn.query("SELECT $1::text IS NULL AS a, $2::int + 1 AS b, $3::bool AS c, $4::date AS d",
                                 [SQLValue.null, 41, true, CalendarDate(iso: "2000-01-31")!]).first!
        XCTAssertEqual(try row.bool("a"), true)
        XCTAssertEqual(try row.int("b"), 42)
        XCTAssertEqual(try row.bool("c"), true)
        XCTAssertEqual(try row.date("d")?.iso, "2000-01-31")
    }

    func testCalendarDateRejectsImpossibleDates() {
        XCTAssertNil(CalendarDate(iso: "2026-02-30"))
        XCTAssertNil(CalendarDate(iso: "2026-13-01"))
        XCTAssertNil(CalendarDate(iso: "26-01-01"))
        XCTAssertNotNil(CalendarDate(iso: "2024-02-29"))
    }
}
