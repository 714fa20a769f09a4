import Foundation
import WardDB
import WardScreens
import WardTerm
import XCTest

final class ClinicDatesTests: XCTestCase {
    let d = CalendarDate(year: 2026, month: 3, day: 4)!

    func testFormatPerOrder() {
        XCTAssertEqual(DateOrder.dmy.format(d), "04/03/2026")
        XCTAssertEqual(DateOrder.mdy.format(d), "03/04/2026")
        XCTAssertEqual(DateOrder.iso.format(d), "2026-03-04")
    }

    func testParseInClinicOrderAndAlwaysISO() {
        XCTAssertEqual(try DateOrder.dmy.parse("4/3/2026").get(), d)
        XCTAssertEqual(try DateOrder.mdy.parse("3/4/2026").get(), d)
        XCTAssertEqual(try DateOrder.dmy.parse("04.03.2026").get(), d)
        for order in [DateOrder.dmy, .mdy, .iso] {
            XCTAssertEqual(try order.parse("2026-03-04").get(), d, "\(order) must accept ISO")
        }
    }

    func testBadDatesSaySomethingUseful() {
        XCTAssertEqual(DateOrder.dmy.parse("31/02/2026"), .failure(.noSuchDay("31/02/2026")))
        XCTAssertEqual(DateOrder.dmy.parse("4/3/26"), .failure(.shape("DD/MM/YYYY")))
        XCTAssertEqual(DateOrder.mdy.parse("yesterday"), .failure(.shape("MM/DD/YYYY")))
        XCTAssertEqual(DateOrder.iso.parse("04/03/2026"), .failure(.shape("YYYY-MM-DD")))
        XCTAssertEqual(DateOrder.dmy.parse("  "), .failure(.empty))
        XCTAssertTrue("\(DateInputError.shape("DD/MM/YYYY"))".contains("DD/MM/YYYY"))
    }

    func testClinicSetting() {
        XCTAssertEqual(DateOrder(setting: "DMY"), .dmy)
        XCTAssertEqual(DateOrder(setting: "MDY"), .mdy)
        XCTAssertEqual(DateOrder(setting: nil), .iso)
    }

    func testAge() {
        let born = CalendarDate(year: 1990, month: 6, day: 15)!
        XCTAssertEqual(age(born: born, on: CalendarDate(year: 2026, month: 6, day: 14)!), 35)
        XCTAssertEqual(age(born: born, on: CalendarDate(year: 2026, month: 6, day: 15)!), 36)
    }

    func testClinicClockUsesClinicZone() {
        // 23:30 UTC on 1 March is already 2 March in Sydney.
        let instant = Date(timeIntervalSince1970: 1_772_407_800) // 2026-03-01 23:30:00 UTC
        XCTAssertEqual(ClinicClock(timeZoneIdentifier: "UTC").today(instant).iso, "2026-03-01")
        XCTAssertEqual(ClinicClock(timeZoneIdentifier: "Australia/Sydney").today(instant).iso, "2026-03-02")
        let london = ClinicClock(timeZoneIdentifier: "Europe/London")
        let nine = london.instant(on: CalendarDate(year: 2026, month: 7, day: 1)!, at: "09:00")!
        XCTAssertEqual(london.time(nine), "09:00")
        XCTAssertEqual(ClinicClock(timeZoneIdentifier: "UTC").time(nine), "08:00", "BST is UTC+1 in July")
        XCTAssertNil(london.instant(on: d, at: "25:00"))
    }
}
