import Foundation
import WardTerm
@testable import WardScreens
import XCTest

/// Every action can be reached on a vt100 (F1-F4 exist there, F5-F10 do not) without
/// colliding with typing, and none is bound to the serial lines' flow control keys.
final class KeyBindingTests: XCTestCase {
    /// The screens where a text field takes printable keys first. (The staff screen's list
    /// keys are letters, used only while no form is open; its form's keys are listed apart.)
    static let typingScopes: Set<String> = ["login", "patient-search", "audit", "register", "find-elsewhere",
                                            "consent", "note-editor", "new-password", "impersonate", "lock",
                                            "appointment-form", "appointment-cancel"]

    func vt100Sends(_ key: Key) -> Bool {
        if case .function(let n) = key { return n <= 4 }
        return key != .resize
    }

    func testEveryActionHasAKeyAVT100CanSendThatDoesNotCollideWithTyping() {
        let scopes = Set(StaffApp.allActions.map(\.scope.description))
        XCTAssertTrue(Self.typingScopes.isSubset(of: scopes), "typing scopes must name real screens: \(Self.typingScopes.subtracting(scopes))")
        for a in StaffApp.allActions {
            let typing = Self.typingScopes.contains(a.scope.description)
            let usable = a.keys.filter { k in
                guard vt100Sends(k) else { return false }
                if typing, case .char = k { return false } // the field would take it
                return true
            }
            XCTAssertFalse(usable.isEmpty, "\(a.scope).\(a.name) (\(a.keyText)) has no key a vt100 can send here")
        }
    }

    func testNoActionUsesFlowControlKeys() {
        for a in StaffApp.allActions {
            XCTAssertFalse(a.keys.contains(.ctrl("s")) || a.keys.contains(.ctrl("q")), "\(a.scope).\(a.name): ^S/^Q")
        }
    }

    /// Control: the check above sees an action reachable only by F5.
    func testTheCheckFindsAnF5OnlyAction() {
        let f5Only = Action(ActionID("x"), keys: [.function(5)], label: "X", help: "x", scope: .screen("audit"))
        XCTAssertTrue(f5Only.keys.filter(vt100Sends).isEmpty)
    }
}
