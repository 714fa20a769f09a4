import Foundation
@testable import WardScreens
import XCTest

/// man/ward.1's KEYS section is the one ManualKeys generates from the action lists: an
/// action added, renamed or rebound by default cannot leave the manual stale.
final class ManualKeysTests: XCTestCase {
    let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("man/ward.1")

    func testTheManualsKeysSectionIsGeneratedFromTheActionLists() throws {
        var text = try String(contentsOf: page, encoding: .utf8)
        let generated = ManualKeys.section()
        let current = text.range(of: ManualKeys.begin).flatMap { b in
            text.range(of: ManualKeys.end, range: b.lowerBound..<text.endIndex).map { b.lowerBound..<$0.upperBound }
        }
        if ProcessInfo.processInfo.environment["WARD_UPDATE_MAN"] == "1" {
            if let r = current { text.replaceSubrange(r, with: generated) } else {
                let at = try XCTUnwrap(text.range(of: "\n.Sh ENVIRONMENT"))
                text.insert(contentsOf: "\n" + generated, at: at.lowerBound)
            }
            try text.write(to: page, atomically: true, encoding: .utf8)
            return
        }
        let r = try XCTUnwrap(current, "man/ward.1 has no KEYS section: run WARD_UPDATE_MAN=1 swift test --filter ManualKeysTests")
        XCTAssertEqual(String(text[r]), generated,
                       "man/ward.1's KEYS section is stale: run WARD_UPDATE_MAN=1 swift test --filter ManualKeysTests")
    }

    /// Control: every action and its scope appear, so a section missing one would differ.
    func testTheSectionNamesEveryActionAndScreen() {
        let section = ManualKeys.section()
        for a in StaffApp.allActions {
            XCTAssertTrue(section.contains(".It Cm \(a.name)\n"), "\(a.scope).\(a.name) missing")
        }
        XCTAssertTrue(section.contains(".Ss Screen patient-search"))
        XCTAssertTrue(section.contains("\nKeys: F5, ^F.\n"), "find-elsewhere's keys")
    }
}
