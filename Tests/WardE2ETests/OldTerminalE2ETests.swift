import Foundation
import XCTest

/// Ward on terminals without F5-F10 (a vt100 has PF1-PF4 only; a vt220 has no F5): every
/// action has a key that works there, and the key bar names that key, not a missing F-key.
final class OldTerminalE2ETests: DemoE2ECase {
    /// Logs fiona in under `term`, at the menu.
    func menu(term: String) throws -> TmuxSession {
        let s = try startWard(env: ["TERM": term])
        login(s, clinic: "northside", user: "fiona")
        _ = try s.waitFor(text: "Fiona Reyes (front_desk)")
        return s
    }

    func keyBar(_ s: TmuxSession) -> String { s.capture().last ?? "" }

    func testVT100OffersCtrlKeysWhereItHasNoFunctionKeys() throws {
        let s = try menu(term: "vt100")
        XCTAssertTrue(keyBar(s).contains("^X Quit"), keyBar(s))
        XCTAssertFalse(keyBar(s).contains("F10"), "a vt100 has no F10: \(keyBar(s))")
        // `/` searches from the menu.
        s.sendKeys("/")
        _ = try s.waitFor(text: "Dates as DD/MM/YYYY")
        XCTAssertTrue(keyBar(s).contains("^F Elsewhere"), keyBar(s))
        XCTAssertTrue(keyBar(s).contains("F4 New patient"), "PF1-PF4 exist on a vt100: \(keyBar(s))")
        XCTAssertFalse(keyBar(s).contains("F5"), keyBar(s))
        // Ctrl keys never collide with typing: the search field keeps what is typed.
        s.typeText("zoe")
        _ = try s.waitFor(text: "Ng, Zoë")
        s.sendKeys("C-f")
        _ = try s.waitFor(text: "Find a patient registered at another clinic")
        s.sendKeys("Escape")
        _ = try s.waitFor(text: "Dates as DD/MM/YYYY")
        s.sendKeys("Escape")
        _ = try s.waitFor(text: "Welcome, Fiona Reyes.")
        // `q` quits from the menu (nothing below it can be unsaved).
        s.sendKeys("q")
        let screen = try s.waitFor(text: "EXIT=")
        XCTAssertTrue(screen.contains { $0.contains("EXIT=0") }, screen.joined(separator: "\n"))
    }

    func testVT220HasF6ToF10ButNoF5() throws {
        let s = try menu(term: "vt220")
        XCTAssertTrue(keyBar(s).contains("F10 Quit"), "a vt220 has F10: \(keyBar(s))")
        s.sendKeys("s")
        _ = try s.waitFor(text: "Dates as DD/MM/YYYY")
        XCTAssertTrue(keyBar(s).contains("^F Elsewhere"), "a vt220 has no F5: \(keyBar(s))")
        s.sendKeys("C-f")
        _ = try s.waitFor(text: "Find a patient registered at another clinic")
        // ^X quits from a screen with text fields too (F10 as well on a vt220).
        s.sendKeys("C-x")
        let screen = try s.waitFor(text: "EXIT=")
        XCTAssertTrue(screen.contains { $0.contains("EXIT=0") }, screen.joined(separator: "\n"))
    }

    /// A slow link delivers an arrow key's bytes apart: ESC, then `O`, then `B`, each 120 ms
    /// later (ncurses used to wait 25 ms and read Esc, leaving the screen). It is one Down.
    func testAnArrowKeyWhoseBytesArriveApartIsNotEsc() throws {
        let s = try menu(term: "vt100")
        s.sendKeys("s")
        _ = try s.waitFor(text: "Dates as DD/MM/YYYY")
        s.typeText("a")
        _ = try s.waitFor(text: "Next visit")
        _ = try s.waitFor(text: ", ")  // results listed
        let before = s.capture(), beforeStyled = s.capture(escapes: true)
        for part in [["-H", "1b"], ["-l", "O"], ["-l", "B"]] {
            _ = try s.tmux(["send-keys", "-t", "main"] + part)
            usleep(120_000)
        }
        usleep(500_000)
        let after = s.capture()
        XCTAssertTrue(after.contains { $0.contains("Dates as DD/MM/YYYY") }, "still on the search screen:\n" + after.joined(separator: "\n"))
        XCTAssertFalse(after.contains { $0.contains("aOB") || $0.contains("aB") }, "nothing typed into the field")
        XCTAssertEqual(before.first { $0.hasPrefix("Search") }, after.first { $0.hasPrefix("Search") }, "the query is unchanged")
        XCTAssertNotEqual(beforeStyled.dropFirst(), s.capture(escapes: true).dropFirst(), "the selection moved down a row")
        // Control: Esc alone still leaves the screen.
        s.sendKeys("Escape")
        _ = try s.waitFor(text: "Welcome, Fiona Reyes.")
    }

    /// Control: the same key bar under tmux-256color names the F-keys, as before.
    func testAnXtermLikeTerminalStillShowsTheFunctionKeys() throws {
        let s = try menu(term: "tmux-256color")
        XCTAssertTrue(keyBar(s).contains("F10 Quit"), keyBar(s))
        s.sendKeys("s")
        _ = try s.waitFor(text: "Dates as DD/MM/YYYY")
        XCTAssertTrue(keyBar(s).contains("F5 Elsewhere"), keyBar(s))
    }
}
