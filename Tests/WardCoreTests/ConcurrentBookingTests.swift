import Foundation
import WardCore
import WardDB
import XCTest

/// Two front desks book the same clinician at the same time on two connections: the
/// exclusion constraint lets exactly one through, whatever the interleaving.
final class ConcurrentBookingTests: XCTestCase {
    func testTwoOverlappingBookingsExactlyOneSucceeds() throws {
        let cluster = try ThrowawayCluster.start()
        defer { cluster.stop() }
        try Connection(cluster.dsn()).executeScript("CREATE DATABASE ward")
        let owner = try Connection(cluster.dsn(database: "ward"))
        try Migrator(connection: owner).migrate()
        try DemoSeed.load(owner, masterKey: TestKeys.fresh())

        let app = cluster.dsn(database: "ward", user: "ward_app")
        let sessions = try ["fiona", "alice"].map { user -> (Connection, String) in
            let c = try Connection(app)
            let token = try c.query("SELECT api.login('northside', $1, 'clinic-demo') AS t", [user]).first!.string("t")!
            return (c, token)
        }
        let (setup, token) = sessions[0]
        let ids = try setup.withSession(token) { c in
            (try c.query("SELECT patient_id FROM api.search_patients('zoe')").first!.string("patient_id")!,
             try c.query("SELECT patient_id FROM api.search_patients('mary')").first!.string("patient_id")!,
             try c.query("SELECT staff_id FROM api.clinician_list() WHERE username = 'sam'").first!.string("staff_id")!)
        }
        let start = TestClock.now().addingTimeInterval(40 * 86_400)
        let patients = [ids.0, ids.1]

        // Both transactions insert overlapping slots while the other is still open (each
        // stays open a moment after booking): the later one waits on the earlier one's
        // uncommitted row and is refused once it commits.
        let outcomes = Outcomes()
        let group = DispatchGroup()
        for (i, (c, t)) in sessions.enumerated() {
            group.enter()
            let conn = UncheckedBox(c)
            DispatchQueue.global().async {
                do {
                    try conn.value.withSession(t) { c in
                        try c.query("SELECT api.book_appointment($1::uuid, $2::uuid, $3, 30, 'race')",
                                    [patients[i], ids.2, start.addingTimeInterval(Double(i) * 600)])
                        try c.query("SELECT pg_sleep(0.3)")
                    }
                    outcomes.add(nil)
                } catch {
                    outcomes.add("\(error)")
                }
                group.leave()
            }
        }
        group.wait()
        let errors = outcomes.all
        XCTAssertEqual(errors.filter { $0 == nil }.count, 1, "exactly one booking succeeds: \(errors)")
        XCTAssertTrue(errors.compactMap { $0 }.first?.contains("already booked") ?? false, "\(errors)")
        let booked = try owner.query("SELECT count(*) AS n FROM ward.appointments WHERE reason = 'race'").first!.int("n")
        XCTAssertEqual(booked, 1)
    }
}

final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String?] = []
    func add(_ e: String?) { lock.lock(); list.append(e); lock.unlock() }
    var all: [String?] { lock.lock(); defer { lock.unlock() }; return list }
}

struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
