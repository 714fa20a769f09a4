import Foundation
import WardDB
import XCTest

/// The real `ward ui-preview` in tmux: typing, help, resize, quit and signals.
final class UIPreviewE2ETests: XCTestCase {
    override func setUpWithError() throws {
        guard TmuxSession.tmuxAvailable else { return XCTFail("tmux is not installed: make test installs it") }
        guard FileManager.default.isExecutableFile(atPath: TmuxSession.wardBinary) else {
            XCTFail("no ward binary at \(TmuxSession.wardBinary): run `swift build` first or set WARD_BIN")
            return
        }
    }

    /// Starts the gallery at 80x24; the session is closed after the test whatever happens.
    func startGallery(args: [String] = [], env: [String: String] = [:]) throws -> (TmuxSession, pid_t) {
        let s = try TmuxSession.start(command: TmuxSession.wardScript(["ui-preview"] + args), env: env)
        addTeardownBlock { s.close() }
        try s.waitFor(text: "Widget gallery")
        return (s, try s.appPID())
    }

    /// After ward has gone: exit status, terminal modes restored, no process left.
    func assertCleanExit(_ s: TmuxSession, pid: pid_t, status: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let screen = try s.waitFor(text: "ICANON=")
        XCTAssertTrue(screen.contains("EXIT=\(status)"), "exit status; screen:\n\(screen.joined(separator: "\n"))", file: file, line: line)
        XCTAssertTrue(screen.contains("ECHO=on"), "echo restored", file: file, line: line)
        XCTAssertTrue(screen.contains("ICANON=on"), "line mode restored", file: file, line: line)
        XCTAssertFalse(screen.contains { $0.contains("Widget gallery") }, "normal screen restored (alternate screen left)",
                       file: file, line: line)
        XCTAssertTrue(TmuxSession.waitGone(pid), "ward process \(pid) is gone", file: file, line: line)
        let shell = s.panePID
        s.close()
        XCTAssertTrue(TmuxSession.waitGone(shell), "pane shell gone after close", file: file, line: line)
    }

    func testTypeHelpResizeAndQuit() throws {
        let (s, pid) = try startGallery()
        var screen = s.capture()
        XCTAssertEqual(screen.count, 24)
        XCTAssertTrue(screen[0].contains("Northside Family Practice  alice (admin)"), screen[0])
        XCTAssertTrue(screen[23].hasPrefix("F1 Help  F2 Save  F5 Busy  F8 Delete  q Quit"), screen[23])
        XCTAssertTrue(screen.contains { $0.contains("अनन्या शर्मा") })

        // Typed accents, CJK and Devanagari arrive whole in the focused field.
        s.typeText("José 王小明 अनन्या")
        screen = try s.waitFor(text: "Name      José 王小明 अनन्या")
        s.sendKeys("Tab")
        s.typeText("pässwörd")
        screen = try s.waitFor(text: "Password  ••••••••")
        XCTAssertFalse(screen.contains { $0.contains("pässwörd") }, "the password is never shown")

        // Help on F1 (in a field '?' is just a character), generated from the actions.
        s.sendKeys("F1")
        screen = try s.waitFor(text: "Everywhere")
        XCTAssertTrue(screen.contains { $0.contains("F8") && $0.contains("Ask before deleting the selected row") })
        XCTAssertTrue(screen.contains { $0.contains("q F10") && $0.contains("Leave Ward") })
        s.sendKeys("Escape")
        try s.waitUntilGone(text: "Everywhere")

        // Too small, and back.
        s.resize(40, 12)
        screen = try s.waitFor(text: "terminal too small (needs 80x24)")
        XCTAssertEqual(screen.filter { !$0.isEmpty }, ["    terminal too small (needs 80x24)"], "nothing else is drawn")
        s.resize(80, 24)
        screen = try s.waitFor(text: "Widget gallery")
        XCTAssertFalse(screen.contains { $0.contains("too small") })
        XCTAssertTrue(screen.contains { $0.contains("Name      José 王小明 अनन्या") }, "what was typed survives")
        XCTAssertTrue(screen[23].hasPrefix("F1 Help"))

        // On the table '?' opens the help; q closes it, q again quits.
        s.sendKeys("Tab")
        s.sendKeys("?")
        try s.waitFor(text: "Everywhere")
        s.sendKeys("q")
        try s.waitUntilGone(text: "Everywhere")
        XCTAssertTrue(TmuxSession.isAlive(pid))
        s.sendKeys("q")
        try assertCleanExit(s, pid: pid, status: 0)
    }

