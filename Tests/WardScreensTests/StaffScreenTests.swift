import Foundation
import WardDB
import WardTerm
import XCTest
import WardClient
@testable import WardScreens

/// The Staff screen's states (list, add, role, password), driven key by key through the
/// UI as the event loop would, against a real migrated database with the demo data.
final class StaffScreenTests: DemoDatabaseCase {
    var harness: ScreenHarness!
    var app: StaffApp { harness.app }
    var ui: UI { harness.ui }

    /// A logged-in StaffApp without a terminal: the test plays the event loop.
    func start(clinic: String = "northside", user: String = "alice") throws {
        harness = try login(clinic, user)
    }

    func drain() { harness.drain() }

    func press(_ keys: Key...) { for k in keys { ui.handle(k) } }
    func type(_ text: String) { for c in text { ui.handle(.char(c)) } }

    func screenText() -> String {
        let canvas = GridCanvas(rows: 24, cols: 80)
        ui.render(into: canvas)
        return canvas.lines().joined(separator: "\n")
    }

    func openStaff() throws -> StaffScreen {
        let s = StaffScreen(app: app)
        ui.push(s)
        drain()
        XCTAssertTrue(s.loaded)
        return s
    }

    func select(_ s: StaffScreen, _ username: String) throws {
        s.table.selected = try XCTUnwrap(s.members.firstIndex { $0.username == username }, "\(username) listed")
    }

    func testListsThisClinicsStaffOnly() throws {
        try start()
        let s = try openStaff()
        XCTAssertEqual(Set(s.members.map(\.username)), ["alice", "sam", "fiona", "bruno"])
        let text = screenText()
        XCTAssertTrue(text.contains("Bruno"), text)
        XCTAssertFalse(text.contains("rita"), "another clinic's staff:\n\(text)")
    }

    func testFormModesSwapTheActionsAndCancelReturnsToTheList() throws {
        try start()
        let s = try openStaff()
        XCTAssertEqual(s.actions.map(\.name), ["add", "role", "password", "disable", "back"])
        press(.char("a"))
        XCTAssertEqual(s.mode, .add)
        XCTAssertEqual(s.actions.map(\.name), ["save", "next-field", "cancel"])
        type("ab")  // letters go to the field, not to the list's actions
        XCTAssertEqual(s.form.fields[0].input.text, "ab")
        XCTAssertEqual(s.mode, .add)
        press(.escape)
        XCTAssertEqual(s.mode, .list)
        XCTAssertTrue(ui.top === s, "Escape in a form cancels it and stays on the screen")
    }

    func testAFailedSaveKeepsWhatWasTypedAndMarksTheField() throws {
        try start()
        let s = try openStaff()
        press(.char("a"))
        type("fiona"); press(.tab)
        type("Fiona Again"); press(.tab, .tab)
        type("long-enough-1"); press(.enter)
        drain()
        XCTAssertEqual(s.mode, .add, "the form stays open")
        XCTAssertEqual(s.form.fields[0].error, "That person already works at this clinic.")
        XCTAssertEqual(s.form.focus, 0)
        XCTAssertEqual(s.form.fields.map(\.input.text), ["fiona", "Fiona Again", "front_desk", "long-enough-1"])

        // A role the clinic does not have is caught before anything is sent.
        press(.tab, .tab)
        s.form.fields[2].input.text = "owner"
        press(.tab, .enter)
        XCTAssertEqual(s.form.fields[2].error, "admin, specialist, front_desk, billing")
        XCTAssertFalse(app.backend.isBusy, "nothing was sent")
    }

    func testRoleChangeSavesReloadsAndKeepsTheSelection() throws {
        try start()
        let s = try openStaff()
        try select(s, "bruno")
        press(.char("r"))
        XCTAssertEqual(s.mode, .role(s.members[s.table.selected]))
        press(.ctrl("u")); type("front_desk"); press(.enter)
        drain()
        XCTAssertEqual(s.mode, .list)
        XCTAssertEqual(s.selected?.username, "bruno", "the selection follows the person")
        XCTAssertEqual(s.selected?.role, "front_desk", "the list was read again")
    }

    func testDisablingYourselfIsNotOffered() throws {
        try start()
        let s = try openStaff()
        try select(s, "alice")
        press(.char("d"))
        XCTAssertTrue(ui.top === s, "no confirmation dialog")
        XCTAssertTrue(screenText().contains("You cannot disable your own account."))
        try select(s, "sam")
        press(.char("d"))
        XCTAssertTrue(ui.top is ConfirmDialog, "disabling someone else asks first")
        press(.char("n"))
        XCTAssertTrue(ui.top === s)
        XCTAssertEqual(s.selected?.disabled, false, "No leaves them active")
    }

    func testPasswordResetNeedsTwoMatchingEntries() throws {
        try start()
        let s = try openStaff()
        try select(s, "fiona")
        press(.char("p"))
        type("fiona-new-pass-1"); press(.tab)
        type("fiona-new-pass-2"); press(.enter)
        XCTAssertEqual(s.form.fields[1].error, "the two passwords differ")
        XCTAssertFalse(app.backend.isBusy, "nothing was sent")
        press(.ctrl("u")); type("fiona-new-pass-1"); press(.enter)
        drain()
        XCTAssertEqual(s.mode, .list)
        XCTAssertEqual(s.selected?.mustChangePassword, true, "she must change it at next login")
    }
}
