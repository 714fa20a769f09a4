import WardClient
import WardTerm

/// Clinic, username, password. Every refusal gets the same sentence, so nothing tells
/// which part was wrong; a locked account (right password) says until when.
final class LoginScreen: Screen {
    static let scope = ActionScope.screen("login")
    static let list: [Action] = [
        Action(.login, keys: [.enter, .function(2)], label: "Log in", help: "Log in with these details", scope: scope),
        Action(.nextField, keys: [.tab], label: "Next", help: "Move to the next field", scope: scope, inKeyBar: false),
    ]
    var title: String { "Log in" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let form: Form
    var busy = false

    init(app: StaffApp, clinic: String? = nil) {
        self.app = app
        form = Form([
            FormField("Clinic", TextField(text: clinic ?? app.ui.config.clinic ?? "")),
            FormField("Username"),
            FormField("Password", TextField(masked: true)),
        ])
        if !form.fields[0].input.text.isEmpty { form.focus = 1 }
    }

    func handleKey(_ key: Key, ui: UI) -> Bool { form.handle(key) }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .nextField: return form.handle(.tab)
        case .login: submit(ui); return true
        default: return false
        }
    }

    func submit(_ ui: UI) {
        guard !busy else { return }
        let clinic = form.fields[0].input.text.trimmingCharacters(in: .whitespaces).lowercased()
        let user = form.fields[1].input.text.trimmingCharacters(in: .whitespaces).lowercased()
        let password = form.fields[2].input.text
        guard !clinic.isEmpty, !user.isEmpty, !password.isEmpty else {
            ui.show("Enter the clinic, your username and your password.", kind: .warning)
            return
        }
        busy = true
        app.backend.token = nil
        app.backend.run(Api.login(clinic: clinic, username: user, password: password), for: self,
                        busy: "Logging in") { [weak self] result in
            guard let self else { return }
            busy = false
            form.fields[2].input.text = ""
            switch result {
            case .success(let token?):
                app.loggedIn(token: token, clinic: clinic, username: user) { [unowned self] in
                    // A password set by an administrator must be replaced before anything else.
                    ui.replaceTop(with: app.me?.mustChangePassword == true
                                  ? StaffPasswordScreen(app: app, currentPassword: password) : MenuScreen(app: app))
                }
            case .success(nil):
                form.focus = 2
                ui.show("Wrong clinic, username or password.", kind: .error)
            case .failure:
                break
            }
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Ward", row: 1, col: 2, style: .title)
        canvas.put("Log in to your clinic. Every refused attempt is recorded.", row: 2, col: 2, style: .muted)
        form.draw(canvas, row: 4, col: 2, focused: true)
    }
}