    func testConfirmDialogAndF10() throws {
        let (s, pid) = try startGallery()
        s.sendKeys("F8")
        try s.waitFor(text: "Delete José Álvarez from this list?")
        s.sendKeys("y")
        try s.waitFor(text: "Deleted José Álvarez")
        s.sendKeys("F10")
        try assertCleanExit(s, pid: pid, status: 0)
    }

    func testSIGHUPRestoresTheTerminal() throws {
        let (s, pid) = try startGallery()
        s.kill(pid, signal: SIGHUP)
        try assertCleanExit(s, pid: pid, status: 128 + Int(SIGHUP))
    }

    func testSIGTERMRestoresTheTerminal() throws {
        let (s, pid) = try startGallery()
        s.typeText("half-typed")
        try s.waitFor(text: "half-typed")
        s.kill(pid, signal: SIGTERM)
        try assertCleanExit(s, pid: pid, status: 128 + Int(SIGTERM))
    }

    func testSIGINTRestoresTheTerminal() throws {
        let (s, pid) = try startGallery()
        s.kill(pid, signal: SIGINT)
        try assertCleanExit(s, pid: pid, status: 128 + Int(SIGINT))
    }

    /// A dropped SSH link: the terminal disappears (tmux server killed: SIGHUP, then
    /// the pty is gone). ward must not hang on the dead terminal.
    func testTerminalGoneLeavesNoProcess() throws {
        let (s, pid) = try startGallery()
        s.close()
        XCTAssertTrue(TmuxSession.waitGone(pid, timeout: 6), "ward \(pid) still running after its terminal went away")
    }

    func testNoColorDrawsWithoutColours() throws {
        let (s, pid) = try startGallery(env: ["NO_COLOR": "1"])
        let raw = s.capture(escapes: true).joined(separator: "\n")
        XCTAssertTrue(raw.contains("\u{1b}[7m") || raw.contains(";7m"), "reverse video bars")
        for sgr in ["[30m", "[31m", "[36m", "[44m", "[46m", "38;5", "48;5", ";36m", ";46m"] {
            XCTAssertFalse(raw.contains(sgr), "colour \(sgr) drawn with NO_COLOR")
        }
        s.sendKeys("F10")
        try assertCleanExit(s, pid: pid, status: 0)
    }

    func testColoursWithTheDefaultTheme() throws {
        let (s, pid) = try startGallery(args: ["--theme", "default"])
        let raw = s.capture(escapes: true).joined(separator: "\n")
        XCTAssertTrue(raw.contains("46m"), "cyan bars: \(raw.prefix(300).debugDescription)")
        s.sendKeys("F10")
        try assertCleanExit(s, pid: pid, status: 0)
    }

    func testBrokenThemeAndConfigAreClearErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ward-e2e-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let theme = dir.appendingPathComponent("bad.theme").path
        try "normal = default\ntitle = bold, sparkly\n".write(toFile: theme, atomically: true, encoding: .utf8)
        var out = try Spawn.run([TmuxSession.wardBinary, "ui-preview", "--theme", theme])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.output.contains("\(theme):2: unknown colour or attribute 'sparkly'"), out.output)

        let config = dir.appendingPathComponent("config.toml").path
        try "theme = \"mono\"\n[keys]\nserach = \"F3\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        out = try Spawn.run([TmuxSession.wardBinary, "ui-preview", "--config", config])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.output.contains("\(config):3: unknown action 'serach' in [keys]"), out.output)

        out = try Spawn.run([TmuxSession.wardBinary, "ui-preview", "--theme", "sparkly"])
        XCTAssertEqual(out.status, 1)
        XCTAssertTrue(out.output.contains("sparkly: no such theme; available: default, high-contrast, light, mono"), out.output)
    }

    func testRebindingFromTheConfigFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ward-e2e-keys-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.toml").path
        try "[keys]\nquit = \"F9\"\ndelete = [\"F7\", \"Ctrl-D\"]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let (s, pid) = try startGallery(args: ["--config", config])
        let screen = s.capture()
        XCTAssertTrue(screen[23].contains("F7 Delete") && screen[23].contains("F9 Quit"), screen[23])
        s.sendKeys("F10")
        usleep(200_000)
        XCTAssertTrue(TmuxSession.isAlive(pid), "F10 no longer quits")
        s.sendKeys("F9")
        try assertCleanExit(s, pid: pid, status: 0)
    }
}
