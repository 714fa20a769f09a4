import Foundation
@testable import WardTerm
import XCTest

/// While the database link is down the top bar says so, in place of the clinic and user,
/// and keeps the clock; once the status is cleared the usual bar is back.
final class TopBarTests: XCTestCase {
    func line(_ bar: TopBar) -> String {
        let c = GridCanvas(rows: 1, cols: 80)
        bar.draw(c, row: 0)
        return c.lines()[0]
    }

    func testAStatusTakesThePlaceOfTheClinicAndUserButNotTheClock() {
        var bar = TopBar(title: "Patient record", clinic: "Northside Family Practice", user: "Sam Okafor",
                         role: "specialist", clock: "14:18")
        let normal = line(bar)
        XCTAssertTrue(normal.contains("Northside Family Practice") && normal.contains("14:18"), normal)

        bar.status = "Reconnecting to db1.example, db2.example…"
        let down = line(bar)
        XCTAssertTrue(down.contains("Ward  Reconnecting to db1.example, db2.example…"), down)
        XCTAssertTrue(down.trimmingCharacters(in: .whitespaces).hasSuffix("14:18"), down)
        XCTAssertFalse(down.contains("Northside") || down.contains("Sam Okafor"), down)
    }
}
