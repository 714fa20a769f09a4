import Foundation
import WardDB
@testable import WardClient
@testable import WardScreens
import WardTerm
import XCTest

/// The appointment screens' rules without a terminal or a database: moving through days
/// and weeks, the clinic-local bounds of what is shown, and reading what is typed.
final class AppointmentCalendarTests: XCTestCase {
    func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
    func utc(_ s: String) -> Date { ISO8601DateFormatter().date(from: s)! }
    let london = ClinicClock(timeZoneIdentifier: "Europe/London")
    let newYork = ClinicClock(timeZoneIdentifier: "America/New_York")
    let sydney = ClinicClock(timeZoneIdentifier: "Australia/Sydney")

    func testWeekdaysAreMondayFirst() {
        XCTAssertEqual(AppointmentCalendar.weekday(day("2026-11-23")), 1, "a Monday")
        XCTAssertEqual(AppointmentCalendar.weekday(day("2026-11-29")), 7, "a Sunday")
        XCTAssertEqual(AppointmentCalendar.shortLabel(day("2026-12-02"), order: .dmy), "Wed 02/12/2026")
        XCTAssertEqual(AppointmentCalendar.shortLabel(day("2026-12-02"), order: .mdy), "Wed 12/02/2026")
    }

    func testDayAndWeekNavigationCrossesMonthsYearsAndLeapDays() {
        var c = AppointmentCalendar(day: day("2026-12-31"))
        c.moveDays(1)
        XCTAssertEqual(c.day, day("2027-01-01"))
        c.moveWeeks(-1)
        XCTAssertEqual(c.day, day("2026-12-25"))
        c = AppointmentCalendar(day: day("2028-02-28"))
        c.moveDays(1)
        XCTAssertEqual(c.day, day("2028-02-29"))
        c.moveDays(-60)
        XCTAssertEqual(c.day, day("2027-12-31"))
    }

