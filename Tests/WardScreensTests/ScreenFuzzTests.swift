import Foundation
import WardCore
import WardDB
import WardClient
@testable import WardScreens
@testable import WardTerm
import WardTestSupport
import XCTest

/// Every text field of every screen that takes text gets random and hostile input, typed
/// key by key (control characters included, so the fields' own filter is what is tested;
/// invalid UTF-8 arrives as U+FFFD, as the terminal's decoder delivers it), and is
/// submitted the way a person would, confirmations included. An input fails when the
/// screen shows a raw database error, when an ESC, C0 or C1 control character reaches the
/// rendered frame, or when the submission changes rows it may not (each target names the
/// table it may add to and how many rows). At the end no row of riverside may have changed
/// (every target works as northside, lakeside or the platform).
///
/// FUZZ_SCREEN_INPUTS (default 300) and FUZZ_SEED (default fixed) make a run repeatable;
/// the summary line and every failure name the seed and the input.
final class ScreenFuzzTests: DemoDatabaseCase {
    struct Target {
        let screen: String
        let fields: [String]
        let clinic: String, user: String
        /// The table a submission may add rows to, and how many; nil: it may change nothing countable.
        let table: String?
        let mayAdd: Int
        /// For a target that may add a row: a plausible value of its first field, which must
        /// add exactly that row (the control that the fuzzing drives the real submission).
        var benign: String?
        /// Runs api functions that hash a password (0.1 s each by design): a small share of inputs.
        var hashes = false
        /// Before the rows are counted: whatever the submission needs to exist.
        var prepare: (ScreenHarness) throws -> Void = { _ in }
        /// Opens the screen on top of the menu, types `input` into field `field` (the other
        /// fields hold plausible values) and submits.
        let run: (ScreenHarness, Int, String) throws -> Void
    }

    var harnesses: [String: ScreenHarness] = [:]
    var serial = 0
    var lenaPassword = DemoSeed.password
    /// The appointment the cancel target works on (a new one for each input).
    var booked: Api.AppointmentRow?
    var lastScreen: [String] = []

    func harness(_ clinic: String, _ user: String) throws -> ScreenHarness {
        let key = clinic + "/" + user
        if let h = harnesses[key], h.app.me != nil, h.app.me?.impersonatedBy == nil { return h }
        let h = try login(clinic, user)
        harnesses[key] = h
        return h
    }

    func owner() throws -> Connection {
        let c = try XCTUnwrap(Self.clusters[ObjectIdentifier(type(of: self))], "no cluster")
        return try Connection(c.dsn(database: "ward"))
    }

    /// A fresh name part for each registration, so no likely-duplicate prompt gets in the way.
    func uniqueLetters() -> String {
        serial += 1
        var n = serial, s = ""
        repeat { s.append(Character(Unicode.Scalar(UInt8(97 + n % 26)))); n /= 26 } while n > 0
        return s
    }

    func testEveryTextFieldOfEveryScreen() throws {
        let env = ProcessInfo.processInfo.environment
        let total = Int(env["FUZZ_SCREEN_INPUTS"] ?? "") ?? 300
        let seed = UInt64(env["FUZZ_SEED"] ?? "") ?? 0x5741_5244
        var rng = SplitMix64(seed: seed)
        let owner = try owner()
        let before = try riversideFingerprint(owner)
        let targets = try makeTargets()
        let fieldCount = targets.reduce(0) { $0 + $1.fields.count }
        XCTAssertEqual(problems(on: ["ERROR: x", "a\u{1b}[2Jb", "c\u{9b}31m"]).count, 3, "control: the detector fires")

        var accepted: [String: Int] = [:]
        func submit(_ t: Target, _ field: Int, _ input: String) throws -> Int? {
            let h = try harness(t.clinic, t.user)
            while h.ui.stack.count > 1 { h.ui.pop() }
            h.ui.clearMessage()
            try t.prepare(h)
            let count = try t.table.map { try owner.query("SELECT count(*) AS n FROM \($0)").first!.int("n")! }
            try t.run(h, field, input)
            h.settle()
            lastScreen = h.screen()
            guard let table = t.table, let count else { return nil }
            return try owner.query("SELECT count(*) AS n FROM \(table)").first!.int("n")! - count
        }
        for t in targets {
            guard let benign = t.benign else { continue }
            XCTAssertEqual(try submit(t, 0, benign), 1,
                           "control: \(t.screen) with \(benign) adds its row:\n" + lastScreen.joined(separator: "\n"))
        }

        var failures: [String] = []
        var sent = 0, slot = 0, hashing = 0
        while sent < total {
            let t = targets[slot % targets.count]
            let field = (slot / targets.count) % t.fields.count
            slot += 1
            if t.hashes {
                if hashing >= max(12, total / 25) { continue }
                hashing += 1
            }
            sent += 1
            let input = ScreenHostile.next(&rng)
            let label = "\(t.screen) / \(t.fields[field]) (seed \(seed), input \(sent)) \(ScreenHostile.shown(input))"
            let added = try submit(t, field, input)
            for p in problems(on: lastScreen) { failures.append("\(label): \(p)") }
            if let added, added < 0 || added > t.mayAdd { failures.append("\(label): \(t.table!) changed by \(added) rows") }
            if let added, added > 0 { accepted[t.screen, default: 0] += 1 }
        }
        let after = try riversideFingerprint(owner)
        for (table, sum) in before where after[table] != sum { failures.append("riverside rows of \(table) changed") }
        print("screen fuzz: \(sent) inputs, \(failures.count) failures (seed \(seed), \(targets.count) screens, \(fieldCount) fields)")
        print("screen fuzz: saved by " + accepted.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        XCTAssertEqual(failures.count, 0, "failures:\n" + failures.prefix(40).joined(separator: "\n"))
    }

    /// What must never be on screen: a raw database error, or a control character.
    func problems(on lines: [String]) -> [String] {
        var found: [String] = []
        let text = lines.joined(separator: "\n")
        for raw in ScreenHarness.rawErrorMarkers where text.contains(raw) {
            found.append("raw database error (\(raw)) on screen:\n" + text)
        }
        for (i, line) in lines.enumerated() {
            if let c = line.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
                found.append(String(format: "control character U+%04X on row %d: ", c.value, i) + line.debugDescription)
            }
        }
        return found
    }

