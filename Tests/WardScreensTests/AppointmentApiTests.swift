import Foundation
import WardCore
import WardDB
import WardClient
@testable import WardScreens
import WardTerm
import XCTest

/// The appointment screens' requests against a real, migrated database with the demo data,
/// as `ward_app` with real sessions: what the screens read, the sentences they show when
/// the database refuses, and that nothing crosses clinics.
final class AppointmentApiTests: XCTestCase {
    nonisolated(unsafe) static var cluster: ThrowawayCluster?
    nonisolated(unsafe) static var setupError: String?
    var conn: Connection!

    override class func setUp() {
        do {
            let c = try ThrowawayCluster.start()
            cluster = c
            try Connection(c.dsn()).executeScript("CREATE DATABASE ward")
            let owner = try Connection(c.dsn(database: "ward"))
            try Migrator(connection: owner).migrate()
            try DemoSeed.load(owner, masterKey: try MasterKey.create(at: c.directory + "/master.key"))
        } catch {
            setupError = "\(error)"
        }
    }

    override class func tearDown() {
        cluster?.stop()
    }

    override func setUpWithError() throws {
        // A missing database fails every test here rather than skipping it.
        if let e = Self.setupError { throw UserError("the test database could not be set up: \(e)") }
        conn = try Connection(Self.cluster!.dsn(database: "ward", user: "ward_app"))
    }

    func login(_ clinic: String, _ user: String) throws -> String {
        try XCTUnwrap(run(Api.login(clinic: clinic, username: user, password: "clinic-demo"), nil))
    }

    /// A request as the backend sends it: in one transaction with the session token set
    /// transaction-locally; a refusal becomes the screen's sentence.
    func run<T>(_ r: Request<T>, _ token: String?) throws -> T {
        do {
            if let token { return try conn.withSession(token) { try r.decode($0.query(r.sql, r.params)) } }
            return try r.decode(conn.query(r.sql, r.params))
        } catch let e as DatabaseError {
            throw UserError(e)
        }
    }

    func refusal<T>(_ r: Request<T>, _ token: String, file: StaticString = #filePath, line: UInt = #line) -> UserError? {
        do {
            _ = try run(r, token)
            XCTFail("expected a refusal", file: file, line: line)
            return nil
        } catch let e as UserError {
            return e
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return nil
        }
    }

    func patient(_ q: String, _ token: String) throws -> Api.PatientHit {
        try XCTUnwrap(run(Api.searchPatients(q), token).first, "no patient for \(q)")
    }

    func clinician(_ username: String, _ token: String) throws -> Api.Clinician {
        try XCTUnwrap(run(Api.clinicians, token).first { $0.username == username })
    }

    let london = ClinicClock(timeZoneIdentifier: "Europe/London")
    /// Today in London by the run's (pinned) clock.
    var londonToday: CalendarDate { london.today(TestClock.now()) }

    /// A free morning far enough ahead that the demo's appointments never reach it.
    func freeDay(weeksAhead: Int) -> CalendarDate {
        var c = AppointmentCalendar(day: londonToday)
        c.moveWeeks(weeksAhead)
        return c.weekStart
    }

    func testClashIsRefusedWithASentenceNamingTheClashingAppointment() throws {
        let desk = try login("northside", "fiona")
        let zoe = try patient("zoe", desk), mary = try patient("mary", desk), sam = try clinician("sam", desk)
        let day = freeDay(weeksAhead: 6)
        let start = try AppointmentInput.start(date: DateOrder.dmy.format(day), time: "07:00", order: .dmy, clock: london).get()
        let id = try run(Api.bookAppointment(patient: zoe.id, clinician: sam.id, startsAt: start, minutes: 30,
                                             reason: "check-up"), desk)
        XCTAssertNotNil(id)

        let clash = refusal(Api.bookAppointment(patient: mary.id, clinician: sam.id, startsAt: start.addingTimeInterval(15 * 60),
                                                minutes: 30, reason: "second"), desk)
        XCTAssertEqual(clash?.message, "Sam Okafor is already booked on \(DateOrder.dmy.format(day)) from 07:00 to 07:30 (Zoë Ng).")
        XCTAssertEqual(clash?.field, "starts_at", "the form puts the sentence beside the time")
        XCTAssertEqual(clash?.sqlState, "23P01")

        // Moving another appointment onto it is refused the same way.
        let other = try XCTUnwrap(run(Api.bookAppointment(patient: mary.id, clinician: sam.id,
                                                          startsAt: start.addingTimeInterval(3600), minutes: 30, reason: "x"), desk))
        let move = refusal(Api.rescheduleAppointment(other, startsAt: start.addingTimeInterval(600), minutes: 20), desk)
        XCTAssertEqual(move?.message, "Sam Okafor is already booked on \(DateOrder.dmy.format(day)) from 07:00 to 07:30 (Zoë Ng).")
        // Touching ends are not a clash.
        XCTAssertNoThrow(try run(Api.rescheduleAppointment(other, startsAt: start.addingTimeInterval(1800), minutes: 30), desk))
    }

