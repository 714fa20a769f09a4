import Foundation
import WardDB
import XCTest

/// The Staff screen and the forced password change, in the real `ward` at 80x24 against a
/// real database with the demo data.
final class StaffScreenE2ETests: DemoE2ECase {
    func text(_ screen: [String]) -> String { screen.joined(separator: "\n") }

    func testAdminAddsAMemberChangesTheRoleAndTheAuditLogShowsIt() throws {
        let s = try startWard()
        login(s, clinic: "northside", user: "alice")
        _ = try s.waitFor(text: "The clinic's staff")
        s.sendKeys("t")
        var screen = try s.waitFor(text: "Fiona Reyes")
        XCTAssertTrue(screen.contains { $0.contains("bruno") && $0.contains("billing") && $0.contains("active") }, text(screen))
        XCTAssertFalse(screen.contains { $0.contains("rita") }, "another clinic's staff listed:\n\(text(screen))")

        // A too-short password is refused with a sentence, and what was typed stays.
        s.sendKeys("a")
        _ = try s.waitFor(text: "Add a member")
        s.typeText("walt"); s.sendKeys("Tab")
        s.typeText("Walter Kim"); s.sendKeys("Tab")
        s.sendKeys("Tab")
        s.typeText("short"); s.sendKeys("Enter")
        screen = try s.waitFor(text: "The initial password needs at least 10 characters")
        XCTAssertTrue(screen.contains { $0.contains("Username") && $0.contains("walt") }, text(screen))
        XCTAssertTrue(screen.contains { $0.contains("Display name") && $0.contains("Walter Kim") }, text(screen))

        s.sendKeys("C-u")
        s.typeText("walter-first-1"); s.sendKeys("Enter")
        // The message comes first, the list read again after it.
        screen = try s.waitFor(text: "must change password")
        XCTAssertTrue(screen.contains { $0.contains("walt is now a member of this clinic (front_desk)") }, text(screen))
        XCTAssertTrue(screen.contains { $0.contains("Walter Kim") && $0.contains("must change password") }, text(screen))

        // The new member is selected: change the role.
        s.sendKeys("r")
        _ = try s.waitFor(text: "Role of Walter Kim")
        s.sendKeys("C-u")
        s.typeText("billing"); s.sendKeys("Enter")
        _ = try s.waitFor(text: "Walter Kim is now billing.")
        screen = try s.waitFor(text: "Walter Kim (walt), billing")
        XCTAssertTrue(screen.contains { $0.contains("Walter Kim") && $0.contains("walt") && $0.contains("billing") }, text(screen))
        XCTAssertEqual(screen.count, 24)

        s.sendKeys("Escape")
        _ = try s.waitFor(text: "The clinic's staff")
        s.sendKeys("a")
        _ = try s.waitFor(text: "Chain verifies")
        s.typeText("staff.")
        screen = try s.waitFor(text: "staff.role")
        XCTAssertTrue(screen.contains { $0.contains("alice") && $0.contains("staff.role") }, text(screen))
        XCTAssertTrue(screen.contains { $0.contains("alice") && $0.contains("staff.add") }, text(screen))

        // The new person must choose their own password before anything else.
        let w = try startWard()
        login(w, clinic: "northside", user: "walt", password: "walter-first-1")
        screen = try w.waitFor(text: "Your password was set by an administrator")
        XCTAssertFalse(screen.contains { $0.contains("Find a patient") }, "no menu before the new password")
        w.typeText("walts-own-secret"); w.sendKeys("Tab")
        w.typeText("walts-own-secret"); w.sendKeys("Enter")
        screen = try w.waitFor(text: "Your new password is set.")
        XCTAssertTrue(screen.contains { $0.contains("Find a patient") }, "the billing menu after the change:\n\(text(screen))")
    }

    func testFrontDeskHasNoStaffEntry() throws {
        let s = try startWard()
        login(s, clinic: "northside", user: "fiona")
        let screen = try s.waitFor(text: "Fiona Reyes (front_desk)")
        XCTAssertTrue(screen.contains { $0.contains("Find a patient") }, "the menu is drawn")
        XCTAssertFalse(screen.contains { $0.contains("The clinic's staff") }, "front desk sees a Staff entry")
        XCTAssertFalse(screen.contains { $0.contains("F8") }, "front desk has a key for Staff")
    }
}
