import WardClient
import WardTerm

/// Shown right after login when an administrator has reset the person's password: until
/// they choose their own, the database grants the session nothing (0016), so this is the
/// only way on. The password just typed at login is the current one.
final class StaffPasswordScreen: Screen {
    static let scope = ActionScope.screen("new-password")
    static let list: [Action] = [
        Action(.save, keys: [.enter, .function(2)], label: "Save", help: "Set the new password and continue", scope: scope),
        Action(.nextField, keys: [.tab], label: "Next", help: "Move to the next field", scope: scope, inKeyBar: false),
        Action(.logout, keys: [.function(4)], label: "Log out", help: "End the session without changing the password", scope: scope),
    ]
    var title: String { "Choose a new password" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    private let current: String
    let form: Form
    var busy = false

    init(app: StaffApp, currentPassword: String) {
        self.app = app
        self.current = currentPassword
        let first = FormField("New password", TextField(masked: true),
                              validate: { $0.count < 10 ? "at least 10 characters" : nil })
        form = Form([
            first,
            FormField("Repeat it", TextField(masked: true),
                      validate: { $0 == first.input.text ? nil : "the two passwords differ" }),
        ])
    }

    func handleKey(_ key: Key, ui: UI) -> Bool { form.handle(key) }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .nextField: return form.handle(.tab)
        case .save: save(ui); return true
        case .logout: app.logout(); return true
        default: return false
        }
    }

    func save(_ ui: UI) {
        guard !busy, form.validateAll() else { return }
        busy = true
        app.backend.run(Api.changePassword(old: current, new: form.fields[0].input.text), for: self,
                        busy: "Saving") { [weak self] result in
            guard let self else { return }
            busy = false
            switch result {
            case .success:
                // The session's permissions are back: read them again, then the menu.
                app.loggedIn(token: app.backend.token ?? "", clinic: app.clinicCode, username: app.username) { [unowned self] in
                    ui.replaceTop(with: MenuScreen(app: app))
                    ui.show("Your new password is set.", kind: .success)
                }
            case .failure(let e):
                if e.field == "new_password" { form.fields[0].error = e.message; form.focus = 0 }
            }
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Your password was set by an administrator", row: 1, col: 2, style: .title)
        canvas.put("Choose your own (at least 10 characters) before you continue.", row: 2, col: 2, style: .muted)
        form.draw(canvas, row: 4, col: 2, focused: true)
    }
}