    func testAClinicThatLostConsentDoesNotLearnTheNameFromAClash() throws {
        let desk = try login("northside", "fiona")
        let noah = try patient("williams noah", desk), emma = try patient("brown emma", desk), sam = try clinician("sam", desk)
        let start = try AppointmentInput.start(date: freeDay(weeksAhead: 7).iso, time: "07:00", order: .dmy, clock: london).get()
        _ = try run(Api.bookAppointment(patient: noah.id, clinician: sam.id, startsAt: start, minutes: 30, reason: "r"), desk)
        try conn.withSession(desk) { _ = try $0.query("SELECT api.revoke_consent($1, 'moved away')", [noah.id]) }

        let clash = refusal(Api.bookAppointment(patient: emma.id, clinician: sam.id, startsAt: start, minutes: 30, reason: "r"), desk)
        XCTAssertTrue(clash?.message.hasSuffix("(a patient whose profile is not shared with this clinic).") ?? false,
                      clash?.message ?? "")
        XCTAssertFalse(clash?.message.contains("Noah") ?? true)
        XCTAssertFalse(clash?.message.contains("Williams") ?? true)

        // The day view still lists the appointment, by chart number only.
        let range = AppointmentCalendar(day: london.date(start)).range(in: london)
        let rows = try run(Api.schedule(clinician: sam.id, from: range.from, to: range.to), desk)
        XCTAssertEqual(rows.map(\.patientName), ["chart \(noah.chartNo) (profile not shared)"])
    }

    /// What the day and week views read is exactly what the clinic has on those days in its
    /// own time zone, whatever day the run is pinned to.
    func testDayViewReadsTheClinicsOwnDayInItsTimeZone() throws {
        let sam = try login("northside", "sam")
        let me = try clinician("sam", sam)
        let owner = try Connection(Self.cluster!.dsn(database: "ward"))
        func held(_ from: Date, _ to: Date) throws -> [Date] {
            try owner.query("""
                SELECT lower(a.during) AS s FROM ward.appointments a JOIN ward.tenants t ON t.id = a.tenant_id
                 WHERE t.code = 'northside' AND a.clinician_id = $1 AND lower(a.during) >= $2 AND lower(a.during) < $3
                 ORDER BY 1
                """, [me.id, from, to]).rows.map { try $0.timestamp("s")! }
        }
        let today = AppointmentCalendar(day: londonToday).range(in: london)
        let rows = try run(Api.schedule(clinician: me.id, from: today.from, to: today.to), sam)
        XCTAssertFalse(rows.isEmpty, "the demo has visits today, weekends included")
        XCTAssertEqual(rows.map(\.startsAt), try held(today.from, today.to))
        XCTAssertTrue(rows.allSatisfy { london.date($0.startsAt) == londonToday })
        XCTAssertTrue(rows.allSatisfy { $0.clinician == "Sam Okafor" })
        let week = AppointmentCalendar(day: londonToday, mode: .week).range(in: london)
        let weekRows = try run(Api.schedule(clinician: me.id, from: week.from, to: week.to), sam)
        XCTAssertEqual(weekRows.map(\.startsAt), try held(week.from, week.to))
        XCTAssertGreaterThanOrEqual(weekRows.count, 17, "twenty weekday visits, at most three of them giving way")
    }

    struct Visit { var start, end: Date; var status: String }