    // MARK: The screens

    func makeTargets() throws -> [Target] {
        let fiona = try harness("northside", "fiona")
        let jose = try fiona.patient("alvarez jose")
        var clinicians: [Api.Clinician] = []
        fiona.app.backend.submit(Api.clinicians) { clinicians = (try? $0.get()) ?? [] }
        fiona.drain()
        let sam = try XCTUnwrap(clinicians.first { $0.username == "sam" }, "sam is bookable at northside")
        let today = fiona.app.clock.today()
        /// A day of its own for each booking, years ahead of the demo's appointments.
        func freshDay() -> CalendarDate { serial += 1; return AppointmentCalendar.add(400 + serial, to: today) }

        func fill(_ h: ScreenHarness, _ form: Form, _ defaults: [String], fuzz field: Int, with input: String) {
            for (i, value) in defaults.enumerated() {
                form.focus = i
                form.fields[i].input.text = ""
                h.type(i == field ? input : value)
            }
        }

        var targets: [Target] = []
        targets.append(Target(screen: "login", fields: ["clinic", "username", "password"], clinic: "northside", user: "bruno",
                              table: "ward.sessions", mayAdd: 0, hashes: true) { h, field, input in
            let token = h.app.backend.token
            let screen = LoginScreen(app: h.app, clinic: "")
            h.ui.push(screen)
            fill(h, screen.form, ["northside", "nobody-fuzz", "not-the-password"], fuzz: field, with: input)
            h.press(.function(2))
            h.app.backend.token = token
        })
        targets.append(Target(screen: "patient search", fields: ["query"], clinic: "northside", user: "fiona",
                              table: "ward.patients", mayAdd: 0) { h, _, input in
            h.ui.push(PatientSearchScreen(app: h.app))
            h.type(input)
            h.settle()
            h.press(.enter)
        })
        let registerFields = ["family name", "given name", "date of birth", "sex", "phone", "e-mail", "allergies"]
        targets.append(Target(screen: "register", fields: registerFields + ["consent signature"], clinic: "northside",
                              user: "fiona", table: "ward.patients", mayAdd: 1, benign: "Fuzzfam") { [unowned self] h, field, input in
            let screen = RegisterScreen(app: h.app)
            h.ui.push(screen)
            fill(h, screen.form, ["Fuzzfam", "Given" + uniqueLetters(), "1990-02-01", "f", "+44 20 7946 0000",
                                  "fuzz@example.org", "none"], fuzz: field, with: input)
            h.press(.function(2))
            h.settle()
            if h.ui.top is ConfirmDialog { h.press(.char("y")) }
            guard h.ui.top is ConsentScreen else { return }
            h.type(field == registerFields.count ? input : "Fuzz Signature")
            h.press(.function(2))
            if h.ui.top is ConfirmDialog { h.press(.char("y")) }
        })
        targets.append(Target(screen: "find elsewhere", fields: ["family name", "given name", "date of birth"],
                              clinic: "northside", user: "fiona", table: "ward.profile_consents", mayAdd: 0) { h, field, input in
            let screen = FindElsewhereScreen(app: h.app)
            h.ui.push(screen)
            fill(h, screen.form, ["Sharma", "Ananya", "1990-01-01"], fuzz: field, with: input)
            h.press(.function(2))
        })
        targets.append(Target(screen: "note editor", fields: ["title", "kind", "body"], clinic: "northside", user: "sam",
                              table: "ward.clinical_notes", mayAdd: 1, benign: "Fuzz note") { h, field, input in
            let editor = NoteEditorScreen(app: h.app, patient: jose, patientName: "Álvarez, José")
            h.ui.push(editor)
            fill(h, editor.form, ["Fuzz note", "note"], fuzz: field, with: input)
            editor.bodyFocused = true
            h.type(field == 2 ? input : "Fuzz body")
            h.press(.function(2))
            if h.ui.top is ConfirmDialog { h.press(.char("y")) }
        })
        let formFields = ["patient", "clinician", "date", "time", "minutes", "reason"]
        targets.append(Target(screen: "appointment form", fields: formFields, clinic: "northside", user: "fiona",
                              table: "ward.appointments", mayAdd: 1, benign: "alvarez") { h, field, input in
            let day = freshDay()
            let screen = AppointmentFormScreen(app: h.app, booking: sam, on: day, clinicians: clinicians) { _, _ in }
            h.ui.push(screen)
            let defaults = ["alvarez", sam.displayName, h.app.dateOrder.format(day), "09:00", "30", "fuzz"]
            for (i, value) in defaults.enumerated() {
                screen.form.focus = i
                screen.form.fields[i].input.text = ""
                h.type(i == field ? input : value)
                if i == 0 {
                    h.settle()
                    if let first = screen.hits.first { screen.choose(first) }
                }
            }
            h.press(.function(2))
        })
        targets.append(Target(screen: "appointment cancel", fields: ["reason"], clinic: "northside", user: "fiona",
                              table: "ward.appointments WHERE status = 'cancelled'", mayAdd: 1, benign: "fuzz ok",
                              prepare: { [unowned self] h in
                                  let start = try XCTUnwrap(h.app.clock.instant(on: freshDay(), at: "10:00"))
                                  h.app.backend.submit(Api.bookAppointment(patient: jose, clinician: sam.id, startsAt: start,
                                                                           minutes: 30, reason: "to cancel")) { _ in }
                                  h.drain()
                                  self.booked = nil
                                  h.app.backend.submit(Api.schedule(clinician: sam.id, from: start, to: start.addingTimeInterval(60))) {
                                      self.booked = (try? $0.get())?.first
                                  }
                                  h.drain()
                              }) { h, _, input in
            let row = try XCTUnwrap(self.booked, "an appointment to cancel")
            h.ui.push(AppointmentCancelScreen(app: h.app, appointment: row) { _, _ in })
            h.type(input)
            h.press(.function(2))
            if h.ui.top is ConfirmDialog { h.press(.char("y")) }
        })
        func staffScreen(_ h: ScreenHarness, selecting user: String) -> StaffScreen {
            let screen = StaffScreen(app: h.app)
            h.ui.push(screen)
            h.drain()
            if let i = screen.members.firstIndex(where: { $0.username == user }) { screen.table.selected = i }
            return screen
        }
        targets.append(Target(screen: "staff: add", fields: ["username", "display name", "role", "initial password"],
                              clinic: "northside", user: "alice", table: "ward.memberships", mayAdd: 1,
                              benign: "fuzzcontrol", hashes: true) { [unowned self] h, field, input in
            let screen = staffScreen(h, selecting: "bruno")
            h.press(.char("a"))
            fill(h, screen.form, ["fuzz" + uniqueLetters(), "Fuzz User", "front_desk", "fuzz-password-123"],
                 fuzz: field, with: input)
            h.press(.function(2))
        })
        targets.append(Target(screen: "staff: role", fields: ["new role"], clinic: "northside", user: "alice",
                              table: "ward.memberships", mayAdd: 0) { h, _, input in
            let screen = staffScreen(h, selecting: "bruno")
            h.press(.char("r"))
            fill(h, screen.form, [""], fuzz: 0, with: input)
            h.press(.function(2))
        })
        targets.append(Target(screen: "staff: reset password", fields: ["new password", "repeat it"], clinic: "northside",
                              user: "alice", table: "ward.memberships", mayAdd: 0, hashes: true) { h, field, input in
            let screen = staffScreen(h, selecting: "bruno")
            h.press(.char("p"))
            screen.form.focus = 0
            h.type(field == 0 ? input : "fuzz-password-123")
            screen.form.focus = 1
            h.type(field == 0 ? screen.form.fields[0].input.text : input)
            h.press(.function(2))
        })
        targets.append(Target(screen: "own password", fields: ["new password", "repeat it"], clinic: "lakeside", user: "lena",
                              table: "ward.memberships", mayAdd: 0, hashes: true) { [unowned self] h, field, input in
            let screen = StaffPasswordScreen(app: h.app, currentPassword: lenaPassword)
            h.ui.push(screen)
            screen.form.focus = 0
            h.type(field == 0 ? input : "fuzz-password-123")
            screen.form.focus = 1
            h.type(field == 0 ? screen.form.fields[0].input.text : input)
            let chosen = screen.form.fields[0].input.text
            h.press(.function(2))
            if h.shows("Your new password is set.") { lenaPassword = chosen }
        })
        targets.append(Target(screen: "lock screen", fields: ["password"], clinic: "lakeside", user: "theo",
                              table: "ward.sessions", mayAdd: 0, hashes: true) { h, _, input in
            h.ui.push(LockScreen(app: h.app))
            h.type(input)
            h.press(.enter)
        })
        targets.append(Target(screen: "impersonate", fields: ["clinic", "reason"], clinic: "platform", user: "olga",
                              table: "ward.sessions", mayAdd: 1, benign: "lakeside", hashes: true) { h, field, input in
            let screen = ImpersonateScreen(app: h.app)
            h.ui.push(screen)
            fill(h, screen.form, ["lakeside", "fuzz support ticket"], fuzz: field, with: input)
            h.press(.function(2))
        })
        targets.append(Target(screen: "audit filter", fields: ["filter"], clinic: "northside", user: "alice",
                              table: nil, mayAdd: 0) { h, _, input in
            h.ui.push(AuditScreen(app: h.app))
            h.drain()
            h.type(input)
            h.settle()
        })
        return targets
    }
}

