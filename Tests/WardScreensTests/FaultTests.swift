import Foundation
import WardDB
@testable import WardScreens
import XCTest

/// Faults in the middle of a save: the database connection dies between typing and
/// saving. Nothing half-written reaches the database, the screen says what happened and
/// keeps what was typed, and the same save works once the link is back, exactly once.
final class FaultTests: DemoDatabaseCase {
    func owner() throws -> Connection {
        let c = try XCTUnwrap(Self.clusters[ObjectIdentifier(type(of: self))], "no cluster")
        return try Connection(c.dsn(database: "ward"))
    }

    func notes(titled title: String) throws -> Int {
        try owner().query("SELECT count(*) AS n FROM ward.clinical_notes WHERE title = $1", [title]).first!.int("n")!
    }

    func testBackendKilledDuringASaveLosesNothingAndSavesOnceAfterReconnecting() throws {
        let h = try login("northside", "sam")
        let record = PatientRecordScreen(app: h.app, patient: try h.patient("alvarez jose"))
        h.ui.push(record)
        h.drain()
        h.press(.char("w"))
        let editor = try XCTUnwrap(h.ui.top as? NoteEditorScreen)
        h.type("Fault review")
        h.press(.tab, .tab)
        h.type("Written while the database went away.")
        h.press(.function(2))
        XCTAssertTrue(h.shows("Sign and save"))

        // The server ends every ward_app backend, as a crash or failover would.
        let killed = try owner().query("""
            SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE usename = 'ward_app'
            """).first!.int("n")!
        XCTAssertGreaterThan(killed, 0, "control: the terminal's backend was there to kill")
        h.press(.char("y"))

        XCTAssertTrue(h.ui.top === editor, "the editor stays open: \(h.screen().joined(separator: "\n"))")
        XCTAssertEqual(editor.form.fields[0].input.text, "Fault review")
        XCTAssertEqual(editor.body.text, "Written while the database went away.")
        XCTAssertTrue(h.screen().joined().lowercased().contains("reconnecting"), h.screen().joined(separator: "\n"))
        XCTAssertFalse(h.screen().joined().contains("SQLSTATE"), "no raw database error on screen")
        XCTAssertEqual(try notes(titled: "Fault review"), 0, "nothing was written")

        XCTAssertTrue(h.app.backend.reconnect(), "the link comes back (the event loop retries every 2 s)")
        h.press(.function(2), .char("y"))
        XCTAssertTrue(h.ui.top === record, h.screen().joined(separator: "\n"))
        XCTAssertTrue(h.shows("Note signed and saved."))
        XCTAssertEqual(try notes(titled: "Fault review"), 1, "saved once, not twice")
    }
}
