import Foundation
import WardDB
import XCTest

/// Registration with consent, clinical notes, and who sees what: the real `ward` against
/// the demo database, in tmux at 80x24.
final class PatientFlowE2ETests: DemoE2ECase {
    func start(_ clinic: String, _ user: String) throws -> TmuxSession {
        let s = try startWard()
        login(s, clinic: clinic, user: user)
        _ = try s.waitFor(text: "Welcome,")
        return s
    }

    func text(_ screen: [String]) -> String { screen.joined(separator: "\n") }

    func testFrontDeskRegistersAPatientWithConsentFindsThemAndRevokes() throws {
        let s = try start("northside", "fiona")
        s.sendKeys("s")
        _ = try s.waitFor(text: "Dates as DD/MM/YYYY")
        s.typeText("शर्मा")
        var screen = try s.waitFor(text: "No patient found at this clinic")
        XCTAssertFalse(screen.contains { $0.contains("अनन्या") }, "a riverside-only patient leaked to northside")
        _ = try s.waitFor(text: "Not here? F4: register a new patient.")

        s.sendKeys("F4")
        _ = try s.waitFor(text: "Register a new patient")
        for (i, v) in ["Mbeki", "Thandi", "31/02/1990", "f", "+44 20 7946 0555", "thandi@example.org", "Latex"].enumerated() {
            if i > 0 { s.sendKeys("Tab") }
            s.typeText(v)
        }
        s.sendKeys("F2")
        screen = try s.waitFor(text: "31/02/1990 is not a day in the calendar.")
        for typed in ["Mbeki", "Thandi", "31/02/1990", "+44 20 7946 0555", "thandi@example.org", "Latex"] {
            XCTAssertTrue(screen.contains { $0.contains(typed) }, "\(typed) was lost:\n\(text(screen))")
        }
        XCTAssertFalse(screen.contains { $0.contains("Profile-sharing consent") })
        XCTAssertEqual(screen.count, 24)

        for _ in 0..<10 { s.sendKeys("BSpace") }
        s.typeText("28/02/1990")
        s.sendKeys("F2")
        _ = try s.waitFor(text: "Profile-sharing consent")
        _ = try s.waitFor(text: "I agree that this clinic may see my portable profile")
        s.typeText("Thandi Mbeki")
        s.sendKeys("F2")
        _ = try s.waitFor(text: "Confirm consent")
        s.sendKeys("y")
        _ = try s.waitFor(text: "Consent signed")
        screen = try s.waitFor(text: "ALLERGIES: Latex")
        XCTAssertTrue(screen.contains { $0.contains("Mbeki, Thandi") && $0.contains("Chart N-") }, text(screen))
        XCTAssertFalse(screen.contains { $0.contains("Clinical notes") }, "front desk sees no clinical notes")

        s.sendKeys("Escape")
        _ = try s.waitFor(text: "Dates as DD/MM/YYYY")
        s.sendKeys("C-u")
        s.typeText("mbeki")
        screen = try s.waitFor(text: "Mbeki, Thandi")
        XCTAssertTrue(screen.contains { $0.contains("Mbeki, Thandi") && $0.contains("28/02/1990") }, text(screen))

        // The patient withdraws the consent: the profile is hidden from northside again.
        s.sendKeys("Enter")
        _ = try s.waitFor(text: "ALLERGIES: Latex")
        s.sendKeys("r")
        _ = try s.waitFor(text: "Revoke consent")
        s.sendKeys("y")
        _ = try s.waitFor(text: "Consent revoked: the profile is hidden from this clinic.")
        screen = try s.waitFor(text: "No patient found at this clinic for “mbeki”")
        XCTAssertFalse(screen.contains { $0.contains("Mbeki, Thandi") }, text(screen))
    }

    func testSpecialistWritesANoteThatTheOtherClinicAndTheDeskNeverSee() throws {
        let title = "Knee review E2E-4711"
        let sam = try start("northside", "sam")
        sam.sendKeys("s")
        sam.typeText("jose")
        _ = try sam.waitFor(text: "Álvarez, José")
        sam.sendKeys("Enter")
        _ = try sam.waitFor(text: "Clinical notes")
        sam.sendKeys("w")
        _ = try sam.waitFor(text: "New note for Álvarez, José")
        sam.typeText(title)
        sam.sendKeys("Tab", "Tab")
        sam.typeText("Left knee pain after running.")
        sam.sendKeys("Enter")
        sam.typeText("Plan: physiotherapy, review in four weeks.")
        sam.sendKeys("F2")
        _ = try sam.waitFor(text: "Sign and save")
        sam.sendKeys("y")
        _ = try sam.waitFor(text: "Note signed and saved.")
        var screen = try sam.waitFor(text: title) // the record's list, read again
        XCTAssertTrue(screen.contains { $0.contains(title) && $0.contains("Sam Okafor") }, text(screen))
        sam.sendKeys("n")
        _ = try sam.waitFor(text: "Ward  Clinical notes")
        screen = try sam.waitFor(text: title)
        sam.sendKeys("Enter") // newest first: the note just written
        _ = try sam.waitFor(text: "Left knee pain after running.")
        _ = try sam.waitFor(text: "Plan: physiotherapy, review in four weeks.")

        // The same person at riverside: José's profile (shared by consent), no northside note.
        let river = try start("riverside", "sam")
        river.sendKeys("s")
        river.typeText("jose")
        _ = try river.waitFor(text: "Álvarez, José")
        river.sendKeys("Enter")
        screen = try river.waitFor(text: "ALLERGIES: Penicillin")
        screen = try river.waitFor(text: "Clinical notes")
        XCTAssertFalse(screen.contains { $0.contains(title) }, text(screen))
        river.sendKeys("n")
        screen = try river.waitFor(text: "at this clinic, newest first")
        XCTAssertFalse(screen.contains { $0.contains(title) || $0.contains("Northside") }, text(screen))

        // Front desk at northside: no notes at all, not even the key.
        let desk = try start("northside", "fiona")
        desk.sendKeys("s")
        desk.typeText("jose")
        _ = try desk.waitFor(text: "Álvarez, José")
        desk.sendKeys("Enter")
        screen = try desk.waitFor(text: "ALLERGIES: Penicillin")
        XCTAssertFalse(screen[23].contains("Notes"), "no notes key in the key bar: \(screen[23])")
        desk.sendKeys("n", "w", "?") // the help opens once the keys before it were handled
        screen = try desk.waitFor(text: "Show the keys of this screen")
        XCTAssertFalse(screen.contains { $0.contains("clinical note") }, text(screen))
        desk.sendKeys("Escape")
        screen = try desk.waitFor(text: "ALLERGIES: Penicillin")
        XCTAssertFalse(screen.contains { $0.contains("Clinical notes") || $0.contains(title) }, text(screen))
    }
}
