import Foundation
import WardDB
import XCTest

/// The appointment screens in the real `ward`, at 80x24, against a migrated database with
/// the demo data, laid out around the run's clock (WARD_TEST_NOW, or the real now at the
/// run's start): Northside's specialist (Sam Okafor) has visits around now, the day before
/// and after, and Monday to Friday of the current week. What a test expects on a given day
/// it reads from that clock and from the database; the tests book next week, which stays
/// free but for the day after today.
final class AppointmentE2ETests: DemoE2ECase {
    func loginAndWait(_ s: TmuxSession, clinic: String = "northside", user: String) throws {
        login(s, clinic: clinic, user: user)
        _ = try s.waitFor(text: "Welcome,")
    }

    // Northside's calendar: Europe/London, dates DD/MM/YYYY.
    static let london: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Europe/London")!
        return c
    }()

    /// Today in London by the run's clock, moved by `days`.
    func londonDay(_ days: Int) -> Date { Self.london.date(byAdding: .day, value: days, to: TestClock.now())! }

    /// 1 = Monday ... 7 = Sunday, in London, by the run's clock.
    var todayWeekday: Int { (Self.london.component(.weekday, from: TestClock.now()) + 5) % 7 + 1 }

    /// Sam's demo visits at Northside starting in [from, to): London time ("09:00", or with
    /// its offset in an hour the clocks repeat) and status as the screen words it.
    func samsVisits(from: Date, to: Date) throws -> [(start: Date, time: String, status: String)] {
        let owner = try Connection(try ownerDSN())
        defer { owner.close() }
        return try owner.query("""
            SELECT lower(a.during) AS s, a.status FROM ward.appointments a
              JOIN ward.tenants t ON t.id = a.tenant_id JOIN ward.staff st ON st.id = a.clinician_id
             WHERE t.code = 'northside' AND st.username = 'sam' AND lower(a.during) >= $1 AND lower(a.during) < $2
             ORDER BY 1
            """, [from, to]).rows.map { r in
            let start = try r.timestamp("s")!
            let status = try r.string("status")!
            return (start, hhmm(start), status == "checked_in" ? "checked in" : status)
        }
    }

    func hhmm(_ d: Date) -> String {
        let c = Self.london.dateComponents([.hour, .minute], from: d)
        return String(format: "%02d:%02d", c.hour!, c.minute!)
    }

    /// London midnight starting the day of `d`.
    func midnight(_ d: Date) -> Date { Self.london.startOfDay(for: d) }

    /// The day `weekday` (1 = Monday) of next week, counted from today in London.
    func nextWeeks(_ weekday: Int) -> Date { londonDay(7 + weekday - todayWeekday) }

    func dmy(_ d: Date) -> String {
        let c = Self.london.dateComponents([.year, .month, .day], from: d)
        return String(format: "%02d/%02d/%04d", c.day!, c.month!, c.year!)
    }

    func dayName(_ d: Date) -> String {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][
            (Self.london.component(.weekday, from: d) + 5) % 7]
    }

    func row(_ screen: [String], _ parts: String...) -> Bool {
        screen.contains { line in parts.allSatisfy { line.contains($0) } }
    }

    /// Waits until `ok` holds for the screen; throws with the screen if it never does.
    @discardableResult
    func waitUntil(_ s: TmuxSession, _ what: String, escapes: Bool = false, _ ok: ([String]) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(10)
        var screen: [String] = []
        repeat {
            screen = s.capture(escapes: escapes)
            if ok(screen) { return screen }
            usleep(50_000)
        } while Date() < deadline
        throw SpawnError("timed out waiting for \(what):\n" + dump(screen))
    }

    /// The heading row (clinician and day) contains `text`.
    @discardableResult
    func waitForHeading(_ s: TmuxSession, _ text: String) throws -> [String] {
        try waitUntil(s, "heading '\(text)'") { $0.count > 1 && $0[1].contains(text) }
    }

    /// Some row contains all of `parts` (a loaded appointment row).
    @discardableResult
    func waitForRow(_ s: TmuxSession, _ parts: String...) throws -> [String] {
        try waitUntil(s, "a row with \(parts)") { screen in screen.contains { l in parts.allSatisfy { l.contains($0) } } }
    }

    func dump(_ screen: [String]) -> String { screen.map { "|\($0)" }.joined(separator: "\n") }

    /// From the appointments screen: opens the booking form, picks the patient by typing,
    /// and fills the fields (the date only when given; it starts as the shown day).
    func fillBooking(_ s: TmuxSession, search: String, pick: String, date: String?, time: String, reason: String) throws {
        s.sendKeys("b")
        _ = try s.waitFor(text: "Book an appointment")
        s.typeText(search)
        _ = try s.waitFor(text: pick)
        s.sendKeys("Enter")                  // takes the patient, on to the clinician
        s.sendKeys("Tab")                    // the clinician is the one shown
        if let date { s.sendKeys("C-u"); s.typeText(date) }
        s.sendKeys("Tab")
        s.typeText(time); s.sendKeys("Tab")
        s.sendKeys("Tab")                    // 30 minutes
        s.typeText(reason)
    }

    func testFrontDeskBooksAndAnOverlappingBookingIsRefusedNamingTheClashKeepingTheForm() throws {
        let s = try startWard()
        try loginAndWait(s, user: "fiona")
        s.sendKeys("b")
        // Front desk is no clinician: the list starts at the first one, and cycles.
        var screen = try waitForHeading(s, "Alice Archer")
        XCTAssertTrue(row(screen, "Book", "Check in", "No-show", "Move", "Cancel"), "front desk may do it all: \(dump(screen))")
        s.sendKeys("c")
        screen = try waitForHeading(s, "Sam Okafor")

        let wednesday = dmy(nextWeeks(3))
        try fillBooking(s, search: "zoe", pick: "Ng, Zoë  30/09/1991", date: wednesday, time: "07:00", reason: "first visit")
        s.sendKeys("Enter")
        screen = try s.waitFor(text: "Booked Zoë Ng with Sam Okafor on \(wednesday) at 07:00.")
        XCTAssertTrue(screen[1].contains("Wednesday \(wednesday)"), "the view moved to the booked day: \(dump(screen))")
        try waitForRow(s, "07:00", "30", "Ng, Zoë", "first visit", "booked")

        // The same clinician a quarter of an hour later: the database refuses and names the clash.
        try fillBooking(s, search: "mary", pick: "O'Brien, Mary", date: nil, time: "07:15", reason: "second visit")
        s.sendKeys("Enter")
        screen = try s.waitFor(text: "Sam Okafor is already booked on \(wednesday) from 07:00 to 07:30 (Zoë Ng).")
        XCTAssertTrue(screen.contains { $0.contains("Book an appointment") }, "still on the form: \(dump(screen))")
        XCTAssertTrue(row(screen, "Patient", "Mary O'Brien"), "what was typed is kept: \(dump(screen))")
        XCTAssertTrue(row(screen, "Clinician", "Sam Okafor"), dump(screen))
        XCTAssertTrue(row(screen, "Date", wednesday), dump(screen))
        XCTAssertTrue(row(screen, "Time", "07:15", "see below"), dump(screen))
        XCTAssertTrue(row(screen, "Reason", "second visit"), dump(screen))
        XCTAssertFalse(screen.contains { $0.contains("ERROR") || $0.contains("23P01") || $0.contains("appointments_no_overlap") },
                       "no raw SQL error: \(dump(screen))")

        // The focus is on the time: correct it and save.
        s.sendKeys("C-u"); s.typeText("07:30"); s.sendKeys("F2")
        screen = try s.waitFor(text: "Booked Mary O'Brien with Sam Okafor on \(wednesday) at 07:30.")
        screen = try waitForRow(s, "07:30", "O'Brien, Mary", "second visit", "booked")
        XCTAssertTrue(row(screen, "07:00", "Ng, Zoë", "booked"), dump(screen))
        XCTAssertEqual(screen.count, 24)
    }

    func testSpecialistSeesHisOwnDayFirstAndOnlyWhatHisRoleMayDo() throws {
        // Monochrome: the selected appointment must stand out without colour.
        let s = try startWard(env: ["NO_COLOR": "1"])
        try loginAndWait(s, user: "sam")
        s.sendKeys("b")
        var screen = try waitForHeading(s, "Sam Okafor") // his own day, not Alice's
        let today = TestClock.now()
        XCTAssertTrue(screen[1].contains("\(dayName(today)) \(dmy(today))"), dump(screen))
        // Today's visits, weekends included (docs/DESIGN.md, section 5): one checked in, each with its status.
        let todays = try samsVisits(from: midnight(today), to: midnight(londonDay(1)))
        XCTAssertTrue(todays.contains { $0.status == "checked in" }, "the demo checks one in today: \(todays)")
        let firstToday = try XCTUnwrap(todays.first, "the demo has visits today, weekends included")
        screen = try waitForRow(s, firstToday.time, firstToday.status)
        for v in todays { XCTAssertTrue(row(screen, v.time, " 30 ", v.status) || row(screen, v.time, " 20 ", v.status),
                                        "\(v): \(dump(screen))") }
        let keyBar = screen[23]
        XCTAssertTrue(keyBar.contains("Book") && keyBar.contains("Move"), keyBar)
        XCTAssertFalse(keyBar.contains("Check in") || keyBar.contains("Cancel") || keyBar.contains("No-show"),
                       "a specialist has no appointment.checkin or appointment.cancel: \(keyBar)")

        // The week, Monday to Sunday. It opens on the first visit not yet over, which scrolls
        // the list at some hours of the week, so what is checked is what holds on any day: Home
        // shows and selects the week's first visit, End its last, each alone in reverse video.
        s.sendKeys("w")
        let monday = londonDay(1 - todayWeekday)
        let week = try samsVisits(from: midnight(monday), to: midnight(londonDay(8 - todayWeekday)))
        let first = try XCTUnwrap(week.first), last = try XCTUnwrap(week.last)
        XCTAssertNotEqual(first.start, last.start, "the week has visits on more than one day")
        try waitForHeading(s, "Week of Mon \(dmy(monday))")
        func reversed(_ line: String) -> Bool { line.contains("\u{1b}[7m") || line.contains(";7m") }
        func line(_ raw: [String], _ v: (start: Date, time: String, status: String)) -> String {
            let day = String(dayName(v.start).prefix(3)) + " " + dmy(v.start)
            return raw.first { $0.contains(day) && $0.contains(v.time) } ?? ""
        }
        // The week has loaded when one of its rows is selected.
        try waitUntil(s, "a selected row of the week", escapes: true) { raw in raw.dropFirst(3).dropLast().contains(where: reversed) }
        s.sendKeys("Home")
        var raw = try waitUntil(s, "the first visit in reverse video", escapes: true) { reversed(line($0, first)) }
        XCTAssertFalse(reversed(line(raw, week[1])), line(raw, week[1]).debugDescription)
        XCTAssertEqual(raw.dropFirst(3).dropLast().filter(reversed).count, 1, "one selected row:\n" + dump(raw))
        s.sendKeys("End")
        raw = try waitUntil(s, "the last visit in reverse video", escapes: true) { reversed(line($0, last)) }
        XCTAssertFalse(reversed(line(raw, week[week.count - 2])), line(raw, week[week.count - 2]).debugDescription)
        XCTAssertEqual(raw.dropFirst(3).dropLast().filter(reversed).count, 1, "one selected row:\n" + dump(raw))
        for sgr in ["[31m", "[36m", "[44m", "[46m", "38;5", "48;5"] {
            XCTAssertFalse(raw.joined().contains(sgr), "colour \(sgr) drawn with NO_COLOR")
        }
        s.sendKeys("c")
        try waitForHeading(s, "Alice Archer")
        screen = try s.waitFor(text: "No appointments for Alice Archer on this week.")
        XCTAssertFalse(row(screen, "09:00"), "Sam's rows are gone: \(dump(screen))")
    }

    func testFrontDeskMovesChecksInAndCancelsWithAReason() throws {
        let s = try startWard()
        try loginAndWait(s, user: "fiona")
        s.sendKeys("b")
        try waitForHeading(s, "Alice Archer")
        s.sendKeys("c")
        try waitForHeading(s, "Sam Okafor")
        // Thursday of next week, by the navigation keys: a week on, then day by day.
        let thursday = nextWeeks(4)
        s.sendKeys("]")
        try waitForHeading(s, dmy(londonDay(7)))
        for _ in 0..<abs(4 - todayWeekday) { s.sendKeys(todayWeekday < 4 ? "Right" : "Left") }
        try waitForHeading(s, "Thursday \(dmy(thursday))")
        _ = try s.waitFor(text: "No appointments for Sam Okafor on this day.")

        // Found by her date of birth, typed in the clinic's order.
        try fillBooking(s, search: "14/02/1975", pick: "Smith, Olivia  14/02/1975", date: nil, time: "08:00", reason: "blood test")
        s.sendKeys("Enter")
        _ = try s.waitFor(text: "Booked Olivia Smith with Sam Okafor on \(dmy(thursday)) at 08:00.")
        try waitForRow(s, "08:00", "Smith, Olivia", "booked")

        // Moved an hour and a quarter later, and made longer.
        s.sendKeys("r")
        _ = try s.waitFor(text: "Move an appointment")
        _ = try s.waitFor(text: "Olivia Smith with Sam Okafor, now \(dmy(thursday)) 08:00 (30 min)")
        s.sendKeys("Tab", "C-u"); s.typeText("09:15")
        s.sendKeys("Tab", "C-u"); s.typeText("45")
        s.sendKeys("Enter")
        _ = try s.waitFor(text: "Olivia Smith's appointment is moved to \(dmy(thursday)) at 09:15.")
        let screen = try waitForRow(s, "09:15", " 45 ", "Smith, Olivia", "booked")
        XCTAssertFalse(row(screen, "08:00"), dump(screen))

        s.sendKeys("i")
        _ = try s.waitFor(text: "Olivia Smith is checked in.")
        try waitForRow(s, "09:15", "Smith, Olivia", "checked in")

        s.sendKeys("d")
        _ = try s.waitFor(text: "Cancel the appointment of")
        s.sendKeys("Enter")
        _ = try s.waitFor(text: "Give a reason for the cancellation.")
        s.typeText("patient unwell")
        s.sendKeys("Enter")
        _ = try s.waitFor(text: "y Cancel it")
        s.sendKeys("y")
        _ = try s.waitFor(text: "Cancelled: Olivia Smith with Sam Okafor on \(dmy(thursday)) at 09:15.")
        try waitForRow(s, "09:15", "Smith, Olivia", "cancelled")
        // A cancelled appointment cannot be checked in.
        s.sendKeys("i")
        _ = try s.waitFor(text: "Only a booked appointment can be checked in.")
    }

    /// The top bar's clock is the clinic's, read from the server (the run's pinned clock), not
    /// the terminal host's: Riverside shows New York's time, Northside London's.
    func testTheTopBarShowsTheClinicsOwnTimeFromTheServer() throws {
        func clock(_ zone: String, _ d: Date) -> String {
            var c = Calendar(identifier: .gregorian)
            c.timeZone = TimeZone(identifier: zone)!
            let p = c.dateComponents([.hour, .minute], from: d)
            return String(format: "%02d:%02d", p.hour!, p.minute!)
        }
        for (clinic, user, zone) in [("riverside", "dana", "America/New_York"), ("northside", "fiona", "Europe/London")] {
            let s = try startWard()
            let before = s.capture()
            XCTAssertNil(before[0].range(of: #"[0-9][0-9]:[0-9][0-9] *$"#, options: .regularExpression),
                         "no clinic, so no clinic time, before anyone has logged in: \(before[0])")
            try loginAndWait(s, clinic: clinic, user: user)
            let early = TestClock.now()
            let top = s.capture()[0].trimmingCharacters(in: .whitespaces)
            let late = TestClock.now()
            XCTAssertTrue(top.hasSuffix(clock(zone, early)) || top.hasSuffix(clock(zone, late)),
                          "\(clinic) shows \(zone)'s \(clock(zone, early)): \(top)")
            s.close()
        }
    }

    /// London's spring night has no 01:30, its autumn night has two: the form refuses the
    /// first with a sentence, asks which for the second, and books the one picked, shown
    /// with its offset. Alice has no demo visits, and 2028 is no pinned instant's week, so
    /// nothing clashes and the other tests' weeks stay as the demo made them.
    func testADaylightSavingNightRefusesTheSkippedHourAndAsksWhichRepeatedOne() throws {
        let s = try startWard()
        try loginAndWait(s, user: "fiona")
        s.sendKeys("b")
        try waitForHeading(s, "Alice Archer")

        try fillBooking(s, search: "zoe", pick: "Ng, Zoë  30/09/1991", date: "26/03/2028", time: "01:30", reason: "spring")
        s.sendKeys("Enter")
        var screen = try s.waitFor(text: "There is no 01:30 on 26/03/2028 in Europe/London")
        XCTAssertTrue(row(screen, "Time", "01:30", "see below"), dump(screen))
        XCTAssertTrue(screen.contains { $0.contains("Book an appointment") }, "still on the form: \(dump(screen))")
        s.sendKeys("Escape")
        try waitForHeading(s, "Alice Archer")

        try fillBooking(s, search: "zoe", pick: "Ng, Zoë  30/09/1991", date: "29/10/2028", time: "01:30", reason: "autumn")
        s.sendKeys("Enter")
        screen = try s.waitFor(text: "01:30 happens twice on 29/10/2028 in Europe/London")
        XCTAssertTrue(screen.joined(separator: " ").contains("type 01:30 +01:00 for the first"), dump(screen))
        // The focus is on the time: say which, and save.
        s.sendKeys("C-u"); s.typeText("01:30 +00:00"); s.sendKeys("F2")
        _ = try s.waitFor(text: "Booked Zoë Ng with Alice Archer on 29/10/2028 at 01:30 +00:00.")
        screen = try waitForRow(s, "01:30 +00:00", "Ng, Zoë", "autumn", "booked")
        XCTAssertTrue(screen[1].contains("Sunday 29/10/2028"), dump(screen))
    }
}
