import Foundation
import WardCore
import WardDB
import WardClient
@testable import WardScreens
import WardTerm
import XCTest

/// A logged-in terminal without the terminal: the real screens, the real backend and a
/// real migrated, seeded database; keys go to `ui.handle` and frames into a GridCanvas.
/// The event loop's part (waiting on the socket) is `drain()`.
final class ScreenHarness {
    let ui = UI(theme: Theme.builtinDefault)
    let app: StaffApp
    private var watched: Int32?

    init(dsn: String, clinic: String, user: String, masterKey: MasterKey?) throws {
        app = StaffApp(ui: ui, connection: try Connection(dsn))
        app.masterKey = masterKey
        app.backend.watchSocket = { [unowned self] fd in watched = fd }
        var token: String?
        app.backend.submit(Api.login(clinic: clinic, username: user, password: DemoSeed.password)) { token = try? $0.get() }
        drain()
        guard let token else { throw SpawnError("\(user)@\(clinic) could not log in") }
        ui.push(MenuScreen(app: app))
        app.loggedIn(token: token, clinic: clinic, username: user) {}
        drain()
    }

    /// Answers every request in flight, and the ones their answers send.
    func drain(seconds: Double = 10) {
        let deadline = Date().addingTimeInterval(seconds)
        while app.backend.isBusy && Date() < deadline {
            guard let fd = watched else { return }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 50) > 0 { app.backend.socketReadable() }
        }
    }

    func type(_ text: String) { for ch in text { ui.handle(.char(ch)) } }

    func press(_ keys: Key...) {
        for k in keys { ui.handle(k) }
        drain()
    }

    /// The frame at 80x24, as a person would see it.
    func screen() -> [String] {
        let c = GridCanvas(rows: 24, cols: 80)
        ui.render(into: c)
        return c.lines()
    }

    func shows(_ text: String) -> Bool { screen().contains { $0.contains(text) } }

    /// This clinic's patients found by a search.
    func search(_ q: String) -> [UUID] {
        var hits: [Api.PatientHit] = []
        app.backend.submit(Api.searchPatients(q)) { hits = (try? $0.get()) ?? [] }
        drain()
        return hits.map(\.id)
    }

    func patient(_ q: String) throws -> UUID {
        guard let id = search(q).first else { throw SpawnError("no patient for \(q)") }
        return id
    }
}

/// One throwaway cluster per test class, migrated and loaded with the demo data.
class DemoDatabaseCase: XCTestCase {
    nonisolated(unsafe) static var clusters: [ObjectIdentifier: ThrowawayCluster] = [:]
    nonisolated(unsafe) static var masterKeys: [ObjectIdentifier: MasterKey] = [:]

    override class func setUp() {
        guard let c = try? ThrowawayCluster.start() else { return }
        clusters[ObjectIdentifier(self)] = c
        // The demo's encrypted fields need a master key; it lives in the cluster's directory.
        guard let key = try? MasterKey.create(at: c.directory + "/master.key") else { return }
        masterKeys[ObjectIdentifier(self)] = key
        try? Connection(c.dsn()).executeScript("CREATE DATABASE ward")
        if let owner = try? Connection(c.dsn(database: "ward")) {
            _ = try? Migrator(connection: owner).migrate()
            _ = try? DemoSeed.load(owner, masterKey: key)
        }
    }

    override class func tearDown() {
        masterKeys.removeValue(forKey: ObjectIdentifier(self))
        clusters.removeValue(forKey: ObjectIdentifier(self))?.stop()
    }

    func login(_ clinic: String, _ user: String) throws -> ScreenHarness {
        let c = try XCTUnwrap(Self.clusters[ObjectIdentifier(type(of: self))], "no cluster")
        let key = try XCTUnwrap(Self.masterKeys[ObjectIdentifier(type(of: self))], "no master key")
        return try ScreenHarness(dsn: c.dsn(database: "ward", user: "ward_app"), clinic: clinic, user: user, masterKey: key)
    }
}

/// Registering a patient: the form's checks, the duplicate warning, consent, and what
/// happens to the typed fields when anything is refused.
final class RegisterTests: DemoDatabaseCase {
    let today = CalendarDate(year: 2026, month: 11, day: 23)!

