import Foundation
import WardDB
@testable import WardClient
@testable import WardScreens
import WardTerm
import XCTest

/// A patient registered elsewhere: found by exact details only, masked, shared by the
/// patient's signed consent, and hidden again when they revoke it.
final class ConsentTests: DemoDatabaseCase {
    func testAProfileFromAnotherClinicIsFoundMaskedSharedByConsentAndHiddenOnRevocation() throws {
        let h = try login("lakeside", "lena") // Zoë Ng is registered at northside only
        h.press(.char("s"))
        let search = try XCTUnwrap(h.ui.top as? PatientSearchScreen)
        h.type("ng zoe")
        h.settle()
        XCTAssertTrue(h.shows("No patient found at this clinic"), h.screen().joined(separator: "\n"))
        XCTAssertTrue(h.shows("Not here? F4: register a new patient.  F5: find one registered elsewhere."))
        h.press(.function(5))
        let find = try XCTUnwrap(h.ui.top as? FindElsewhereScreen)
        h.type("Ng"); h.press(.tab)
        h.type("Zoe"); h.press(.tab)
        h.type("1991-09-29")
        h.press(.enter) // on the last field Enter looks up
        XCTAssertTrue(find.matches.isEmpty, "one day off finds nothing")
        XCTAssertTrue(h.shows("No profile elsewhere matches exactly."), h.screen().joined(separator: "\n"))
        for _ in 0..<2 { h.press(.backspace) }
        h.type("30")
        h.press(.function(2))
        XCTAssertEqual(find.table.rows, [["Z*** N***", "1991", "female"]], "a masked identity, not the name")
        XCTAssertTrue(find.resultsFocused)
        h.press(.enter)
        let consent = try XCTUnwrap(h.ui.top as? ConsentScreen)
        XCTAssertTrue(h.shows("For Z*** N***, born 1991, registered at another clinic"), h.screen().joined(separator: "\n"))
        h.type("Zoë Ng")
        h.press(.function(2))
        h.press(.char("y"))
        XCTAssertFalse(h.ui.stack.contains { $0 === consent || $0 === find }, "the look-up screens are closed")
        XCTAssertTrue(h.ui.top is PatientRecordScreen)
        var screen = h.screen()
        XCTAssertTrue(screen.contains { $0.contains("Ng, Zoë") && $0.contains("Chart L-") }, screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains { $0.contains("ALLERGIES: Latex") })

        // Other clinics are not affected by lakeside's consent.
        let river = try login("riverside", "dana")
        XCTAssertEqual(river.search("ng zoe"), [], "riverside still cannot see Zoë")

        // Back in the list, the same search now finds her here; she is opened from it.
        h.press(.escape)
        XCTAssertTrue(h.ui.top === search)
        h.ui.handle(.backspace); h.type("e")
        h.settle()
        XCTAssertTrue(h.shows("Ng, Zoë"), h.screen().joined(separator: "\n"))
        h.press(.enter)
        XCTAssertTrue(h.ui.top is PatientRecordScreen)

        // The patient changes their mind.
        h.press(.char("r"))
        XCTAssertTrue(h.shows("Revoke consent"))
        h.press(.char("y"))
        h.settle()  // the search runs again, as the event loop's next turn would run it
        XCTAssertTrue(h.ui.top === search, h.screen().joined(separator: "\n"))
        screen = h.screen()
        XCTAssertTrue(screen.contains { $0.contains("Consent revoked: the profile is hidden from this clinic.") })
        XCTAssertTrue(screen.contains { $0.contains("No patient found at this clinic") }, "the search ran again: she is gone")
        XCTAssertEqual(h.search("ng zoe"), [])
        let north = try login("northside", "fiona")
        XCTAssertEqual(north.search("ng zoe").count, 1, "northside's own consent is untouched")
    }

    func testAHandleThatWasNeverIssuedSignsNothing() throws {
        let h = try login("riverside", "dana")
        let forged = Api.PortableMatch(handle: String(repeating: "ab", count: 16), maskedName: "J*** Á***", sex: "male",
                                       birthYear: 1979)
        let consent = ConsentScreen(app: h.app, purpose: .portable(forged))
        h.ui.push(consent)
        h.drain()
        h.type("Someone")
        h.press(.function(2))
        h.press(.char("y"))
        XCTAssertTrue(h.ui.top === consent, "the consent screen stays, with what was typed")
        XCTAssertTrue(h.shows("This look-up has expired; find the profile again."), h.screen().joined(separator: "\n"))
        XCTAssertEqual(consent.signature.text, "Someone")
    }

    func testFindingElsewhereNeedsAllThreeDetails() throws {
        let h = try login("riverside", "dana")
        let find = FindElsewhereScreen(app: h.app)
        h.ui.push(find)
        h.type("Ng")
        h.press(.function(2))
        XCTAssertEqual(find.form.focus, 1)
        XCTAssertEqual(find.form.fields[1].error, "Enter the given name.")
        XCTAssertEqual(find.form.fields[2].error, "Enter the date of birth.")
        XCTAssertFalse(h.app.backend.isBusy, "nothing was looked up")
        XCTAssertEqual(find.form.fields[0].input.text, "Ng")
    }
}
