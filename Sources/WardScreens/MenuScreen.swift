import WardTerm

/// The role's menu, built from api.my_permissions: what a role may not do is not offered
/// (and the database refuses it anyway).
final class MenuScreen: Screen {
    static let scope = ActionScope.screen("menu")

    static let list: [Action] = [
        Action(.searchPatients, keys: [.char("s"), .function(3), .char("/")], label: "Patients",
               help: "Find a patient by name, date of birth, phone or chart number", scope: scope,
               needs: ["patient.search"]),
        Action(.appointments, keys: [.char("b"), .function(4)], label: "Appointments",
               help: "Day and week of appointments; book, check in, reschedule, cancel", scope: scope,
               needs: ["appointment.view"]),
        Action(.auditLog, keys: [.char("a"), .function(7)], label: "Audit",
               help: "Read this clinic's audit log", scope: scope, needs: ["audit.view"]),
        Action(.staff, keys: [.char("t"), .function(8)], label: "Staff",
               help: "The clinic's staff: add, change role, disable, reset password", scope: scope,
               needs: ["staff.manage"]),
        Action(.impersonate, keys: [.char("i"), .function(6)], label: "Impersonate",
               help: "Support a clinic through a session it sees in its audit log", scope: scope,
               needs: ["platform.impersonate"]),
        Action(.lock, keys: [.char("l"), .function(9)], label: "Lock",
               help: "Hide the screen until your password is typed again", scope: scope),
        Action(.logout, keys: [.char("o")], label: "Log out",
               help: "End your session and return to the login screen", scope: scope),
        // Nothing below the menu can hold unsaved input (it is the bottom of the stack).
        Action(.quit, keys: [.char("q")], label: "Quit", help: "Leave Ward", scope: scope, inKeyBar: false),
    ]

    unowned let app: StaffApp
    init(app: StaffApp) { self.app = app }

    var title: String { "Menu" }
    var actions: [Action] { Self.list }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .searchPatients: ui.push(PatientSearchScreen(app: app)); return true
        case .appointments: ui.push(AppointmentsScreen(app: app)); return true
        case .auditLog: ui.push(AuditScreen(app: app)); return true
        case .impersonate: ui.push(ImpersonateScreen(app: app)); return true
        case .staff: ui.push(StaffScreen(app: app)); return true
        case .lock: app.lock(); return true
        case .logout: app.logout(); return true
        case .quit: ui.quit(0); return true
        default: return false
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        let name = app.me?.displayName ?? ""
        canvas.put("Welcome, \(name).", row: 1, col: 2, style: .title)
        if app.me?.role == "platform_admin" {
            canvas.put("Platform administrators see no clinic's records.", row: 2, col: 2, style: .muted)
        }
        var row = 4
        for action in ui.actions(of: self) {
            canvas.put(action.keyText, row: row, col: 4, width: 10, style: .helpKey)
            canvas.put(action.help, row: row, col: 15, style: .normal)
            row += 1
        }
    }
}
