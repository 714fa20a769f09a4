import Foundation
import WardDB
import XCTest

/// Faults and hostile data against the real `ward` in tmux: a dropped terminal in the middle
/// of a save, and stored text that carries terminal escape sequences.
final class FaultE2ETests: DemoE2ECase {
    func owner() throws -> Connection { try Connection(try ownerDSN()) }

    func count(_ sql: String, _ params: [any SQLValueConvertible] = []) throws -> Int {
        try owner().query(sql, params).first!.int("n")!
    }

    /// ward_app backends waiting for a lock (the terminal's save, blocked by the test).
    func savesWaiting() throws -> Int {
        try count("SELECT count(*) AS n FROM pg_stat_activity WHERE usename = 'ward_app' AND wait_event_type = 'Lock'")
    }

    /// SIGHUP (a dropped SSH link) while a note's save waits in the server for a lock the test
    /// holds: ward restores the terminal and exits 128+SIGHUP, cancels the save so that it
    /// does not land when the lock is released, and ends the staff session in the database.
    func testSIGHUPDuringASaveRestoresTheTerminalWritesNothingAndEndsTheSession() throws {
        let title = "SIGHUP review E2E-5150"
        let since = try owner().query("SELECT now()::text AS t").first!.string("t")!
        let s = try startWard()
        login(s, clinic: "northside", user: "sam")
        _ = try s.waitFor(text: "Welcome,")
        s.sendKeys("s")
        s.typeText("jose")
        _ = try s.waitFor(text: "Álvarez, José")
        s.sendKeys("Enter")
        _ = try s.waitFor(text: "Clinical notes")
        s.sendKeys("w")
        _ = try s.waitFor(text: "New note for Álvarez, José")
        s.typeText(title)
        s.sendKeys("Tab", "Tab")
        s.typeText("The link dropped while this was saving.")
        s.sendKeys("F2")
        _ = try s.waitFor(text: "Sign and save")

        let holder = try owner()
        try holder.query("BEGIN")
        try holder.query("LOCK TABLE ward.clinical_notes IN SHARE MODE")
        s.sendKeys("y")
        let deadline = Date().addingTimeInterval(10)
        while try savesWaiting() == 0 && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(try savesWaiting(), 1, "control: the save is waiting in the server")
        _ = try s.waitFor(text: "Saving")

        let pid = try s.appPID()
        s.kill(pid, signal: SIGHUP)
        let screen = try s.waitFor(text: "EXIT=")
        XCTAssertTrue(screen.contains("EXIT=\(128 + SIGHUP)"), screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains("ECHO=on") && screen.contains("ICANON=on"), "terminal modes restored")
        XCTAssertTrue(TmuxSession.waitGone(pid), "ward outlived the signal")

        XCTAssertEqual(try savesWaiting(), 0, "the save was cancelled, not left waiting for the lock")
        let sessions = """
            SELECT count(*) AS n FROM ward.sessions s JOIN ward.staff st ON st.id = s.staff_id
             WHERE st.username = 'sam' AND s.created_at >= $1::timestamptz
            """
        XCTAssertEqual(try count(sessions, [since]), 1, "control: the login made one session")
        XCTAssertEqual(try count(sessions + " AND s.revoked_at IS NULL", [since]), 0, "the session was ended")

        try holder.query("COMMIT")
        usleep(300_000)
        XCTAssertEqual(try count("SELECT count(*) AS n FROM ward.clinical_notes WHERE title = $1", [title]), 0,
                       "nothing half-written: the save did not land after the lock was released")
    }

    /// A visit reason holding an OSC title change, a clear-screen CSI and a C1 CSI, stored
    /// through the api as any front desk could: ward draws it with the controls replaced.
    /// The pane's title and contents survive, and the bytes ward wrote (recorded by tmux
    /// pipe-pane) hold none of the data's controls.
    func testStoredEscapeSequencesReachTheTerminalSanitised() throws {
        let reason = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31mE2E-hostile"
        let app = try Connection(try appDSN())
        let token = try XCTUnwrap(app.query("SELECT api.login($1, $2, $3) AS t", ["northside", "fiona", "clinic-demo"])
            .first?.string("t"))
        try app.withSession(token) { c in
            let patient = try XCTUnwrap(c.query("SELECT patient_id FROM api.search_patients($1, 1)", ["alvarez jose"])
                .first?.uuid("patient_id"))
            let sam = try XCTUnwrap(c.query("SELECT staff_id FROM api.clinician_list() WHERE username = $1", ["sam"])
                .first?.uuid("staff_id"))
            try c.query("""
                SELECT api.book_appointment($1, $2, date_trunc('hour', now()) + interval '40 days 3 hours', 30, $3)
                """, [patient, sam, reason])
        }

        let s = try startWard()
        let raw = s.workDir + "/ward-output.raw"
        try s.tmux(["pipe-pane", "-o", "-t", "main", "cat > '\(raw)'"])
        let titleBefore = try s.tmux(["display-message", "-p", "-t", "main", "#{pane_title}"])
        login(s, clinic: "northside", user: "fiona")
        _ = try s.waitFor(text: "Welcome,")
        s.sendKeys("s")
        s.typeText("jose")
        _ = try s.waitFor(text: "Álvarez, José")
        s.sendKeys("Enter")
        let screen = try s.waitFor(text: "E2E-hostile")
        let shown = try XCTUnwrap(screen.first { $0.contains("E2E-hostile") })
        XCTAssertTrue(shown.contains("\u{FFFD}]0;pwned\u{FFFD}\u{FFFD}[2J\u{FFFD}31mE2E-hostile"), shown)
        XCTAssertTrue(screen[0].contains("Northside Family Practice"), "the top bar was not cleared away")
        XCTAssertTrue(screen.contains { $0.contains("ALLERGIES") }, "the record was not cleared away")
        XCTAssertEqual(try s.tmux(["display-message", "-p", "-t", "main", "#{pane_title}"]), titleBefore,
                       "the pane's title was not changed")

        s.sendKeys("F10")
        _ = try s.waitFor(text: "EXIT=0")
        try s.tmux(["pipe-pane", "-t", "main"])
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: raw)))
        func has(_ needle: String) -> Bool {
            let n = Array(needle.utf8)
            return bytes.count >= n.count && (0...(bytes.count - n.count)).contains { Array(bytes[$0..<$0 + n.count]) == n }
        }
        XCTAssertTrue(has("]0;pwned"), "control: the recording holds the drawn reason")
        XCTAssertTrue(has("\u{FFFD}]0;pwned\u{FFFD}"), "drawn with the controls replaced")
        for control in ["\u{1b}]0;pwned", "pwned\u{7}", "\u{1b}[2J\u{9b}", "\u{9b}31m", "\u{7}"] {
            XCTAssertFalse(has(control), "ward wrote the data's control \(control.debugDescription) to the terminal")
        }
    }
}
