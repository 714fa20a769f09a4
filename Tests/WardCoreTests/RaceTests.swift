import Foundation
import WardCore
import WardDB
import XCTest

/// Races that real front desks run into: many terminals booking one clinician at once,
/// two desks signing and revoking one patient's consent at once, many terminals writing
/// audit events into one clinic's chain at once. Each thread has its own connection; the
/// outcome is checked by the owner afterwards, never by timing.
final class RaceTests: XCTestCase {
    override class func setUp() { keepLogOutOfHome() }

    func testThousandOverlappingBookingsNeverDoubleBook() throws {
        let db = try DemoDatabase.fresh()
        let dsn = db.appDSN
        let setup = try Connection(dsn)
        let token = try demoLogin(setup, "northside", "fiona")
        let (patient, clinician) = try setup.withSession(token) { c in
            (try c.query("SELECT patient_id FROM api.search_patients('zoe')").first!.string(0)!,
             try c.query("SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'").first!.string(0)!)
        }
        // 1,000 attempts of 30 minutes, starting every 5 minutes over one day far ahead:
        // each overlaps the five before and after it.
        let base = try db.owner.query("SELECT date_trunc('day', now() + interval '400 days') AS d").first!.timestamp("d")!
        let attempts = 1_000, threads = 16
        let tally = Tally()
        let errors = Outcomes()
        runThreads(threads) { t in
            do {
                let c = try Connection(dsn)
                for k in stride(from: t, to: attempts, by: threads) {
                    let start = base.addingTimeInterval(Double(k % 288) * 300)
                    do {
                        try c.send("SELECT api.book_appointment($1::uuid, $2::uuid, $3, 30, 'race')",
                                   [patient, clinician, start], session: token)
                        _ = try c.wait()
                        tally.count()
                    } catch let e as DatabaseError {
                        errors.add(userErrorHasSentence(e) ? e.sqlState : "\(e)")
                    }
                }
            } catch { errors.add("\(error)") }
        }
        let overlaps = try db.owner.query("""
            SELECT count(*) AS n FROM ward.appointments a JOIN ward.appointments b
              ON a.tenant_id = b.tenant_id AND a.clinician_id = b.clinician_id AND a.id < b.id AND a.during && b.during
             WHERE a.clinician_id = $1 AND a.status = 'booked' AND b.status = 'booked'
            """, [clinician]).first!.int("n")!
        // Only clashes (23P01): bookings for one clinician queue on an advisory lock, so two overlapping
        // inserts no longer wait for each other's exclusion check until one is aborted as
        // a deadlock (40P01, "busy, try again" instead of the clash named).
        let unexpected = errors.all.compactMap { $0 }.filter { $0 != "23P01" }
        print("races: \(attempts) overlapping booking attempts, \(tally.transactions) booked, \(overlaps) overlaps, "
              + "\(errors.all.filter { $0 == "40P01" }.count) deadlocks")
        XCTAssertEqual(overlaps, 0)
        XCTAssertGreaterThan(tally.transactions, 0, "some bookings succeed")
        XCTAssertGreaterThan(errors.all.count, 0, "control: most attempts clash")
        XCTAssertEqual(tally.transactions + errors.all.count, attempts)
        XCTAssertEqual(unexpected, [], "only a clash is expected")
    }

    func testConcurrentSignAndRevokeLeaveOneConsistentState() throws {
        let db = try DemoDatabase.fresh()
        let dsn = db.appDSN
        let setup = try Connection(dsn)
        // Two desks of northside; each may look a profile up 10 times in 10 minutes.
        let desks = try ["fiona", "alice"].map { try demoLogin(setup, "northside", $0) }
        let who = try setup.withSession(desks[0]) { c in
            try c.query("SELECT patient_id, family_name, given_name, date_of_birth FROM api.search_patients('zoe')").first!
        }
        let patient = try who.string("patient_id")!
        let errors = Outcomes()
        runThreads(2) { d in
            do {
                let c = try Connection(dsn)
                for round in 0..<9 {
                    do {
                        try c.withSession(desks[d]) { c in
                            try c.query("SELECT api.revoke_consent($1::uuid, $2)", [patient, "race round \(round)"])
                        }
                        try c.withSession(desks[d]) { c in
                            let handle = try c.query("SELECT handle FROM api.find_portable_profile($1, $2, $3::date)",
                                                     [try who.string("family_name")!, try who.string("given_name")!,
                                                      try who.string("date_of_birth")!]).first?.string("handle")
                            if let handle {
                                try c.query("SELECT * FROM api.sign_consent($1, 'Signed in a race', 'v1')", [handle])
                            }
                        }
                    } catch let e as DatabaseError {
                        errors.add(userErrorHasSentence(e) ? nil : "\(e)")
                    }
                }
            } catch { errors.add("\(error)") }
        }
        let live = try db.owner.query("""
            SELECT count(*) AS n FROM ward.profile_consents c JOIN ward.tenants t ON t.id = c.tenant_id
             WHERE t.code = 'northside' AND c.patient_id = $1 AND c.revoked_at IS NULL
            """, [patient]).first!.int("n")!
        let visible = try setup.withSession(desks[0]) { c in
            try c.query("SELECT count(*) AS n FROM api.search_patients($2) WHERE patient_id = $1::uuid",
                        [patient, try who.string("family_name")!]).first!.int("n")!
        }
        print("races: consent sign/revoke, \(errors.all.count) refused steps, final live consents \(live)")
        XCTAssertLessThanOrEqual(live, 1, "at most one live consent per clinic and patient")
        XCTAssertEqual(visible, live, "the profile is visible exactly when a live consent exists")
        XCTAssertEqual(errors.all.compactMap { $0 }, [], "every refused step has a sentence for the user")
        XCTAssertTrue(try AuditChainVerifier(connection: db.owner).run().allSatisfy { $0.brokenAt == nil })
    }

    func testConcurrentAuditWritersKeepTheChain() throws {
        let db = try DemoDatabase.fresh()
        let dsn = db.appDSN
        let setup = try Connection(dsn)
        let token = try demoLogin(setup, "northside", "fiona")
        let events = { try db.owner.query("""
            SELECT count(*) AS n FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id WHERE t.code = 'northside'
            """).first!.int("n")! }
        let before = try events()
        let threads = 16, each = 40
        let errors = Outcomes()
        runThreads(threads) { t in
            do {
                let c = try Connection(dsn)
                for k in 0..<each {
                    // An audited read: one 'patient.search' event in northside's chain.
                    try c.send("SELECT count(*) FROM api.search_patients($1)", ["race \(t) \(k)"], session: token)
                    _ = try c.wait()
                }
            } catch { errors.add("\(error)") }
        }
        XCTAssertEqual(errors.all.compactMap { $0 }, [])
        XCTAssertEqual(try events() - before, threads * each, "every audited action left exactly one event")
        let results = try AuditChainVerifier(connection: db.owner).run()
        print("races: \(threads * each) concurrent audit events, chains: "
              + results.map { "\($0.clinic) \($0.brokenAt == nil ? "ok" : "BROKEN")" }.joined(separator: ", "))
        XCTAssertFalse(results.isEmpty)
        XCTAssertTrue(results.allSatisfy { $0.brokenAt == nil }, AuditChainVerifier.render(results))
    }

    /// n threads of their own, all running at once.
    func runThreads(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for i in 0..<n {
            group.enter()
            Thread { body(i); group.leave() }.start()
        }
        group.wait()
    }
}