extension ScreenHarness {
    /// What the event loop would do next: fire the timers (searches as you type) and answer
    /// the requests they send, until nothing more is pending.
    func settle() {
        for _ in 0..<3 {
            ui.fireDueTimers(now: UI.monotonicNow() + 3600)
            drain()
        }
    }
}

/// What a hostile or unlucky person could type or paste into a field.
enum ScreenHostile {
    static let fixed: [String] = [
        "", " ", "'", "''", "\\", "\\\\'", "%", "_", "%_%", "' OR '1'='1", "'; DROP TABLE ward.patients; --",
        "$1", "$$; SELECT 1; $$", "\u{0}", "a\u{0}b", "\u{1b}[2J", "\u{1b}[2J\u{1b}[H", "\u{1b}]0;x\u{7}",
        "\u{1b}]0;pwned\u{7}", "\u{1b}P+q\u{1b}\\", "\u{9b}31m", "\u{7f}", "\u{202e}evil", "\u{200b}",
        "e\u{301}\u{301}\u{301}", "NULL", "\t\n\r", "%s%n%x", "\u{FFFD}", "abc\u{FFFD}def\u{FFFD}", "\u{FEFF}",
        "😀👨‍👩‍👧", "अनन्या", "Nguyễn", "山田", "riverside", "alice", "clinic-demo", "1990-01-01", "31/02/1990",
        "N-000001", "24:61", "-1", "999", "9999999999999999999999",
        String(repeating: "A", count: 10_000), String(repeating: "é", count: 10_000),
        String(repeating: "'", count: 10_000), String(repeating: "%", count: 5_000),
        String(repeating: "\u{1b}[2J", count: 2_500),
    ]
    static let pools: [[Character]] = [
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.,:/"),
        Array("'\"\\%_$;:()[]{}*/+-=<>|&!?#@^~`"),
        (0...31).map { Character(Unicode.Scalar(UInt8($0))) } + ["\u{7f}", "\u{85}", "\u{9b}", "\u{2028}", "\u{FFFD}"],
        Array("éèüößñçÅØÆłŁœ") + Array("山田花子李王") + Array("अनयशरम") + Array("🙂🚑💊"),
    ]

    static func next(_ rng: inout SplitMix64) -> String {
        if rng.next() % 6 == 0 { return fixed[Int(rng.next() % UInt64(fixed.count))] }
        let length: Int
        switch rng.next() % 20 {
        case 0: length = 10_000
        case 1: length = Int(rng.next() % 500)
        default: length = Int(rng.next() % 24)
        }
        var s = ""
        for _ in 0..<length {
            let pool = pools[Int(rng.next() % UInt64(pools.count))]
            s.append(pool[Int(rng.next() % UInt64(pool.count))])
        }
        return s
    }

    /// The input for a failure message: escaped, and cut short.
    static func shown(_ s: String) -> String {
        String(s.prefix(60).debugDescription) + (s.count > 60 ? "… (\(s.count) characters)" : "")
    }
}