    func testFieldChecksAreSentences() {
        XCTAssertEqual(RegisterScreen.checkDate("31/02/1990", order: .dmy, today: today), .refused("31/02/1990 is not a day in the calendar."))
        XCTAssertEqual(RegisterScreen.checkDate("02/28/1990", order: .dmy, today: today),
                       .refused("02/28/1990 is not a day in the calendar."), "month 28 in a DD/MM clinic")
        XCTAssertEqual(RegisterScreen.checkDate("02/28/1990", order: .mdy, today: today), .valid(CalendarDate(year: 1990, month: 2, day: 28)!))
        XCTAssertEqual(RegisterScreen.checkDate("1990-02-28", order: .dmy, today: today), .valid(CalendarDate(year: 1990, month: 2, day: 28)!),
                       "ISO is always accepted")
        XCTAssertEqual(RegisterScreen.checkDate("24/11/2026", order: .dmy, today: today), .refused("The date of birth cannot be in the future."))
        XCTAssertEqual(RegisterScreen.checkDate("01/01/1850", order: .dmy, today: today), .refused("The date of birth cannot be before 1880."))
        XCTAssertEqual(RegisterScreen.checkDate("12/4/79", order: .dmy, today: today), .refused("Type the date as DD/MM/YYYY (or YYYY-MM-DD)."))
        XCTAssertEqual(RegisterScreen.checkDate(" ", order: .dmy, today: today), .refused("Enter the date of birth."))
        XCTAssertEqual(RegisterScreen.sex(from: "F"), "female")
        XCTAssertEqual(RegisterScreen.sex(from: "unk"), "unknown")
        XCTAssertNil(RegisterScreen.sex(from: "x"))
        XCTAssertNil(RegisterScreen.sex(from: ""))
        XCTAssertEqual(RegisterScreen.checkName("  ", "family"), "Enter the family name.")
        XCTAssertNil(RegisterScreen.checkName("शर्मा", "family"))
        XCTAssertNil(RegisterScreen.checkEmail(""))
        XCTAssertNil(RegisterScreen.checkEmail("ana@example.org"))
        for bad in ["ana@", "ana@example", "a b@example.org", "ana@@example.org", "@example.org", "ana@.org"] {
            XCTAssertEqual(RegisterScreen.checkEmail(bad), "The e-mail address does not look right.", bad)
        }
        XCTAssertNil(RegisterScreen.checkPhone("+44 (20) 7946-0101"))
        XCTAssertEqual(RegisterScreen.checkPhone("call me"), "A phone number has digits, spaces and + ( ) - only.")
    }

    /// Types the form the way the desk would: Tab between fields.
    func fill(_ h: ScreenHarness, _ values: [String]) {
        for (i, v) in values.enumerated() {
            h.type(v)
            if i < values.count - 1 { h.press(.tab) }
        }
    }

    func openRegister(_ h: ScreenHarness) throws -> RegisterScreen {
        h.press(.char("s"))
        XCTAssertTrue(h.shows("F4 New patient"), h.screen().joined(separator: "\n"))
        h.press(.function(4))
        return try XCTUnwrap(h.ui.top as? RegisterScreen)
    }

    func testAnImpossibleDateIsRefusedBesideTheFieldAndNothingTypedIsLost() throws {
        let h = try login("northside", "fiona")
        let register = try openRegister(h)
        fill(h, ["Kowalski", "Anna", "31/02/1990", "f", "+44 20 7946 0999", "anna@example.org", "Penicillin"])
        h.press(.function(2))
        XCTAssertTrue(h.ui.top === register, "no consent without a valid form")
        let screen = h.screen()
        XCTAssertTrue(screen.contains { $0.contains("31/02/1990 is not a day in the calendar.") }, screen.joined(separator: "\n"))
        XCTAssertEqual(register.form.focus, 2, "the focus is on the date")
        XCTAssertEqual(register.form.fields.map(\.input.text),
                       ["Kowalski", "Anna", "31/02/1990", "f", "+44 20 7946 0999", "anna@example.org", "Penicillin"])
        // Fixing the date is enough.
        for _ in 0..<10 { h.press(.backspace) }
        h.type("28/02/1990")
        h.press(.function(2))
        XCTAssertTrue(h.ui.top is ConsentScreen, h.screen().joined(separator: "\n"))
    }

