import WardClient
import Foundation
import WardDB
import WardTerm

/// A patient at the desk who is registered at another clinic: their exact family name,
/// given name and date of birth find a masked match (api.find_portable_profile: audited,
/// rate-limited, no browsing); the patient says "that is me" and signs the consent here.
final class FindElsewhereScreen: Screen {
    static let scope = ActionScope.screen("find-elsewhere")
    static let list: [Action] = [
        Action(.find, keys: [.function(2)], label: "Find", help: "Look up a profile with exactly these details",
               scope: scope),
        Action(.choose, keys: [.enter], label: "Consent",
               help: "Take the patient's consent for the selected profile (on the last field: find)", scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the search", scope: scope),
    ]
    var title: String { "Find a patient registered elsewhere" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let form: Form
    let table = Table(columns: [Column("Profile"), Column("Born", width: 6), Column("Sex", width: 8)])
    var matches: [Api.PortableMatch] = []
    /// Keys go to the results rather than the form.
    var resultsFocused = false
    var busy = false

    init(app: StaffApp) {
        self.app = app
        let order = app.dateOrder, today = app.clock.today()
        form = Form([
            FormField("Family name", TextField(maxLength: 200), validate: { RegisterScreen.checkName($0, "family") }),
            FormField("Given name", TextField(maxLength: 200), validate: { RegisterScreen.checkName($0, "given") }),
            FormField("Date of birth", TextField(maxLength: 10), validate: {
                RegisterScreen.checkDate($0, order: order, today: today).error
            }),
        ], fieldWidth: 30)
        table.emptyText = "Type the names and the date of birth exactly as on the patient's documents."
    }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        if resultsFocused {
            if table.handle(key) { return true }
            switch key {
            case .tab, .backTab:
                resultsFocused = false
                return true
            case .char:
                resultsFocused = false
                return form.handle(key)
            default:
                return false
            }
        }
        if form.handle(key) { return true }
        if key == .tab, !matches.isEmpty {
            resultsFocused = true
            return true
        }
        return false
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .find:
            find(ui)
        case .choose:
            guard resultsFocused, matches.indices.contains(table.selected) else { find(ui); return true }
            ui.push(ConsentScreen(app: app, purpose: .portable(matches[table.selected])))
        default:
            return false
        }
        return true
    }

    func find(_ ui: UI) {
        guard !busy else { return }
        guard form.validateAll(),
              case .valid(let dob) = RegisterScreen.checkDate(form.fields[2].input.text, order: app.dateOrder,
                                                                today: app.clock.today())
        else {
            if let e = form.focusedField?.error { ui.show(e, kind: .error) }
            return
        }
        let family = form.fields[0].input.text.trimmingCharacters(in: .whitespaces)
        let given = form.fields[1].input.text.trimmingCharacters(in: .whitespaces)
        busy = true
        app.backend.run(Api.findPortableProfile(familyName: family, givenName: given, dateOfBirth: dob), for: self,
                        busy: "Looking up") { [weak self] in
            guard let self else { return }
            busy = false
            guard case .success(let found) = $0 else { return }
            matches = found
            table.rows = found.map { [$0.maskedName, String($0.birthYear), $0.sex] }
            table.selected = 0
            resultsFocused = !found.isEmpty
            table.emptyText = "No profile elsewhere matches exactly. Check the spelling and the date, "
                + "or register a new patient."
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Find a patient registered at another clinic", row: 1, col: 2, style: .title)
        canvas.put("Exact details only; every look-up is recorded. Dates as \(app.dateOrder.pattern).",
                   row: 2, col: 2, width: canvas.cols - 4, style: .muted)
        form.draw(canvas, row: 4, col: 2, focused: !resultsFocused)
        if let e = form.focusedField?.error {
            canvas.put(e, row: 5 + form.height, col: 2, width: canvas.cols - 4, style: .error)
        }
        let top = 7 + form.height
        table.draw(canvas.region(Rect(row: top, col: 2, rows: min(8, canvas.rows - top), cols: canvas.cols - 4)),
                   focused: resultsFocused)
        if resultsFocused {
            let key = ui.actions(of: self).first { $0.id == .choose }?.keys.first?.description ?? ""
            canvas.put("Ask the patient: is this you? \(key): take their consent.  Tab: back to the fields.",
                       row: canvas.rows - 1, col: 2, width: canvas.cols - 4, style: .muted)
        }
    }
}