    /// docs/DESIGN.md section 5, at the run's now (pinned or real): for every specialist of every clinic, in
    /// the clinic's zone, a visit checked in, one in the next hour, one later that day when
    /// the day has room, visits the day before and after, and the weekday visits of the
    /// week, each there or giving way to one of the others.
    func testTheDemoIsLaidOutAroundNowInEachClinicsZone() throws {
        let owner = try Connection(Self.cluster!.dsn(database: "ward"))
        // When the seed ran, by the run's clock (created_at defaults to ward.now()).
        let seeded = try owner.query("SELECT min(created_at) AS t FROM ward.appointments").first!.timestamp("t")!
        XCTAssertGreaterThanOrEqual(seeded, (TestClock.pinned ?? TestClock.realStart).addingTimeInterval(-5),
                                    "the seed ran on the run's clock")
        XCTAssertLessThanOrEqual(seeded, TestClock.now())
        let now5 = Date(timeIntervalSince1970: (seeded.timeIntervalSince1970 / 300).rounded(.down) * 300)
        for (code, zone) in [("northside", "Europe/London"), ("riverside", "America/New_York"), ("lakeside", "Australia/Sydney")] {
            let clock = ClinicClock(timeZoneIdentifier: zone)
            let day = clock.date(seeded)
            let specialists = try owner.query("""
                SELECT m.staff_id FROM ward.memberships m JOIN ward.tenants t ON t.id = m.tenant_id
                 WHERE t.code = $1 AND m.role = 'specialist'
                """, [code]).rows.map { try $0.uuid("staff_id")! }
            XCTAssertFalse(specialists.isEmpty, code)
            for who in specialists {
                let visits = try owner.query("""
                    SELECT lower(a.during) AS s, upper(a.during) AS e, a.status FROM ward.appointments a
                      JOIN ward.tenants t ON t.id = a.tenant_id WHERE t.code = $1 AND a.clinician_id = $2
                       AND a.created_at = (SELECT min(created_at) FROM ward.appointments) -- the seed's transaction
                    """, [code, who]).rows.map {
                    Visit(start: try $0.timestamp("s")!, end: try $0.timestamp("e")!, status: try $0.string("status")!)
                }
                let say = "\(code) \(who) seeded at \(seeded)"
                let checkedIn = visits.filter { $0.status == "checked_in" }
                XCTAssertEqual(checkedIn.count, 1, say)
                XCTAssertEqual(checkedIn.first?.start, max(now5.addingTimeInterval(-900), clock.startOfDay(day)), say)
                XCTAssertTrue(checkedIn.allSatisfy { $0.start <= seeded && clock.date($0.start) == day }, say)
                XCTAssertTrue(visits.contains { $0.status == "booked" && $0.start == now5.addingTimeInterval(1800) },
                              "one in the next hour: \(say)")
                let later = min(now5.addingTimeInterval(7200), clock.instant(on: day, at: "23:30")!)
                if later >= now5.addingTimeInterval(3000) {
                    XCTAssertTrue(visits.contains { $0.status == "booked" && $0.start == later && clock.date($0.start) == day },
                                  "one later that day: \(say)")
                } else {
                    XCTAssertFalse(visits.contains { $0.start > now5.addingTimeInterval(1800) && clock.date($0.start) == day },
                                   "no room later that day: \(say)")
                }
                for (offset, status) in [(-1, "completed"), (1, "booked")] {
                    let at = clock.instant(on: AppointmentCalendar.add(offset, to: day), at: "10:00")!
                    XCTAssertTrue(visits.contains { $0.start == at && $0.status == status }, "10:00 on day \(offset): \(say)")
                }
                let monday = AppointmentCalendar(day: day, mode: .week).weekStart
                for d in 0..<5 {
                    for time in ["09:00", "11:00", "13:00", "15:00"] {
                        let at = clock.instant(on: AppointmentCalendar.add(d, to: monday), at: time)!
                        let slot = visits.first { $0.start == at && $0.end == at.addingTimeInterval(1800) }
                        if let slot {
                            XCTAssertEqual(slot.status, at < seeded ? "completed" : "booked", "\(at): \(say)")
                        } else {
                            XCTAssertTrue(visits.contains { $0.start < at.addingTimeInterval(1800) && $0.end > at },
                                          "\(at) gave way to another visit: \(say)")
                        }
                    }
                }
            }
        }
    }

