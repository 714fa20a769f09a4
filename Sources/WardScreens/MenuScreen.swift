import WardTerm

/// The role's menu, built from api.my_permissions: what a role may not do is not offered
/// (and the database refuses it anyway).
final class MenuScreen: Screen {
    static let scope = ActionScope.screen("menu")

    /// An entry and the permission that shows it.
    struct Entry {
        let action: Action
        let permission: String?
    }
    static let entries: [Entry] = [
        Entry(action: Action("search-patients", keys: [.char("s"), .function(3)], label: "Patients",
                             help: "Find a patient by name, date of birth, phone or chart number", scope: scope),
              permission: "patient.search"),
        Entry(action: Action("appointments", keys: [.char("b"), .function(4)], label: "Appointments",
                             help: "Day and week of appointments; book, check in, reschedule, cancel", scope: scope),
              permission: "appointment.view"),
        Entry(action: Action("audit-log", keys: [.char("a"), .function(7)], label: "Audit",
                             help: "Read this clinic's audit log", scope: scope),
              permission: "audit.view"),
        Entry(action: Action("staff", keys: [.char("t"), .function(8)], label: "Staff",
                             help: "The clinic's staff: add, change role, disable, reset password", scope: scope),
              permission: "staff.manage"),
        Entry(action: Action("impersonate", keys: [.char("i"), .function(6)], label: "Impersonate",
                             help: "Support a clinic through a session it sees in its audit log", scope: scope),
              permission: "platform.impersonate"),
        Entry(action: Action("lock", keys: [.char("l"), .function(9)], label: "Lock",
                             help: "Hide the screen until your password is typed again", scope: scope),
              permission: nil),
        Entry(action: Action("logout", keys: [.char("o")], label: "Log out",
                             help: "End your session and return to the login screen", scope: scope),
              permission: nil),
    ]
    static let list: [Action] = entries.map(\.action)

    unowned let app: StaffApp
    init(app: StaffApp) { self.app = app }

    var title: String { "Menu" }
    var actions: [Action] {
        Self.entries.filter { $0.permission.map(app.may) ?? true }.map(\.action)
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.name {
        case "search-patients": ui.push(PatientSearchScreen(app: app)); return true
        case "appointments": ui.push(AppointmentsScreen(app: app)); return true
        case "audit-log": ui.push(AuditScreen(app: app)); return true
        case "impersonate": ui.push(ImpersonateScreen(app: app)); return true
        case "staff": ui.push(StaffScreen(app: app)); return true
        case "lock": app.lock(); return true
        case "logout": app.logout(); return true
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
