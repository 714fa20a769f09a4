import WardClient
import Foundation
import WardTerm

/// Search as you type, without a delay: a change searches as soon as the keyboard has been
/// read (so a paste is one search), and changes made while a search is out wait for its
/// answer, then search once more with the latest text. At most one search is in flight and
/// none is cancelled half-way (each is audited); results follow the typing as fast as the
/// database answers, about 3 ms in a clinic of 50k patients (BENCHMARKS.md), where the
/// fifth-of-a-second pause this replaces made every result 200 ms late. Dates may be typed
/// in the clinic's order.
final class PatientSearchScreen: Screen {
    static let scope = ActionScope.screen("patient-search")
    static let list: [Action] = [
        Action(.open, keys: [.enter], label: "Open", help: "Open the selected patient's record", scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the menu", scope: scope),
        Action(.register, keys: [.function(4)], label: "New patient",
               help: "Register a new patient, with their consent", scope: scope, needs: ["patient.register", "consent.sign"]),
        Action(.findElsewhere, keys: [.function(5), .ctrl("f")], label: "Elsewhere",
               help: "Find a patient registered at another clinic, by exact details", scope: scope, needs: ["consent.sign"]),
    ]
    var title: String { "Find a patient" }
    /// Registering needs both permissions (the profile is created with its consent).
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let query = TextField(maxLength: 100)
    let table = Table(columns: [Column("Name"), Column("Born", width: 10), Column("Age", width: 3, alignRight: true),
                                Column("Chart", width: 9), Column("Next visit", width: 16)])
    var hits: [Api.PatientHit] = []
    var searched = ""
    lazy var typing = AsYouType { [weak self] ui in self?.search(ui) ?? false }

    init(app: StaffApp) {
        self.app = app
        table.emptyText = "Type a name, a date of birth, a phone number or a chart number."
    }

    func willDisappear(ui: UI) { stopSearching(ui) }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        if case .up = key { return table.handle(key) }
        if case .down = key { return table.handle(key) }
        if case .pageUp = key { return table.handle(key) }
        if case .pageDown = key { return table.handle(key) }
        guard query.handle(key) else { return false }
        if query.text.trimmingCharacters(in: .whitespaces).isEmpty {
            stopSearching(ui)
            hits = []; table.rows = []; searched = ""
        } else {
            typing.changed(ui)
        }
        return true
    }

    func stopSearching(_ ui: UI) {
        app.backend.cancel(slot: "search")
        typing.reset(ui)
    }

    /// What the database is asked: a date typed in the clinic's order becomes ISO.
    func databaseQuery(_ text: String) -> String {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.contains("/") || t.contains("."), case .success(let d) = app.dateOrder.parse(t) { return d.iso }
        return t
    }

    func search(_ ui: UI) -> Bool {
        let q = databaseQuery(query.text)
        guard !q.isEmpty else { return false }
        app.backend.run(Api.searchPatients(q), for: self, busy: "Searching", busyAfter: 0.15,
                        slot: "search") { [weak self] result in
            guard let self else { return }
            if case .success(let found) = result {
                hits = found
                searched = q
                table.rows = found.map(row)
                table.selected = 0
                table.emptyText = "No patient found at this clinic for “\(q)”."
            }
            typing.answered(ui)
        }
        return true
    }

    func row(_ h: Api.PatientHit) -> [String] {
        let clock = app.clock
        let next = h.nextAppointment.map { app.dateOrder.format(clock.date($0)) + " " + clock.time($0) } ?? ""
        return ["\(h.familyName), \(h.givenName)", app.dateOrder.format(h.dateOfBirth),
                String(age(born: h.dateOfBirth, on: clock.today())), h.chartNo, next]
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .open:
            guard hits.indices.contains(table.selected) else { return true }
            ui.push(PatientRecordScreen(app: app, patient: hits[table.selected].id))
            return true
        case .register:
            ui.push(RegisterScreen(app: app))
            return true
        case .findElsewhere:
            ui.push(FindElsewhereScreen(app: app))
            return true
        default:
            return false
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Search", row: 1, col: 2, style: .label)
        query.draw(canvas, row: 1, col: 10, width: min(50, canvas.cols - 12), focused: true)
        canvas.put("Dates as \(app.dateOrder.pattern)", row: 2, col: 10, style: .muted)
        table.draw(canvas.region(Rect(row: 4, col: 1, rows: canvas.rows - 4, cols: canvas.cols - 2)))
        if hits.isEmpty, !searched.isEmpty {
            let offers: [ActionID: String] = [.register: "register a new patient",
                                              .findElsewhere: "find one registered elsewhere"]
            let keys = ui.actions(of: self).compactMap { a in
                offers[a.id].map { "\(a.keys.first?.description ?? ""): \($0)" }
            }
            if !keys.isEmpty {
                canvas.put("Not here? " + keys.joined(separator: ".  ") + ".", row: 6, col: 2,
                           width: canvas.cols - 4, style: .muted)
            }
        }
    }
}
