import Foundation
import WardDB
import XCTest

/// The real `ward` in tmux, given both servers of a primary and its streaming standby the
/// way the README's "Deploying for real" says. The primary dies: the top bar says ward is
/// reconnecting and to which hosts, the note typed is kept, and once the standby is promoted
/// ward reconnects by itself (its 2-second timer), names the host it reached, and the same
/// note is saved there once.
final class FailoverE2ETests: XCTestCase {
    var pair: StandbyPair!
    var keyFile = ""

    override func setUpWithError() throws {
        var key = ""
        pair = try StandbyPair.start { primary in
            key = primary.directory + "/keys/master.key"
            try Connection(primary.dsn()).executeScript("CREATE DATABASE ward")
            for args in [["keys", "init", "--file", key], ["migrate", "--dsn", primary.dsn(database: "ward")],
                         ["seed", "--demo", "--key-file", key, "--dsn", primary.dsn(database: "ward")]] {
                let out = try Spawn.run([TmuxSession.wardBinary] + args)
                guard out.status == 0 else { throw SpawnError("ward \(args): \(out.output)") }
            }
        }
        keyFile = key
    }

    override func tearDown() {
        pair?.stop()
        pair = nil
    }

    func notes(titled title: String, on cluster: ThrowawayCluster) throws -> Int {
        try Connection(cluster.dsn(database: "ward"))
            .query("SELECT count(*) AS n FROM ward.clinical_notes WHERE title = $1", [title]).first!.int("n")!
    }

    func testTheTopBarSaysWhereWardIsReconnectingAndTheNoteIsSavedOnceOnTheNewPrimary() throws {
        let title = "Failover E2E-2121"
        let s = try TmuxSession.start(command: TmuxSession.wardScript(["--dsn", pair.multiHostDSN(), "--key-file", keyFile]))
        addTeardownBlock { s.close() }
        _ = try s.waitFor(text: "Log in to your clinic")
        s.typeText("northside"); s.sendKeys("Tab")
        s.typeText("sam"); s.sendKeys("Tab")
        s.typeText("clinic-demo"); s.sendKeys("Enter")
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
        s.typeText("Typed while the primary went away.")
        try pair.waitForReplay()

        // The primary dies; the standby is not promoted yet, so no server takes writes.
        try pair.crashPrimary()
        s.sendKeys("F2")
        _ = try s.waitFor(text: "Sign and save")
        s.sendKeys("y")
        var screen = try s.waitFor(text: "Reconnecting to")
        XCTAssertTrue(screen[0].contains("Reconnecting to \(pair.primary.socketDirectory)"), screen[0])
        XCTAssertTrue(screen.contains { $0.contains("The connection to the database was lost.") }, screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains { $0.contains("Typed while the primary went away.") }, "the note is kept")
        // Reconnecting goes on (every 2 s) while no server takes writes: the top bar still says so.
        usleep(2_500_000)
        XCTAssertTrue(s.capture()[0].contains("Reconnecting to"), s.capture()[0])

        let promotion = Date()
        try pair.promoteStandby()
        screen = try s.waitFor(text: "Reconnected to \(pair.standby.socketDirectory).")
        let reconnected = Date()
        XCTAssertFalse(screen[0].contains("Reconnecting"), screen[0])
        XCTAssertTrue(screen[0].contains("Northside Family Practice"), "the top bar is back: \(screen[0])")
        XCTAssertTrue(screen.contains { $0.contains("Typed while the primary went away.") }, "the note is still there")

        s.sendKeys("F2")
        _ = try s.waitFor(text: "Sign and save")
        s.sendKeys("y")
        _ = try s.waitFor(text: "Note signed and saved.")
        let saved = Date()
        XCTAssertEqual(try notes(titled: title, on: pair.standby), 1, "saved once, on the new primary")
        print(String(format: "failover E2E: ward reconnected %.0f ms after promotion began (its timer retries every 2 s); "
                     + "the save landed %.0f ms after", reconnected.timeIntervalSince(promotion) * 1000,
                     saved.timeIntervalSince(promotion) * 1000))

        s.sendKeys("F10")
        _ = try s.waitFor(text: "EXIT=0")
    }
}
