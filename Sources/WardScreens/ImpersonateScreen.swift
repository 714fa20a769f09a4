import WardClient
import WardTerm

/// Platform administrators support a clinic only through a session the clinic can see:
/// a clinic and a reason, then a session scoped to that clinic, with a banner in the top
/// bar for as long as it lasts.
final class ImpersonateScreen: Screen {
    static let scope = ActionScope.screen("impersonate")
    static let list: [Action] = [
        Action(.start, keys: [.enter, .function(2)], label: "Start", help: "Open the support session", scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the menu", scope: scope),
    ]
    var title: String { "Impersonate a clinic" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let form = Form([
        FormField("Clinic", validate: { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "which clinic?" : nil }),
        FormField("Reason", validate: { $0.trimmingCharacters(in: .whitespaces).count < 5 ? "say why, in a few words" : nil }),
    ], fieldWidth: 50)

    init(app: StaffApp) { self.app = app }

    func handleKey(_ key: Key, ui: UI) -> Bool { form.handle(key) }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .start:
            guard form.validateAll() else { return true }
            let clinic = form.fields[0].input.text.trimmingCharacters(in: .whitespaces).lowercased()
            let reason = form.fields[1].input.text.trimmingCharacters(in: .whitespaces)
            app.backend.run(Api.impersonate(clinic: clinic, reason: reason), for: self,
                            busy: "Opening") { [weak self] result in
                guard let self else { return }
                switch result {
                case .success(let token?):
                    app.loggedIn(token: token, clinic: clinic, username: app.username) { [unowned self] in
                        ui.replaceTop(with: MenuScreen(app: app))
                        ui.show("Support session open: everything you do is in \(clinic)'s audit log.", kind: .warning)
                    }
                case .success(nil):
                    ui.show("The clinic did not open a session.", kind: .error)
                case .failure(let e):
                    if let f = e.field, let i = ["clinic": 0, "reason": 1][f] { form.fields[i].error = e.message }
                }
            }
            return true
        default:
            return false
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Open a support session in one clinic", row: 1, col: 2, style: .title)
        canvas.put("The clinic's administrators see the session and your reason in their audit log.",
                   row: 2, col: 2, style: .muted)
        form.draw(canvas, row: 4, col: 2, focused: true)
    }
}
