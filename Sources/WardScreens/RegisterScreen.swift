import WardClient
import Foundation
import WardDB
import WardTerm

/// Registering a new patient at the desk: the profile form, a warning when this clinic
/// already holds a profile with the same names and date of birth, then the patient's
/// consent (`ConsentScreen`), and the profile is created with it in one transaction.
/// Every field is checked here with a sentence of its own, and again by the database;
/// nothing typed is lost on any error.
final class RegisterScreen: Screen {
    static let scope = ActionScope.screen("register")
    static let list: [Action] = [
        Action(.`continue`, keys: [.function(2)], label: "Continue",
               help: "Check the fields, then take the patient's consent", scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the search", scope: scope),
    ]
    var title: String { "Register a new patient" }
    var actions: [Action] { Self.list }

    /// The fields in order, by the names the database gives them in HINT 'field:NAME'.
    static let fieldNames = ["family_name", "given_name", "date_of_birth", "sex", "phone", "email", "allergies"]

    unowned let app: StaffApp
    let form: Form
    /// Kept while the form is open, so the signature typed survives a trip back to the form.
    private(set) lazy var consent = ConsentScreen(app: app)

    init(app: StaffApp) {
        self.app = app
        let order = app.dateOrder, today = app.clock.today()
        form = Form([
            FormField("Family name", TextField(maxLength: 200), validate: { Self.checkName($0, "family") }),
            FormField("Given name", TextField(maxLength: 200), validate: { Self.checkName($0, "given") }),
            FormField("Date of birth", TextField(maxLength: 10), validate: {
                Self.checkDate($0, order: order, today: today).error
            }),
            FormField("Sex", TextField(maxLength: 7), validate: { Self.sex(from: $0) == nil ? Self.sexHelp : nil }),
            FormField("Phone", TextField(maxLength: 40), validate: Self.checkPhone),
            FormField("E-mail", TextField(maxLength: 200), validate: Self.checkEmail),
            FormField("Allergies", TextField(maxLength: 4000)),
        ], fieldWidth: 30)
    }

    // MARK: Field checks (the database's own rules, said before it has to)

    static func checkName(_ s: String, _ which: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return "Enter the \(which) name." }
        if t.count > 200 { return "A name can have at most 200 characters." }
        return nil
    }

    /// A checked date of birth, or the sentence saying what is wrong with it.
    enum DateCheck: Equatable {
        case valid(CalendarDate)
        case refused(String)

        var error: String? {
            if case .refused(let e) = self { return e }
            return nil
        }
    }

    /// A date typed in the clinic's order (or ISO), not in the future, not before 1880.
    static func checkDate(_ s: String, order: DateOrder, today: CalendarDate) -> DateCheck {
        switch order.parse(s) {
        case .failure(.empty): return .refused("Enter the date of birth.")
        case .failure(let e): return .refused(e.description)
        case .success(let d):
            if d > today { return .refused("The date of birth cannot be in the future.") }
            if d.year < 1880 { return .refused("The date of birth cannot be before 1880.") }
            return .valid(d)
        }
    }

    static let sexes = ["female", "male", "other", "unknown"]
    static let sexHelp = "Type female, male, other or unknown (or f, m, o, u)."

    /// "f", "Fem", "female" → "female"; nil for anything else.
    static func sex(from s: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        guard !t.isEmpty else { return nil }
        return sexes.first { $0.hasPrefix(t) }
    }

    static func checkPhone(_ s: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        let allowed = Set("0123456789 +()-./")
        guard t.allSatisfy(allowed.contains), t.contains(where: \.isNumber) else {
            return "A phone number has digits, spaces and + ( ) - only."
        }
        return nil
    }

    /// The database's rule: something@something.something, no spaces.
    static func checkEmail(_ s: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        let parts = t.split(separator: "@", omittingEmptySubsequences: false)
        let ok = parts.count == 2 && !parts[0].isEmpty && !t.contains(where: \.isWhitespace)
            && parts[1].dropFirst().dropLast().contains(".")
        return ok ? nil : "The e-mail address does not look right."
    }

    /// The typed profile, if every field passes (the form then shows each failure).
    func newPatient() -> Api.NewPatient? {
        guard form.validateAll(),
              case .valid(let dob) = Self.checkDate(text(2), order: app.dateOrder, today: app.clock.today()),
              let sex = Self.sex(from: text(3))
        else { return nil }
        return Api.NewPatient(familyName: text(0), givenName: text(1), dateOfBirth: dob, sex: sex,
                              phone: text(4), email: text(5), allergies: text(6))
    }

    private func text(_ i: Int) -> String { form.fields[i].input.text.trimmingCharacters(in: .whitespaces) }

    /// A refusal from the database about one of the form's fields: shown beside it, with
    /// the focus there. False if the error is about no field of this form.
    @discardableResult
    func place(_ e: UserError) -> Bool {
        guard let f = e.field, let i = Self.fieldNames.firstIndex(of: f) else { return false }
        form.fields[i].error = e.message
        form.focus = i
        return true
    }

    // MARK: Screen

    func handleKey(_ key: Key, ui: UI) -> Bool { form.handle(key) }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .`continue`:
            guard let p = newPatient() else {
                if let e = form.focusedField?.error { ui.show(e, kind: .error) }
                return true
            }
            checkDuplicates(p, ui)
            return true
        default:
            return false
        }
    }

    /// Warns of a profile this clinic already holds before a second one is made.
    func checkDuplicates(_ p: Api.NewPatient, _ ui: UI) {
        app.backend.run(Api.likelyDuplicates(of: p), for: self, busy: "Checking") { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let found) where found.isEmpty:
                takeConsent(p, ui)
            case .success(let found):
                let list = found.prefix(3).map {
                    "\($0.familyName), \($0.givenName), born \(app.dateOrder.format($0.dateOfBirth)), chart \($0.chartNo)"
                }.joined(separator: "; ")
                ui.confirm(title: "Likely duplicate",
                           message: "This clinic already has \(list). Search for that chart instead, or register another profile?",
                           yesLabel: "Register anyway",
                           onYes: { [weak self] ui in self?.takeConsent(p, ui) })
            case .failure(let e):
                _ = place(e)
            }
        }
    }

    func takeConsent(_ p: Api.NewPatient, _ ui: UI) {
        // An answer that arrives after the user left (or a second F2) opens nothing.
        guard ui.top === self else { return }
        consent.purpose = .register(p)
        consent.onFieldError = { [weak self] e in self?.place(e) ?? false }
        ui.push(consent)
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Register a new patient", row: 1, col: 2, style: .title)
        canvas.put("Dates as \(app.dateOrder.pattern) or YYYY-MM-DD. Phone, e-mail and allergies are optional.",
                   row: 2, col: 2, width: canvas.cols - 4, style: .muted)
        form.draw(canvas, row: 4, col: 2, focused: true)
        // The inline message may be cut at 80 columns: the focused field's is shown whole.
        if let e = form.focusedField?.error {
            for (i, l) in TextWidth.wrap(e, to: canvas.cols - 4).prefix(2).enumerated() {
                canvas.put(l, row: 5 + form.height + i, col: 2, style: .error)
            }
        }
        let key = ui.actions(of: self).first { $0.id == .`continue` }?.keys.first?.description ?? ""
        canvas.put("\(key): the patient reads the consent text and types their name as signature.",
                   row: 8 + form.height, col: 2, width: canvas.cols - 4, style: .muted)
    }
}
