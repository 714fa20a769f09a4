import Foundation
import WardDB
import WardClient
@testable import WardScreens
@testable import WardTerm
import XCTest

/// Search as you type without a debounce: one search per batch of keys, at most one in
/// flight, and the latest text searched once the answer to the older one is in.
final class PatientSearchTests: DemoDatabaseCase {
    func searchEvents() throws -> Int {
        let c = try XCTUnwrap(Self.clusters[ObjectIdentifier(type(of: self))], "no cluster")
        return try Connection(c.dsn(database: "ward"))
            .query("SELECT count(*) AS n FROM ward.audit_events WHERE action = 'patient.search'").first!.int("n")!
    }

    func testABatchOfKeysIsOneSearchAndKeysTypedMeanwhileSearchOnceMore() throws {
        let h = try login("northside", "fiona")
        let screen = PatientSearchScreen(app: h.app)
        h.ui.push(screen)
        let before = try searchEvents()

        h.type("zo")  // one batch, as a paste or fast typing reaches the event loop
        XCTAssertFalse(screen.typing.inFlight, "nothing is sent before the batch has been read")
        h.ui.fireDueTimers(now: .infinity)
        XCTAssertTrue(screen.typing.inFlight, "the batch is searched at once, without a pause")

        h.type("e")  // typed while "zo" is out
        h.ui.fireDueTimers(now: .infinity)
        XCTAssertTrue(screen.typing.stale, "the new text waits for the answer in flight instead of cancelling it")
        h.drain()

        XCTAssertFalse(screen.typing.inFlight)
        XCTAssertEqual(screen.searched, "zoe", "the latest text was searched last")
        XCTAssertTrue(h.shows("Ng, Zoë"), h.screen().joined(separator: "\n"))
        XCTAssertEqual(try searchEvents() - before, 2, "two searches (\"zo\", \"zoe\"), one audit event each; never \"z\"")
    }

    func testClearingTheFieldClearsTheResultsAndStopsSearching() throws {
        let h = try login("northside", "fiona")
        let screen = PatientSearchScreen(app: h.app)
        h.ui.push(screen)
        h.type("zoe")
        h.ui.fireDueTimers(now: .infinity)
        h.drain()
        XCTAssertTrue(h.shows("Ng, Zoë"))
        h.ui.handle(.ctrl("u"))
        h.ui.fireDueTimers(now: .infinity)
        XCTAssertFalse(screen.typing.inFlight)
        XCTAssertTrue(screen.table.rows.isEmpty)
        XCTAssertFalse(h.shows("Ng, Zoë"), h.screen().joined(separator: "\n"))
    }
}