    /// Swift and PostgreSQL agree on the nights the clocks change, and a booking typed in a
    /// repeated hour is stored as the instant the user picked and reads back with its offset.
    func testARepeatedHourIsStoredAsTheInstantPickedAndPostgreSQLAgrees() throws {
        let owner = try Connection(Self.cluster!.dsn(database: "ward"))
        func pg(_ sql: String, _ params: [any SQLValueConvertible]) throws -> Date {
            try owner.query(sql, params).first!.timestamp("t")!
        }
        // With the offset typed, both read the same instant.
        for (zone, date, typed, text) in [
            ("Europe/London", "2027-10-31", "01:30 +01:00", "2027-10-31 01:30+01"),
            ("Europe/London", "2027-10-31", "01:30 +00:00", "2027-10-31 01:30+00"),
            ("America/New_York", "2027-11-07", "01:30 -04:00", "2027-11-07 01:30-04"),
            ("America/New_York", "2027-11-07", "01:30 -05:00", "2027-11-07 01:30-05"),
        ] {
            let swift = try AppointmentInput.start(date: date, time: typed, order: .iso,
                                                   clock: ClinicClock(timeZoneIdentifier: zone)).get()
            XCTAssertEqual(swift, try pg("SELECT $1::timestamptz AS t", [text]), "\(zone) \(typed)")
        }
        // An ordinary time either side of a change: PostgreSQL's AT TIME ZONE and Swift agree.
        for (zone, date, time) in [("Europe/London", "2027-03-28", "00:30"), ("Europe/London", "2027-03-28", "02:30"),
                                   ("America/New_York", "2027-03-14", "03:30"), ("Europe/London", "2027-10-31", "02:30"),
                                   ("America/New_York", "2027-11-07", "00:30"), ("Australia/Sydney", "2027-04-04", "03:30")] {
            let swift = try AppointmentInput.start(date: date, time: time, order: .iso,
                                                   clock: ClinicClock(timeZoneIdentifier: zone)).get()
            XCTAssertEqual(swift, try pg("SELECT ($1::timestamp AT TIME ZONE $2) AS t", ["\(date) \(time)", zone]),
                           "\(zone) \(date) \(time)")
        }
        // Where PostgreSQL silently takes one of the two (London's repeated 01:30 as +00:00)
        // or moves a skipped time on, the app asks instead of guessing.
        XCTAssertEqual(try pg("SELECT ($1::timestamp AT TIME ZONE $2) AS t", ["2027-10-31 01:30", "Europe/London"]),
                       ISO8601DateFormatter().date(from: "2027-10-31T01:30:00Z"))
        XCTAssertEqual(AppointmentInput.start(date: "2027-10-31", time: "01:30", order: .iso, clock: london),
                       .failure(.repeatedTime("01:30", "2027-10-31", "Europe/London", ["+01:00", "+00:00"])))

        // Alice (an admin who can be booked) has no demo visits that could clash.
        let desk = try login("northside", "fiona")
        let zoe = try patient("zoe", desk), alice = try clinician("alice", desk)
        let day = CalendarDate(year: 2027, month: 10, day: 31)!
        var booked: [Date] = []
        for typed in ["01:30 +00:00", "01:30 +01:00"] {
            let start = try AppointmentInput.start(date: day.iso, time: typed, order: .iso, clock: london).get()
            XCTAssertNotNil(try run(Api.bookAppointment(patient: zoe.id, clinician: alice.id, startsAt: start, minutes: 30,
                                                        reason: "autumn night"), desk))
            booked.append(start)
        }
        let range = AppointmentCalendar(day: day).range(in: london)
        let rows = try run(Api.schedule(clinician: alice.id, from: range.from, to: range.to), desk)
        XCTAssertEqual(rows.map(\.startsAt), booked.sorted())
        XCTAssertEqual(rows.map { london.time($0.startsAt) }, ["01:30 +01:00", "01:30 +00:00"], "each shown with its offset")
    }

    func testSamWorksAtTwoClinicsAndEachSeesOnlyItsOwnAppointments() throws {
        let north = try login("northside", "sam"), river = try login("riverside", "sam")
        let samID = try clinician("sam", north).id
        XCTAssertEqual(try clinician("sam", river).id, samID, "one person, two memberships")
        let from = london.startOfDay(AppointmentCalendar.add(-7, to: londonToday))
        let to = from.addingTimeInterval(21 * 86_400)
        let northRows = try run(Api.schedule(clinician: samID, from: from, to: to), north)
        let riverRows = try run(Api.schedule(clinician: samID, from: from, to: to), river)
        XCTAssertFalse(northRows.isEmpty)
        XCTAssertFalse(riverRows.isEmpty)
        XCTAssertTrue(Set(northRows.map(\.id)).isDisjoint(with: riverRows.map(\.id)), "an appointment crossed clinics")
        XCTAssertTrue(northRows.allSatisfy { $0.chartNo.hasPrefix("N-") }, "northside charts only")
        XCTAssertTrue(riverRows.allSatisfy { $0.chartNo.hasPrefix("R-") }, "riverside charts only")
        XCTAssertFalse(riverRows.contains { $0.familyName == "Ng" }, "Zoë Ng is a northside-only patient")
    }

