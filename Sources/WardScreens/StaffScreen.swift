import WardClient
import Foundation
import WardTerm

/// The clinic's staff, for administrators (staff.manage): add a member (a new account, or a
/// person from another clinic by username), change a role, disable, reset a password. The
/// api functions check the permission and audit every change; this screen only asks.
/// A failed save leaves the form as it was typed, with the message beside the field.
final class StaffScreen: Screen {
    static let scope = ActionScope.screen("staff")
    static let list: [Action] = [
        Action(.add, keys: [.char("a"), .function(2)], label: "Add",
               help: "Add a member: a new account, or a person from another clinic", scope: scope),
        Action(.role, keys: [.char("r"), .function(3)], label: "Role",
               help: "Change the selected person's role", scope: scope),
        Action(.password, keys: [.char("p"), .function(4)], label: "Password",
               help: "Reset the selected person's password; they choose a new one at login", scope: scope),
        Action(.disable, keys: [.char("d"), .function(8)], label: "Disable",
               help: "Disable the selected person here and end their sessions", scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the menu", scope: scope),
        Action(.save, keys: [.enter, .function(2)], label: "Save", help: "Save this change", scope: scope),
        Action(.nextField, keys: [.tab], label: "Next", help: "Move to the next field", scope: scope, inKeyBar: false),
        Action(.cancel, keys: [.escape], label: "Cancel", help: "Leave the form without saving", scope: scope),
    ]
    static let listModeActions: Set<ActionID> = [.add, .role, .password, .disable, .back]

    /// What the lower part of the screen is doing.
    enum Mode: Equatable {
        case list
        case add
        case role(Api.StaffMember)
        case password(Api.StaffMember)
    }

    unowned let app: StaffApp
    private(set) var mode = Mode.list
    private(set) var form = Form([])
    private(set) var members: [Api.StaffMember] = []
    private(set) var loaded = false
    var busy = false
    let table = Table(columns: [Column("Name"), Column("Username", width: 14), Column("Role", width: 11),
                                Column("State", width: 20)])

    init(app: StaffApp) {
        self.app = app
        table.emptyText = "(loading…)"
    }

    var title: String { "Staff" }
    var actions: [Action] {
        let inList = mode == .list
        return Self.list.filter { Self.listModeActions.contains($0.id) == inList }
    }

    var selected: Api.StaffMember? { members.indices.contains(table.selected) ? members[table.selected] : nil }

    func didAppear(ui: UI) {
        if !loaded { reload(ui) }
    }

    func willDisappear(ui: UI) { app.backend.cancel(slot: "staff") }

    /// Reads the list again; keeps the selection on `keep` (or on the same person).
    func reload(_ ui: UI, keep: UUID? = nil) {
        let keepID = keep ?? selected?.id
        app.backend.run(Api.staffList, for: self, slot: "staff") { [weak self] result in
            guard let self, case .success(let list) = result else { return }
            loaded = true
            members = list
            table.emptyText = "(no staff)"
            table.rows = list.map(Self.row)
            if let keepID, let i = list.firstIndex(where: { $0.id == keepID }) { table.selected = i }
        }
    }

    static func row(_ m: Api.StaffMember) -> [String] {
        let state = m.disabled ? "disabled" : (m.mustChangePassword ? "must change password" : "active")
        return [m.displayName, m.username, m.role, state]
    }

    // MARK: Modes

    func startAdd() {
        form = Form([
            FormField("Username", validate: { $0.trimmingCharacters(in: .whitespaces).isEmpty ? "whose account?" : nil }),
            FormField("Display name"),
            FormField("Role", TextField(text: "front_desk"), validate: Self.checkRole),
            FormField("Initial password", TextField(masked: true)),
        ], fieldWidth: 30)
        mode = .add
    }

    func startRole(_ m: Api.StaffMember) {
        form = Form([FormField("New role", TextField(text: m.role), validate: Self.checkRole)], fieldWidth: 20)
        mode = .role(m)
    }

    func startPassword(_ m: Api.StaffMember) {
        let first = FormField("New password", TextField(masked: true),
                              validate: { $0.count < 10 ? "at least 10 characters" : nil })
        form = Form([
            first,
            FormField("Repeat it", TextField(masked: true),
                      validate: { $0 == first.input.text ? nil : "the two passwords differ" }),
        ], fieldWidth: 30)
        mode = .password(m)
    }

    static func checkRole(_ text: String) -> String? {
        Api.clinicRoles.contains(text.trimmingCharacters(in: .whitespaces)) ? nil
            : Api.clinicRoles.joined(separator: ", ")
    }

    func closeForm() {
        mode = .list
        form = Form([])
    }

    // MARK: Keys and actions

    func handleKey(_ key: Key, ui: UI) -> Bool {
        if mode == .list {
            return table.handle(key)
        }
        return form.handle(key)
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .add: startAdd()
        case .role:
            guard let m = selected else { return true }
            startRole(m)
        case .password:
            guard let m = selected else { return true }
            startPassword(m)
        case .disable: confirmDisable(ui)
        case .nextField: return form.handle(.tab)
        case .cancel: closeForm()
        case .save: save(ui)
        default: return false
        }
        return true
    }

