import Foundation
import WardCore
import WardDB
import XCTest

/// Attacks on logging in, as a holder of ward_app's credentials would run them over the
/// wire: guesses thrown away by the caller's transaction (docs/adr/0002), telling accounts apart by
/// the answer or its timing, and a terminal that keeps using a session that has ended.
final class AuthTimingTests: XCTestCase {
    override class func setUp() { keepLogOutOfHome() }

    /// Five wrong passwords, each thrown away in a different way, lock the account; the
    /// attempts reach the audit log once anything at that account commits.
    func testRolledBackGuessesStillLockAndAreAudited() throws {
        let db = try DemoDatabase.fresh()
        let app = try Connection(db.appDSN)
        let bruno = try db.owner.query("SELECT id FROM ward.staff WHERE username = 'bruno'").first!.string("id")!
        let lastEvent = try db.owner.query("SELECT max(id) AS m FROM ward.audit_events").first!.int("m")!
        func guess(_ n: Int) -> String { "SELECT api.login('northside', 'bruno', 'guess-\(n)') AS t" }

        // 1-2: BEGIN, the guess, its answer read, ROLLBACK (separate messages).
        for n in 1...2 {
            try app.query("BEGIN")
            XCTAssertNil(try app.query(guess(n)).first?.string("t"), "the attacker reads the answer: refused")
            try app.query("ROLLBACK")
        }
        // 3: one simple query of two statements; the second fails, the implicit transaction rolls back.
        XCTAssertThrowsError(try app.executeScript(guess(3) + "; SELECT 1/0"))
        // 4: one statement: the guess runs, then a division by zero at run time (random() keeps
        // the planner from folding it early) aborts the statement.
        XCTAssertThrowsError(try app.query("""
            SELECT CASE WHEN api.login('northside', 'bruno', 'guess-4') IS NULL THEN 1 / (random() * 0)::int END
            """))
        // 5: a savepoint rolled back inside a transaction that is itself rolled back.
        try app.query("BEGIN")
        try app.query("SAVEPOINT s")
        try app.query(guess(5))
        try app.query("ROLLBACK TO SAVEPOINT s")
        try app.query("ROLLBACK")

        let own = try db.owner.query("SELECT count(*) AS n FROM ward.audit_events WHERE id > $1 AND actor_id = $2::uuid",
                                     [lastEvent, bruno]).first!.int("n")!
        XCTAssertEqual(own, 0, "control: the five attempts' own events were rolled back")
        XCTAssertThrowsError(try app.query("SELECT api.login('northside', 'bruno', $1)", [DemoSeed.password])) { e in
            XCTAssertEqual((e as? DatabaseError)?.sqlState, "WL001", "locked, even with the right password")
        }
        XCTAssertNil(try app.query(guess(6)).first?.string("t"), "a committed guess while locked: refused")
        let recovered = try db.owner.query("""
            SELECT coalesce(sum((details ->> 'attempts')::int), 0) AS n FROM ward.audit_events
             WHERE id > $1 AND actor_id = $2::uuid AND action = 'login.refusals_recovered'
            """, [lastEvent, bruno]).first!.int("n")!
        XCTAssertEqual(recovered, 6, "the 5 thrown-away guesses and the WL001 attempt are in the log")
        print("auth: 5 rolled-back guesses locked the account; \(recovered) rolled-back attempts recovered into the audit log")
    }