    func testWeekViewIsMondayToSundayOfTheShownDay() {
        let c = AppointmentCalendar(day: day("2026-11-29"), mode: .week)
        XCTAssertEqual(c.weekStart, day("2026-11-23"))
        XCTAssertEqual(c.days.map(\.iso), ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27",
                                           "2026-11-28", "2026-11-29"])
        XCTAssertEqual(AppointmentCalendar(day: day("2026-11-23"), mode: .week).weekStart, day("2026-11-23"))
        XCTAssertEqual(AppointmentCalendar(day: day("2026-11-29")).days, [day("2026-11-29")])
    }

    func testRangesAreClinicLocalMidnights() {
        let d = AppointmentCalendar(day: day("2026-11-23"))
        XCTAssertEqual(d.range(in: london).from, utc("2026-11-23T00:00:00Z"))
        XCTAssertEqual(d.range(in: london).to, utc("2026-11-24T00:00:00Z"))
        XCTAssertEqual(d.range(in: sydney).from, utc("2026-11-22T13:00:00Z"), "Sydney is 11 hours ahead in summer")
        XCTAssertEqual(d.range(in: newYork).from, utc("2026-11-23T05:00:00Z"))
        let w = AppointmentCalendar(day: day("2026-11-26"), mode: .week)
        XCTAssertEqual(w.range(in: london).from, utc("2026-11-23T00:00:00Z"))
        XCTAssertEqual(w.range(in: london).to, utc("2026-11-30T00:00:00Z"))
    }

    func testDaylightSavingDaysAreShorterOrLonger() {
        func hours(_ iso: String) -> Double {
            let r = AppointmentCalendar(day: day(iso)).range(in: london)
            return r.to.timeIntervalSince(r.from) / 3600
        }
        XCTAssertEqual(hours("2026-03-29"), 23)
        XCTAssertEqual(hours("2026-10-25"), 25)
        XCTAssertEqual(hours("2026-11-23"), 24)
    }

    func testTimesOnTheTwentyFourHourClock() {
        for typed in ["9:30", "09:30", "0930", "9.30", " 09:30 "] {
            XCTAssertEqual(try AppointmentInput.time(typed).get(), "09:30", typed)
        }
        XCTAssertEqual(try AppointmentInput.time("23:59").get(), "23:59")
        XCTAssertEqual(AppointmentInput.time(""), .failure(.noTime))
        for bad in ["24:00", "9:60", "930", "9", "9:3", "half nine", "9:30pm", "０９:３０"] {
            XCTAssertEqual(AppointmentInput.time(bad), .failure(.badTime(bad)), bad)
        }
        XCTAssertTrue("\(AppointmentInputError.badTime("9"))".contains("HH:MM"))
    }

    func testStartIsTypedInEachClinicsDateOrderAndZone() throws {
        XCTAssertEqual(try AppointmentInput.start(date: "02/12/2026", time: "07:00", order: .dmy, clock: london).get(),
                       utc("2026-12-02T07:00:00Z"))
        XCTAssertEqual(try AppointmentInput.start(date: "12/02/2026", time: "7:00", order: .mdy, clock: newYork).get(),
                       utc("2026-12-02T12:00:00Z"))
        XCTAssertEqual(try AppointmentInput.start(date: "2026-12-02", time: "07:00", order: .iso, clock: sydney).get(),
                       utc("2026-12-01T20:00:00Z"))
        // ISO is always accepted; the other order is not guessed.
        XCTAssertEqual(try AppointmentInput.start(date: "2026-12-02", time: "07:00", order: .dmy, clock: london).get(),
                       utc("2026-12-02T07:00:00Z"))
        XCTAssertEqual(AppointmentInput.start(date: "12/31/2026", time: "07:00", order: .dmy, clock: london),
                       .failure(.badDate(.noSuchDay("12/31/2026"))))
        XCTAssertEqual(AppointmentInput.start(date: "2/12/26", time: "07:00", order: .dmy, clock: london),
                       .failure(.badDate(.shape("DD/MM/YYYY"))))
        XCTAssertEqual(AppointmentInput.start(date: "02/12/2026", time: "7pm", order: .dmy, clock: london),
                       .failure(.badTime("7pm")))
    }

    func testLengthIsFiveMinutesToEightHours() {
        XCTAssertEqual(try AppointmentInput.minutes("30").get(), 30)
        XCTAssertEqual(try AppointmentInput.minutes(" 480 ").get(), 480)
        for bad in ["4", "481", "", "half an hour", "-30", "３０"] {
            XCTAssertEqual(AppointmentInput.minutes(bad), .failure(.badLength), bad)
        }
    }

    func testClinicianIsFoundByNameOrUsername() {
        let alice = Api.Clinician(id: UUID(), username: "alice", displayName: "Alice Archer", role: "admin")
        let sam = Api.Clinician(id: UUID(), username: "sam", displayName: "Sam Okafor", role: "specialist")
        let samira = Api.Clinician(id: UUID(), username: "samira", displayName: "Samira Ólafsdóttir", role: "specialist")
        let list = [alice, sam, samira]
        XCTAssertEqual(try AppointmentInput.clinician("Sam Okafor", in: list).get(), sam)
        XCTAssertEqual(try AppointmentInput.clinician("sam", in: list).get(), sam, "an exact username wins over prefixes")
        XCTAssertEqual(try AppointmentInput.clinician("okaf", in: list).get(), sam)
        XCTAssertEqual(try AppointmentInput.clinician("olafs", in: list).get(), samira, "accents ignored")
        XCTAssertEqual(try AppointmentInput.clinician("ARCHER", in: list).get(), alice)
        XCTAssertEqual(AppointmentInput.clinician("sa", in: list), .failure(.ambiguousClinician("sa")))
        XCTAssertEqual(AppointmentInput.clinician("Zed", in: list), .failure(.unknownClinician("Zed")))
        XCTAssertEqual(AppointmentInput.clinician("  ", in: list), .failure(.noClinician))
    }

    func testASpecialistStartsOnTheirOwnDayOthersOnTheFirstClinician() {
        let list = [Api.Clinician(id: UUID(), username: "alice", displayName: "Alice Archer", role: "admin"),
                    Api.Clinician(id: UUID(), username: "sam", displayName: "Sam Okafor", role: "specialist")]
        func me(_ user: String, _ role: String) -> Api.Me {
            Api.Me(clinicCode: "northside", clinicName: "Northside", timeZone: "Europe/London", dateOrder: "DMY",
                   username: user, displayName: user, role: role, impersonatedBy: nil, mustChangePassword: false,
                   permissions: [])
        }
        XCTAssertEqual(AppointmentsScreen.firstClinician(list, me: me("sam", "specialist")), 1)
        XCTAssertEqual(AppointmentsScreen.firstClinician(list, me: me("fiona", "front_desk")), 0)
        XCTAssertEqual(AppointmentsScreen.firstClinician(list, me: me("alice", "admin")), 0)
        XCTAssertEqual(AppointmentsScreen.firstClinician(list, me: nil), 0)
    }

    func testRowsSayWhoAndStatusInWords() {
        var a = Api.AppointmentRow(id: UUID(), patientID: UUID(), familyName: "Ng", givenName: "Zoë", chartNo: "N-000002",
                                   clinicianID: UUID(), clinician: "Sam Okafor", startsAt: utc("2026-12-02T07:00:00Z"),
                                   endsAt: utc("2026-12-02T07:45:00Z"), status: "booked", reason: nil)
        XCTAssertEqual(a.patientName, "Zoë Ng")
        XCTAssertEqual(a.listName, "Ng, Zoë")
        XCTAssertEqual(a.minutes, 45)
        XCTAssertTrue(a.isOpen)
        a.familyName = nil
        a.givenName = nil
        XCTAssertEqual(a.patientName, "chart N-000002 (profile not shared)")
        XCTAssertEqual(a.listName, a.patientName)
        a.status = "cancelled"
        XCTAssertFalse(a.isOpen)
        XCTAssertEqual(AppointmentsScreen.statusText("checked_in"), "checked in")
        XCTAssertEqual(AppointmentsScreen.statusText("no_show"), "no-show")
    }

    // Daylight-saving nights (issue 15): London springs forward at 01:00Z on 28 March 2027
    // and falls back at 01:00Z on 31 October; New York at 07:00Z on 14 March and 06:00Z on
    // 7 November.

    func testATimeTheClocksSkipIsRefusedWithASentence() {
        let london28 = AppointmentInput.start(date: "28/03/2027", time: "01:30", order: .dmy, clock: london)
        XCTAssertEqual(london28, .failure(.skippedTime("01:30", "28/03/2027", "Europe/London")))
        XCTAssertEqual("\(AppointmentInputError.skippedTime("01:30", "28/03/2027", "Europe/London"))",
                       "There is no 01:30 on 28/03/2027 in Europe/London: the clocks go forward that night. Choose another time.")
        XCTAssertEqual(AppointmentInput.start(date: "03/14/2027", time: "02:30", order: .mdy, clock: newYork),
                       .failure(.skippedTime("02:30", "03/14/2027", "America/New_York")))
        // Either side of the gap is an ordinary time.
        XCTAssertEqual(try AppointmentInput.start(date: "28/03/2027", time: "00:59", order: .dmy, clock: london).get(),
                       utc("2027-03-28T00:59:00Z"))
        XCTAssertEqual(try AppointmentInput.start(date: "28/03/2027", time: "02:00", order: .dmy, clock: london).get(),
                       utc("2027-03-28T01:00:00Z"))
        XCTAssertEqual(try AppointmentInput.start(date: "03/14/2027", time: "03:00", order: .mdy, clock: newYork).get(),
                       utc("2027-03-14T07:00:00Z"))
    }

    func testATimeTheClocksRepeatIsStoredAsTheOneTheUserPicked() throws {
        let twice = AppointmentInput.start(date: "31/10/2027", time: "01:30", order: .dmy, clock: london)
        XCTAssertEqual(twice, .failure(.repeatedTime("01:30", "31/10/2027", "Europe/London", ["+01:00", "+00:00"])))
        XCTAssertEqual("\(AppointmentInputError.repeatedTime("01:30", "31/10/2027", "Europe/London", ["+01:00", "+00:00"]))",
                       "01:30 happens twice on 31/10/2027 in Europe/London (the clocks go back): "
                       + "type 01:30 +01:00 for the first or 01:30 +00:00 for the second.")
        let first = try AppointmentInput.start(date: "31/10/2027", time: "01:30 +01:00", order: .dmy, clock: london).get()
        let second = try AppointmentInput.start(date: "31/10/2027", time: "1:30+00", order: .dmy, clock: london).get()
        XCTAssertEqual(first, utc("2027-10-31T00:30:00Z"))
        XCTAssertEqual(second, utc("2027-10-31T01:30:00Z"))
        // Shown with the offset, so the two cannot be mistaken for each other.
        XCTAssertEqual(london.time(first), "01:30 +01:00")
        XCTAssertEqual(london.time(second), "01:30 +00:00")
        XCTAssertEqual(london.time(utc("2027-10-31T02:30:00Z")), "02:30", "outside the repeated hour, no offset")
        XCTAssertEqual(AppointmentInput.start(date: "31/10/2027", time: "01:30 +02:00", order: .dmy, clock: london),
                       .failure(.wrongOffset("01:30", "31/10/2027", "Europe/London", ["+01:00", "+00:00"])))

        let ny1 = try AppointmentInput.start(date: "11/07/2027", time: "01:30 -04:00", order: .mdy, clock: newYork).get()
        let ny2 = try AppointmentInput.start(date: "11/07/2027", time: "01:30 -0500", order: .mdy, clock: newYork).get()
        XCTAssertEqual(ny1, utc("2027-11-07T05:30:00Z"))
        XCTAssertEqual(ny2, utc("2027-11-07T06:30:00Z"))
        XCTAssertEqual(newYork.time(ny2), "01:30 -05:00")
        XCTAssertEqual(try AppointmentInput.time("1:30 +01").get(), "01:30 +01:00")
        for bad in ["01:30 +1", "01:30 +25", "01:30 +01:60", "01:30 ++01"] {
            XCTAssertEqual(AppointmentInput.time(bad), .failure(.badTime(bad)), bad)
        }
    }

    func testTheViewOfADaylightSavingDayStartsAtItsMidnight() {
        let spring = AppointmentCalendar(day: day("2027-03-28")).range(in: london)
        XCTAssertEqual(spring.from, utc("2027-03-28T00:00:00Z"))
        XCTAssertEqual(spring.to, utc("2027-03-28T23:00:00Z"))
        let autumn = AppointmentCalendar(day: day("2027-11-07")).range(in: newYork)
        XCTAssertEqual(autumn.from, utc("2027-11-07T04:00:00Z"))
        XCTAssertEqual(autumn.to, utc("2027-11-08T05:00:00Z"))
    }
}