    func confirmDisable(_ ui: UI) {
        guard let m = selected else { return }
        if m.username == app.me?.username {
            ui.show("You cannot disable your own account.", kind: .warning)
            return
        }
        if m.disabled {
            ui.show("\(m.displayName) is already disabled.", kind: .info)
            return
        }
        ui.confirm(title: "Disable \(m.displayName)",
                   message: "\(m.displayName) will no longer be able to log in to this clinic, and their open sessions here end.",
                   yesLabel: "Disable") { [weak self] ui in
            self?.submit(Api.disableStaff(m.id), ui: ui, keep: m.id, done: "\(m.displayName) is disabled.")
        }
    }

    func save(_ ui: UI) {
        guard form.validateAll() else { return }
        let text = form.fields.map { $0.input.text.trimmingCharacters(in: .whitespaces) }
        switch mode {
        case .list:
            return
        case .add:
            let password = form.fields[3].input.text
            submitAdd(username: text[0].lowercased(), displayName: text[1], role: text[2], password: password, ui: ui)
        case .role(let m):
            submit(Api.setStaffRole(m.id, role: text[0]), ui: ui, keep: m.id,
                   done: "\(m.displayName) is now \(text[0]).")
        case .password(let m):
            submit(Api.resetStaffPassword(m.id, newPassword: form.fields[0].input.text), ui: ui, keep: m.id,
                   done: "\(m.displayName)'s password is reset; they must change it at next login.")
        }
    }

    func submitAdd(username: String, displayName: String, role: String, password: String, ui: UI) {
        guard !busy else { return }
        busy = true
        app.backend.run(Api.addStaffMember(username: username, displayName: displayName, role: role,
                                            initialPassword: password), for: self, busy: "Saving") { [weak self] result in
            guard let self else { return }
            busy = false
            switch result {
            case .success(let id):
                closeForm()
                ui.show("\(username) is now a member of this clinic (\(role)).", kind: .success)
                reload(ui, keep: id)
            case .failure(let e):
                failed(e, ui: ui)
            }
        }
    }

    /// One change to the selected person; on success the form closes and the list reloads.
    func submit(_ request: Request<Void>, ui: UI, keep: UUID, done: String) {
        guard !busy else { return }
        busy = true
        app.backend.run(request, for: self, busy: "Saving") { [weak self] result in
            guard let self else { return }
            busy = false
            switch result {
            case .success:
                closeForm()
                ui.show(done, kind: .success)
                reload(ui, keep: keep)
            case .failure(let e):
                failed(e, ui: ui)
            }
        }
    }

    /// The form stays as typed; the message goes beside the field the database named.
    func failed(_ e: UserError, ui: UI) {
        let fieldIndex: [String: Int]
        switch mode {
        case .add: fieldIndex = ["username": 0, "display_name": 1, "role": 2, "password": 3]
        case .role: fieldIndex = ["role": 0]
        case .password: fieldIndex = ["password": 0]
        case .list: fieldIndex = [:]
        }
        if let f = e.field, let i = fieldIndex[f] {
            form.fields[i].error = e.message
            form.focus = i
        }
    }

    // MARK: Drawing

    func draw(_ canvas: Canvas, ui: UI) {
        let active = members.filter { !$0.disabled }.count
        canvas.put("\(active) active, \(members.count - active) disabled. Every change is in the audit log.",
                   row: 0, col: 1, width: canvas.cols - 2, style: .muted)
        let panel = panelHeight
        table.draw(canvas.region(Rect(row: 1, col: 0, rows: max(2, canvas.rows - 1 - panel), cols: canvas.cols)),
                   focused: mode == .list)
        let top = canvas.rows - panel
        switch mode {
        case .list:
            if let m = selected {
                let note = m.mustChangePassword ? "; must choose a new password at next login" : ""
                canvas.put("\(m.displayName) (\(m.username)), \(m.role)\(m.disabled ? ", disabled" : "")\(note)",
                           row: top + 1, col: 1, width: canvas.cols - 2, style: .normal)
            }
        case .add:
            canvas.put("Add a member", row: top, col: 1, style: .title)
            form.draw(canvas, row: top + 1, col: 2, focused: true)
            canvas.put("Someone from another clinic keeps their password: leave it empty.",
                       row: top + 1 + form.height, col: 2, width: canvas.cols - 3, style: .muted)
        case .role(let m):
            canvas.put("Role of \(m.displayName)", row: top, col: 1, width: canvas.cols - 2, style: .title)
            form.draw(canvas, row: top + 1, col: 2, focused: true)
            canvas.put("Roles: " + Api.clinicRoles.joined(separator: ", "), row: top + 2, col: 2, style: .muted)
        case .password(let m):
            canvas.put("New password for \(m.displayName)", row: top, col: 1, width: canvas.cols - 2, style: .title)
            form.draw(canvas, row: top + 1, col: 2, focused: true)
            canvas.put("They must change it at next login. Tell it to them in person.",
                       row: top + 3, col: 2, width: canvas.cols - 3, style: .muted)
        }
    }

    /// Rows below the table: a detail line, or a form with a title and a hint.
    var panelHeight: Int {
        switch mode {
        case .list: return 2
        case .add: return 6
        case .role: return 3
        case .password: return 4
        }
    }
}
