import Foundation
import WardDB
import WardClient
@testable import WardScreens
@testable import WardTerm
import XCTest

/// The audit log's filter loads as the administrator types, without a pause, and F5/F8
/// (which replace a filtered load in flight) never leave the filter stuck.
final class AuditScreenTests: DemoDatabaseCase {
    func testTheFilterLoadsPerBatchOfKeys() throws {
        let h = try login("northside", "alice")
        let screen = AuditScreen(app: h.app)
        h.ui.push(screen)
        h.drain()
        XCTAssertFalse(screen.events.isEmpty)

        h.type("login.")
        XCTAssertFalse(screen.typing.inFlight, "nothing is sent before the batch has been read")
        h.ui.fireDueTimers(now: .infinity)
        XCTAssertTrue(screen.typing.inFlight, "the batch is loaded at once, without a pause")
        h.drain()
        XCTAssertFalse(screen.events.isEmpty)
        XCTAssertTrue(screen.events.allSatisfy { $0.action.hasPrefix("login.") }, "\(screen.events.map(\.action))")
    }

    func testNewestWhileAFilteredLoadIsOutLeavesTheFilterWorking() throws {
        let h = try login("northside", "alice")
        let screen = AuditScreen(app: h.app)
        h.ui.push(screen)
        h.drain()

        h.type("patient.")
        h.ui.fireDueTimers(now: .infinity)
        XCTAssertTrue(screen.typing.inFlight)
        h.ui.handle(.function(5))  // replaces the filtered load: its answer never comes
        h.drain()
        XCTAssertFalse(screen.typing.inFlight)

        h.ui.handle(.ctrl("u"))
        h.type("login.")
        h.ui.fireDueTimers(now: .infinity)
        XCTAssertTrue(screen.typing.inFlight, "the filter still loads after F5 replaced its request")
        h.drain()
        XCTAssertFalse(screen.events.isEmpty)
        XCTAssertTrue(screen.events.allSatisfy { $0.action.hasPrefix("login.") }, "\(screen.events.map(\.action))")
    }
}