    /// Unknown user, wrong password and wrong clinic: the same answer, and about the same
    /// time (bcrypt runs in every case). The bound is generous: it catches "an unknown
    /// user returns at once", not a speed goal.
    func testRefusalsLookAlike() throws {
        let db = try DemoDatabase.fresh()
        let app = try Connection(db.appDSN)
        let users = Array(Set(DemoSeed.accounts.map(\.username))).sorted()
        func clinicOf(_ u: String) -> String { DemoSeed.accounts.first { $0.username == u }!.clinic }
        func notTheirs(_ u: String) -> String {
            ["lakeside", "northside"].first { c in !DemoSeed.accounts.contains { $0.username == u && $0.clinic == c } }!
        }
        // Interleaved, so that a slow moment of the machine hits every kind alike. Each
        // account gets at most 4 failures: none is locked (5), which would change the answer.
        var times: [String: [Double]] = [:]
        for i in 0..<20 {
            let u = users[i % users.count]
            let cases = [
                ("unknown user", ["northside", "nobody-\(i)", DemoSeed.password]),
                ("wrong password", [clinicOf(u), u, "wrong-\(i)"]),
                ("wrong clinic", [notTheirs(u), u, DemoSeed.password]),
                ("unknown clinic", ["nowhere-\(i)", u, DemoSeed.password]),
            ]
            for (kind, args) in cases {
                let start = DispatchTime.now().uptimeNanoseconds
                let r = try app.query("SELECT api.login($1, $2, $3) AS t", args)
                times[kind, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                XCTAssertEqual(r.rows.count, 1)
                XCTAssertTrue(try r.first!.isNull("t"), "\(kind): refused with the same NULL")
            }
            if i % users.count == users.count - 1 {
                // Three refusals per account per round; a locked account would answer a right
                // password with WL001 instead, so the counters start afresh each round.
                try db.owner.query("SELECT setval(ward.attempt_counter(id, 'lockout'), 0, true) FROM ward.staff")
            }
        }
        func median(_ v: [Double]) -> Double { let s = v.sorted(); return s[s.count / 2] }
        let base = median(times["wrong password"]!)
        var line = "auth timing (median of 20): wrong password \(String(format: "%.0f", base)) ms"
        for kind in ["unknown user", "wrong clinic", "unknown clinic"] {
            let ratio = median(times[kind]!) / base
            line += ", \(kind) \(String(format: "%.2f", ratio))x"
            XCTAssertTrue((0.5...2.0).contains(ratio), "\(kind) takes \(ratio)x the time of a wrong password")
        }
        print(line)
    }

    /// The terminal may keep a token after its session ended; the database refuses it.
    func testEndedSessionIsRefusedByTheDatabase() throws {
        let db = try DemoDatabase.fresh()
        let app = try Connection(db.appDSN)
        for (label, change) in [
            ("expired", "UPDATE ward.sessions SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to($1, 'UTF8'))"),
            ("idle", "UPDATE ward.sessions SET last_seen_at = now() - interval '11 minutes' WHERE token_hash = sha256(convert_to($1, 'UTF8'))"),
        ] {
            let token = try demoLogin(app, "northside", "fiona")
            let seen = try app.withSession(token) { try $0.query("SELECT count(*) AS n FROM api.clinician_list()").first!.int("n")! }
            XCTAssertGreaterThan(seen, 0, "control: while live, the token reads its clinic")
            try db.owner.query(change, [token])
            XCTAssertEqual(try app.withSession(token) { try $0.query("SELECT * FROM api.whoami()").rows.count }, 0, "\(label): nobody")
            for call in ["SELECT * FROM api.clinician_list()", "SELECT * FROM api.search_patients('zoe')",
                         "SELECT * FROM api.register_patient('X', 'Y', '2000-01-01', 'male', NULL, NULL, NULL, 'Y X', 'v1')"] {
                XCTAssertThrowsError(try app.withSession(token) { try $0.query(call) }, "\(label): \(call)") { e in
                    XCTAssertEqual((e as? DatabaseError)?.sqlState, "28000", "\(label): \(call)")
                }
            }
            // api.touch() cannot bring an ended session back either.
            try app.withSession(token) { try $0.query("SELECT api.touch()") }
            XCTAssertThrowsError(try app.withSession(token) { try $0.query("SELECT * FROM api.staff_members()") }, label) { e in
                XCTAssertEqual((e as? DatabaseError)?.sqlState, "28000", label)
            }
        }
    }
}
