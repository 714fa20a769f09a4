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

    /// A free morning far enough ahead that the demo's appointments never reach it.
    func freeDay(weeksAhead: Int) -> CalendarDate {
        var c = AppointmentCalendar(day: london.today())
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

    func testDayViewReadsTheClinicsOwnDayInItsTimeZone() throws {
        let sam = try login("northside", "sam")
        let me = try clinician("sam", sam)
        // The demo books 09:00, 11:00, 13:00 and 15:00 (clinic time) Monday to Friday of this week.
        let monday = AppointmentCalendar(day: london.today(), mode: .week).weekStart
        let range = AppointmentCalendar(day: monday).range(in: london)
        let rows = try run(Api.schedule(clinician: me.id, from: range.from, to: range.to), sam)
        XCTAssertEqual(rows.map { london.time($0.startsAt) }, ["09:00", "11:00", "13:00", "15:00"])
        XCTAssertEqual(Set(rows.map(\.minutes)), [30])
        XCTAssertTrue(rows.allSatisfy { $0.clinician == "Sam Okafor" && $0.familyName != nil })
        let week = AppointmentCalendar(day: monday, mode: .week).range(in: london)
        XCTAssertEqual(try run(Api.schedule(clinician: me.id, from: week.from, to: week.to), sam).count, 20)
    }

    func testSamWorksAtTwoClinicsAndEachSeesOnlyItsOwnAppointments() throws {
        let north = try login("northside", "sam"), river = try login("riverside", "sam")
        let samID = try clinician("sam", north).id
        XCTAssertEqual(try clinician("sam", river).id, samID, "one person, two memberships")
        let from = london.instant(on: AppointmentCalendar.add(-7, to: london.today()), at: "00:00")!
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
