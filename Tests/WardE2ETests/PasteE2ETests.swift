import Foundation
import XCTest

/// A bracketed paste (tmux `paste-buffer -p`, as a terminal sends a paste) arrives as one
/// insert: 64 KB into a clinical note is all there and stays editable. How fast is measured
/// by `make bench`, not asserted here.
final class PasteE2ETests: DemoE2ECase {
    func testA64KBPasteIntoANoteIsWholeAndStaysEditable() throws {
        let s = try startWard()
        login(s, clinic: "northside", user: "sam")
        _ = try s.waitFor(text: "Sam Okafor (specialist)")
        s.sendKeys("s")
        s.typeText("jose")
        _ = try s.waitFor(text: "Álvarez, José")
        s.sendKeys("Enter")
        _ = try s.waitFor(text: "Clinical notes")
        s.sendKeys("w")
        _ = try s.waitFor(text: "New note for Álvarez, José")
        s.typeText("Pasted history")
        s.sendKeys("Tab", "Tab")

        // 64 KB of numbered lines, the last one marked, so its arrival can be seen.
        var text = ""
        var n = 0
        while text.utf8.count < 65_536 - 40 { n += 1; text += "Line \(n) of the referral letter, pasted.\n" }
        text += "END-OF-PASTE"
        let file = NSTemporaryDirectory() + "ward-paste-\(UUID().uuidString).txt"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = try s.tmux(["load-buffer", "-b", "note", file])
        _ = try s.tmux(["paste-buffer", "-p", "-b", "note", "-t", "main"])
        _ = try s.waitFor(text: "END-OF-PASTE", timeout: 30)

        // Still an editor: the cursor is after the paste and typing goes on there.
        s.typeText(" and typed after")
        _ = try s.waitFor(text: "END-OF-PASTE and typed after")
        s.sendKeys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace")
        _ = try s.waitFor(text: "END-OF-PASTE and typed")
        let screen = s.capture()
        XCTAssertFalse(screen.contains { $0.contains("200~") || $0.contains("201~") }, "no paste marker typed in")
        XCTAssertFalse(screen.contains { $0.contains("Welcome,") }, "nothing in the paste left the editor")
    }
}