    func testAnotherClinicCannotTouchAnAppointmentItDoesNotOwn() throws {
        let north = try login("northside", "fiona"), dana = try login("riverside", "dana")
        let sam = try clinician("sam", north), zoe = try patient("zoe", north)
        let start = try AppointmentInput.start(date: freeDay(weeksAhead: 8).iso, time: "08:00", order: .iso, clock: london).get()
        let id = try XCTUnwrap(run(Api.bookAppointment(patient: zoe.id, clinician: sam.id, startsAt: start, minutes: 30,
                                                       reason: "r"), north))

        XCTAssertEqual(refusal(Api.cancelAppointment(id, reason: "mine now"), dana)?.message, "No booked appointment to cancel.")
        XCTAssertEqual(refusal(Api.setAppointmentStatus(id, to: "no_show"), dana)?.message, "That appointment is no longer open.")
        XCTAssertEqual(refusal(Api.rescheduleAppointment(id, startsAt: start.addingTimeInterval(86_400), minutes: 30), dana)?.message,
                       "No such appointment.")
        // Nor book a northside patient there: the patient is not at riverside.
        let river = try clinician("victor", dana)
        XCTAssertEqual(refusal(Api.bookAppointment(patient: zoe.id, clinician: river.id, startsAt: start, minutes: 30, reason: ""),
                               dana)?.field, "patient")

        let range = AppointmentCalendar(day: london.date(start)).range(in: london)
        let rows = try run(Api.schedule(clinician: sam.id, from: range.from, to: range.to), north)
        XCTAssertEqual(rows.map(\.status), ["booked"], "the northside appointment is untouched")
        XCTAssertEqual(rows.first?.startsAt, start)
    }

    func testCheckInNoShowAndCancelFollowTheRolesPermissions() throws {
        let desk = try login("northside", "fiona"), sam = try login("northside", "sam"), bruno = try login("northside", "bruno")
        let zoe = try patient("zoe", desk), doc = try clinician("sam", desk)
        let start = try AppointmentInput.start(date: freeDay(weeksAhead: 9).iso, time: "07:00", order: .iso, clock: london).get()
        let book = { (offset: Double) in
            try XCTUnwrap(self.run(Api.bookAppointment(patient: zoe.id, clinician: doc.id, startsAt: start.addingTimeInterval(offset),
                                                       minutes: 30, reason: "r"), desk))
        }
        let a = try book(0), b = try book(3600), c = try book(7200)

        XCTAssertEqual(refusal(Api.bookAppointment(patient: zoe.id, clinician: doc.id, startsAt: start.addingTimeInterval(9000),
                                                   minutes: 30, reason: ""), bruno)?.sqlState, "42501", "billing reads only")
        XCTAssertEqual(refusal(Api.setAppointmentStatus(a, to: "checked_in"), sam)?.sqlState, "42501",
                       "a specialist does not check patients in")
        XCTAssertEqual(refusal(Api.cancelAppointment(a, reason: "no"), sam)?.sqlState, "42501")

        try run(Api.setAppointmentStatus(a, to: "checked_in"), desk)
        try run(Api.setAppointmentStatus(b, to: "no_show"), desk)
        let noReason = refusal(Api.cancelAppointment(c, reason: "  "), desk)
        XCTAssertEqual(noReason?.message, "Give a reason for the cancellation.")
        XCTAssertEqual(noReason?.field, "reason")
        try run(Api.cancelAppointment(c, reason: "patient unwell"), desk)
        XCTAssertEqual(refusal(Api.rescheduleAppointment(a, startsAt: start.addingTimeInterval(86_400), minutes: 30), desk)?.message,
                       "Only a booked appointment can be moved.")

        let range = AppointmentCalendar(day: london.date(start)).range(in: london)
        let rows = try run(Api.schedule(clinician: doc.id, from: range.from, to: range.to), desk)
        XCTAssertEqual(rows.map(\.status), ["checked_in", "no_show", "cancelled"])
        // A cancelled slot is free again.
        XCTAssertNoThrow(try book(7200))
    }
}
