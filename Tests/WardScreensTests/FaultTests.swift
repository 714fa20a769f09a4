import Foundation
import WardDB
import WardClient
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

    var cluster: ThrowawayCluster {
        get throws { try XCTUnwrap(Self.clusters[ObjectIdentifier(type(of: self))], "no cluster") }
    }

    /// A note typed and confirmed, whose save is sent while the test's owner connection holds
    /// a lock the insert needs: the save is genuinely in flight, waiting in the server.
    /// Returns the connection holding the lock.
    func blockedNoteSave(_ h: ScreenHarness, title: String, body: String) throws -> Connection {
        h.press(.char("w"))
        XCTAssertTrue(h.ui.top is NoteEditorScreen)
        h.type(title)
        h.press(.tab, .tab)
        h.type(body)
        h.press(.function(2))
        XCTAssertTrue(h.shows("Sign and save"))
        let holder = try owner()
        try holder.query("BEGIN")
        try holder.query("LOCK TABLE ward.clinical_notes IN SHARE MODE")
        h.ui.handle(.char("y")) // no drain: the answer cannot come while the lock is held
        let watcher = try owner()
        let deadline = Date().addingTimeInterval(10)
        var waiting = 0
        repeat {
            waiting = try watcher.query("""
                SELECT count(*) AS n FROM pg_stat_activity WHERE usename = 'ward_app' AND wait_event_type = 'Lock'
                """).first!.int("n")!
            if waiting == 0 { usleep(20_000) }
        } while waiting == 0 && Date() < deadline
        XCTAssertEqual(waiting, 1, "control: the save is waiting in the server for the lock")
        XCTAssertTrue(h.app.backend.isBusy, "control: the save is in flight")
        return holder
    }

    func assertPlainSentences(_ h: ScreenHarness, file: StaticString = #filePath, line: UInt = #line) {
        let text = h.screen().joined(separator: "\n")
        for raw in ScreenHarness.rawErrorMarkers {
            XCTAssertFalse(text.contains(raw), "raw database error (\(raw)) on screen:\n\(text)", file: file, line: line)
        }
    }

    /// The server restarts while a note's save waits in it: the transaction dies with the
    /// server, the editor keeps the note and says so plainly, and once the server is back the
    /// terminal reconnects and the same save lands once.
    func restartDuringASave(mode: String) throws {
        let title = "Restart review \(mode)"
        let h = try login("northside", "sam")
        let record = PatientRecordScreen(app: h.app, patient: try h.patient("alvarez jose"))
        h.ui.push(record)
        h.drain()
        // The throwaway cluster commits asynchronously (synchronous_commit off), so a crash
        // could lose the login itself; a production server's commits are durable.
        try owner().query("CHECKPOINT")
        let holder = try blockedNoteSave(h, title: title, body: "Typed before the server went away.")
        let editor = try XCTUnwrap(h.ui.top as? NoteEditorScreen)

        try cluster.restart(mode: mode)
        h.drain()
        if mode == "fast", try notes(titled: title) == 1 {
            // A fast shutdown ends the lock holder first; the waiting save can take the lock
            // and commit before its own backend stops. Then it landed whole, once, and said so.
            XCTAssertTrue(h.ui.top === record, h.screen().joined(separator: "\n"))
            XCTAssertTrue(h.shows("Note signed and saved."), h.screen().joined(separator: "\n"))
            return
        }
        XCTAssertFalse(h.app.backend.isBusy, "the save ended with the server")
        XCTAssertThrowsError(try holder.query("SELECT 1"), "control: the restart ended the lock holder's connection too")

        XCTAssertTrue(h.ui.top === editor, "the editor stays open: \(h.screen().joined(separator: "\n"))")
        XCTAssertEqual(editor.form.fields[0].input.text, title)
        XCTAssertEqual(editor.body.text, "Typed before the server went away.")
        XCTAssertFalse(editor.saving, "the editor takes a new attempt")
        XCTAssertTrue(h.screen().joined().lowercased().contains("reconnecting"), h.screen().joined(separator: "\n"))
        assertPlainSentences(h)
        XCTAssertEqual(try notes(titled: title), 0, "no partial record")

        // What the event loop's 2-second reconnect timer does, until the server answers.
        let deadline = Date().addingTimeInterval(20)
        while !h.app.backend.reconnect() && Date() < deadline { usleep(200_000) }
        XCTAssertTrue(h.app.backend.connection.isAlive, "the terminal reconnected")
        h.press(.function(2), .char("y"))
        XCTAssertTrue(h.ui.top === record, h.screen().joined(separator: "\n"))
        XCTAssertTrue(h.shows("Note signed and saved."), h.screen().joined(separator: "\n"))
        XCTAssertEqual(try notes(titled: title), 1, "saved once, not twice")
    }

    func testFastRestartDuringASaveLosesNothingAndSavesOnceAfterReconnecting() throws {
        try restartDuringASave(mode: "fast")
    }

    func testImmediateRestartDuringASaveLosesNothingAndSavesOnceAfterReconnecting() throws {
        try restartDuringASave(mode: "immediate")
    }

    /// A save stuck behind another transaction's lock does not hang the terminal for ever:
    /// the server gives up after the backend's timeout, the editor says so and keeps the note.
    func testASaveStuckBehindALockEndsWithASentenceAndKeepsTheNote() throws {
        let title = "Stuck behind a lock"
        let h = try login("northside", "sam")
        h.app.backend.timeout = 1
        h.ui.push(PatientRecordScreen(app: h.app, patient: try h.patient("alvarez jose")))
        h.drain()
        let holder = try blockedNoteSave(h, title: title, body: "Waiting for someone else.")
        let editor = try XCTUnwrap(h.ui.top as? NoteEditorScreen)
        let started = Date()
        h.drain(seconds: 15)
        XCTAssertFalse(h.app.backend.isBusy, "the save gave up")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertTrue(h.ui.top === editor)
        XCTAssertTrue(h.shows("The database did not finish in time: nothing was changed. Try again."),
                      h.screen().joined(separator: "\n"))
        assertPlainSentences(h)
        XCTAssertEqual(editor.body.text, "Waiting for someone else.")
        try holder.query("COMMIT")
        XCTAssertEqual(try notes(titled: title), 0)

        h.press(.function(2), .char("y"))
        XCTAssertTrue(h.shows("Note signed and saved."), h.screen().joined(separator: "\n"))
        XCTAssertEqual(try notes(titled: title), 1)
    }

    /// Leaving (quit, SIGHUP, a dropped terminal) while a save waits in the server: the save
    /// is cancelled, not left to land once the lock is released, and the session is ended.
    func testLeavingDuringASaveCancelsItAndEndsTheSession() throws {
        let title = "Left behind"
        let h = try login("northside", "sam")
        let token = try XCTUnwrap(h.app.backend.token)
        h.ui.push(PatientRecordScreen(app: h.app, patient: try h.patient("alvarez jose")))
        h.drain()
        let holder = try blockedNoteSave(h, title: title, body: "Typed, confirmed, never finished.")
        let revoked = "SELECT revoked_at IS NOT NULL AS ended FROM ward.sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))"
        XCTAssertEqual(try owner().query(revoked, [token]).first?.bool("ended"), false, "control: the session is live")

        let started = Date()
        h.app.endSession()
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "leaving is bounded")
        XCTAssertEqual(try owner().query(revoked, [token]).first?.bool("ended"), true, "the session was ended")
        try holder.query("COMMIT")
        usleep(300_000)
        XCTAssertEqual(try notes(titled: title), 0, "the cancelled save did not land after the lock was released")
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
