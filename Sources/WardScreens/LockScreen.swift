import WardClient
import WardTerm

/// Covers everything after the idle limit; only the same person's password opens it
/// again (a new login: the old session has passed the database's idle limit too).
final class LockScreen: Screen {
    static let scope = ActionScope.screen("lock")
    static let list: [Action] = [
        Action(.unlock, keys: [.enter], label: "Unlock", help: "Check the password and return to work", scope: scope),
        Action(.logout, keys: [.function(4)], label: "Log out", help: "End the session instead", scope: scope),
    ]
    var title: String { "Locked" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let password = TextField(masked: true)

    init(app: StaffApp) { self.app = app }

    func handleKey(_ key: Key, ui: UI) -> Bool { password.handle(key) }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .unlock:
            let pw = password.text
            password.text = ""
            guard !pw.isEmpty else { return true }
            app.backend.run(Api.login(clinic: app.clinicCode, username: app.username, password: pw), for: self,
                            busy: "Checking") { [unowned app] result in
                switch result {
                case .success(let token?):
                    app.loggedIn(token: token, clinic: app.clinicCode, username: app.username) { app.unlocked() }
                case .success(nil): ui.show("That is not the password.", kind: .error)
                case .failure: break
                }
            }
            return true
        case .logout:
            app.unlocked()
            app.logout()
            return true
        default:
            return false
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.putCentered("Ward is locked", row: canvas.rows / 2 - 3, style: .title)
        canvas.putCentered("\(app.me?.displayName ?? app.username) was away. Type the password to continue.",
                           row: canvas.rows / 2 - 1, style: .normal)
        let col = max(0, canvas.cols / 2 - 15)
        canvas.put("Password", row: canvas.rows / 2 + 1, col: col - 10 < 0 ? 0 : col - 10, style: .label)
        password.draw(canvas, row: canvas.rows / 2 + 1, col: col, width: 30, focused: true)
    }
}