    func testRegisteringWithConsentOpensTheRecordAndTheSearchFindsThePatient() throws {
        let h = try login("northside", "fiona")
        _ = try openRegister(h)
        fill(h, ["Mwangi", "Wanjiru", "14/03/1987", "female", "", "", "Shellfish"])
        h.press(.function(2))
        let consent = try XCTUnwrap(h.ui.top as? ConsentScreen)
        XCTAssertTrue(h.shows("I agree that this clinic may see my portable profile"), h.screen().joined(separator: "\n"))
        XCTAssertTrue(h.shows("For Mwangi, Wanjiru, born 14/03/1987"))
        h.press(.function(2))
        XCTAssertTrue(h.shows("The patient must type their full name as signature."), "an empty signature is refused")
        XCTAssertTrue(h.ui.top === consent)
        h.type("Wanjiru Mwangi")
        h.press(.function(2))
        XCTAssertTrue(h.shows("Confirm consent"))
        XCTAssertTrue(h.shows("“Wanjiru Mwangi”"))
        h.press(.char("y"))
        XCTAssertTrue(h.ui.top is PatientRecordScreen, h.screen().joined(separator: "\n"))
        let screen = h.screen()
        XCTAssertTrue(screen.contains { $0.contains("Mwangi, Wanjiru") && $0.contains("Chart N-") }, screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains { $0.contains("ALLERGIES: Shellfish") })
        h.press(.escape)
        XCTAssertTrue(h.ui.top is PatientSearchScreen)
        h.type("mwangi")
        h.settle()
        XCTAssertTrue(h.shows("Mwangi, Wanjiru"), h.screen().joined(separator: "\n"))
    }

    func testASecondProfileWithTheSameNamesAndBirthDateIsWarnedOf() throws {
        let h = try login("northside", "fiona")
        let register = try openRegister(h)
        fill(h, ["alvarez", "jose", "12/04/1979", "m"])
        h.press(.function(2))
        let dialog = try XCTUnwrap(h.ui.top as? ConfirmDialog, h.screen().joined(separator: "\n"))
        XCTAssertTrue(h.shows("Likely duplicate"))
        XCTAssertTrue(dialog.message.contains("Álvarez, José, born 12/04/1979, chart N-"), dialog.message)
        h.press(.char("n"))
        XCTAssertTrue(h.ui.top === register, "back to the form, nothing created")
        XCTAssertEqual(register.form.fields[0].input.text, "alvarez")
    }

    func testARefusalAboutAFieldGoesBackToTheFormWithEverythingKept() throws {
        let h = try login("northside", "fiona")
        let register = try openRegister(h)
        fill(h, ["Okoro", "Ada", "01/05/1990", "f"])
        // The form checks the e-mail too; here it is handed to the database unchecked, to
        // see the database's refusal travel back to the right field.
        let p = Api.NewPatient(familyName: "Okoro", givenName: "Ada", dateOfBirth: CalendarDate(year: 1990, month: 5, day: 1)!,
                               sex: "female", email: "ada@nowhere")
        register.takeConsent(p, h.ui)
        h.drain()
        h.type("Ada Okoro")
        h.press(.function(2))
        h.press(.char("y"))
        XCTAssertTrue(h.ui.top === register, h.screen().joined(separator: "\n"))
        XCTAssertEqual(register.form.focus, 5)
        XCTAssertEqual(register.form.fields[5].error, "The e-mail address does not look right.")
        XCTAssertTrue(h.shows("The e-mail address does not look right."))
        XCTAssertEqual(register.form.fields[0].input.text, "Okoro")
        XCTAssertEqual(register.consent.signature.text, "Ada Okoro", "the signature typed is kept for the next try")
        XCTAssertEqual(h.search("okoro"), [], "nothing was created")
    }

    /// A key bound twice on one screen silently does only the first thing: screens that
    /// grow actions (the record, the search) must not shadow each other or the global keys.
    func testNoKeyIsBoundTwiceOnAScreen() {
        let lists: [[Action]] = [PatientSearchScreen.list, PatientRecordScreen.list, RegisterScreen.list,
                                 FindElsewhereScreen.list, ConsentScreen.list, NoteListScreen.list,
                                 NoteViewScreen.list, NoteEditorScreen.list]
        for list in lists {
            let keys = (list + StaffApp.globalActions).flatMap(\.keys)
            XCTAssertEqual(keys.count, Set(keys).count, "\(list.first!.scope): \(keys)")
        }
    }

    func testFrontDeskWithoutRegistrationIsNotOffered() throws {
        let h = try login("northside", "bruno") // billing: search and read only
        h.press(.char("s"))
        let search = try XCTUnwrap(h.ui.top as? PatientSearchScreen)
        XCTAssertFalse(h.ui.actions(of: search).contains { $0.name == "register" || $0.name == "find-elsewhere" })
        h.press(.function(4))
        XCTAssertTrue(h.ui.top === search)
    }
}

extension ScreenHarness {
    /// Text that only a raw database error would put on the screen.
    static let rawErrorMarkers = ["SQLSTATE", "ERROR:", "violates", "syntax error", "function api."]
}
