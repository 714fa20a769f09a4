import Foundation
import WardDB
import XCTest

/// The real `ward` against a real, migrated and seeded database, driven in tmux at 80x24.
final class StaffFlowE2ETests: DemoE2ECase {
    func testFrontDeskFindsZoeByTypingZoeButNotAnotherClinicsPatient() throws {
        let s = try startWard()
        login(s, clinic: "northside", user: "fiona")
        var screen = try s.waitFor(text: "Fiona Reyes (front_desk)")
        XCTAssertFalse(screen.contains { $0.contains("Password") }, "the login screen is gone")
        s.sendKeys("s")
        _ = try s.waitFor(text: "Dates as DD/MM/YYYY")
        s.typeText("zoe")
        screen = try s.waitFor(text: "Ng, Zoë")
        XCTAssertTrue(screen.contains { $0.contains("Ng, Zoë") && $0.contains("30/09/1991") && $0.contains("N-") })
        s.sendKeys("C-u")
        s.typeText("शर्मा")
        screen = try s.waitFor(text: "No patient found at this clinic")
        XCTAssertFalse(screen.contains { $0.contains("अनन्या") }, "a riverside-only patient leaked to northside")
        // A date typed in the clinic's order finds by date of birth.
        s.sendKeys("C-u")
        s.typeText("30/09/1991")
        _ = try s.waitFor(text: "Ng, Zoë")
        s.sendKeys("Enter")
        screen = try s.waitFor(text: "ALLERGIES: Latex")
        XCTAssertFalse(screen.contains { $0.contains("Clinical notes") }, "front desk sees no clinical notes")
        XCTAssertEqual(screen.count, 24)
    }

    func testWrongPasswordGetsOneSentenceAndKeepsTheClinic() throws {
        let s = try startWard()
        login(s, clinic: "northside", user: "fiona", password: "not-the-password")
        let screen = try s.waitFor(text: "Wrong clinic, username or password.")
        XCTAssertTrue(screen.contains { $0.contains("Clinic") && $0.contains("northside") })
        XCTAssertTrue(screen.contains { $0.contains("Username") && $0.contains("fiona") }, "what was typed is kept")
    }

    func testSpecialistSeesNotesAndMenusFollowPermissions() throws {
        let s = try startWard()
        login(s, clinic: "northside", user: "sam")
        _ = try s.waitFor(text: "Sam Okafor (specialist)")
        s.sendKeys("s")
        s.typeText("jose")
        _ = try s.waitFor(text: "Álvarez, José")
        s.sendKeys("Enter")
        let screen = try s.waitFor(text: "Clinical notes")
        XCTAssertTrue(screen.contains { $0.contains("ALLERGIES: Penicillin") })

        let olga = try startWard()
        login(olga, clinic: "platform", user: "olga")
        let menu = try olga.waitFor(text: "Platform administrators see no clinic's records")
        XCTAssertFalse(menu.contains { $0.contains("Find a patient") }, "a platform admin has no patient search")
    }

    func testIdleLockHidesTheScreenAndAsksForThePassword() throws {
        let s = try startWard(["--idle-lock-seconds", "2"])
        login(s, clinic: "northside", user: "fiona")
        _ = try s.waitFor(text: "Fiona Reyes (front_desk)")
        s.sendKeys("s")
        s.typeText("zoe")
        _ = try s.waitFor(text: "Ng, Zoë")
        var screen = try s.waitFor(text: "Ward is locked", timeout: 10)
        XCTAssertFalse(screen.contains { $0.contains("Ng, Zoë") }, "the locked screen still shows patient data")
        s.typeText("clinic-demo")
        s.sendKeys("Enter")
        screen = try s.waitFor(text: "Ng, Zoë")
        XCTAssertFalse(screen.contains { $0.contains("Ward is locked") })
    }

    func testAdminReadsTheAuditLogAndSeesFrontDeskActions() throws {
        let f = try startWard()
        login(f, clinic: "northside", user: "fiona")
        _ = try f.waitFor(text: "Fiona Reyes (front_desk)")
        XCTAssertFalse(f.capture().contains { $0.contains("audit log") }, "front desk has no audit viewer")
        f.sendKeys("s")
        f.typeText("mary")
        _ = try f.waitFor(text: "O'Brien, Mary")

        let a = try startWard()
        login(a, clinic: "northside", user: "alice")
        _ = try a.waitFor(text: "Read this clinic's audit log")
        a.sendKeys("a")
        var screen = try a.waitFor(text: "Chain verifies")
        a.typeText("fiona")
        screen = try a.waitFor(text: "patient.search")
        XCTAssertTrue(screen.contains { $0.contains("fiona") && $0.contains("patient.search") }, screen.joined(separator: "\n"))
        XCTAssertFalse(screen.contains { $0.contains("riverside") }, "another clinic's events")
    }

    func testPlatformAdminImpersonatesAndTheClinicSeesIt() throws {
        let o = try startWard()
        login(o, clinic: "platform", user: "olga")
        _ = try o.waitFor(text: "Support a clinic")
        o.sendKeys("i")
        _ = try o.waitFor(text: "Open a support session in one clinic")
        o.typeText("lakeside"); o.sendKeys("Tab")
        o.typeText("ticket 77: calendar")
        o.sendKeys("Enter")
        let screen = try o.waitFor(text: "IMPERSONATED")
        XCTAssertTrue(screen[0].contains("Lakeside Physiotherapy"), screen[0])

        let l = try startWard()
        login(l, clinic: "lakeside", user: "lena")
        _ = try l.waitFor(text: "Read this clinic's audit log")
        l.sendKeys("a")
        _ = try l.waitFor(text: "Chain verifies")
        l.typeText("impersonation")
        let log = try l.waitFor(text: "!! impersonation.start")
        let detail = try l.waitFor(text: "ticket 77: calendar")
        XCTAssertTrue(detail.contains { $0.contains("IMPERSONATED SESSION") }, detail.joined(separator: "\n"))
        _ = log
    }
}
