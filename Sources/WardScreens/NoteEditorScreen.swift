import WardClient
import Foundation
import WardTerm

/// Writing a clinical note: a title, a kind, and the text in a multi-line editor. F2 signs
/// and saves it through api.write_note; a signed note is never changed afterwards. To
/// correct one, "amend" opens this screen with the old note's text, and the new note
/// refers to the old one. Nothing typed is lost when the database refuses the note.
final class NoteEditorScreen: Screen {
    static let scope = ActionScope.screen("note-editor")
    static let list: [Action] = [
        Action(.sign, keys: [.function(2)], label: "Sign & save",
               help: "Sign and save the note; it cannot be changed afterwards", scope: scope),
        Action(.back, keys: [.escape], label: "Cancel", help: "Leave without saving (asks first if anything was typed)",
               scope: scope),
        Action(.nextField, keys: [.tab], label: "Next", help: "Move between the title, the kind and the note",
               scope: scope, inKeyBar: false),
    ]
    var title: String { amending == nil ? "New clinical note" : "Amend a clinical note" }
    var actions: [Action] { Self.list }

    static let kinds = ["note", "plan", "report", "form"]

    unowned let app: StaffApp
    let patient: UUID
    let patientName: String
    /// The note this one corrects.
    let amending: Api.Note?
    let form: Form
    let body = TextArea(maxLength: 100_000)
    var bodyFocused = false
    var bodyError: String?
    var saving = false
    /// The id of the last save sent, with what it saved: sending the same note again reuses
    /// it, so a save whose answer was lost (connection, failover) cannot land twice. A note
    /// changed since is another note and gets a new id.
    private(set) var lastSave: (id: UUID, title: String, kind: String, text: String)?
    private let initial: (title: String, kind: String, body: String)

    init(app: StaffApp, patient: UUID, patientName: String, amending: Api.Note? = nil) {
        self.app = app
        self.patient = patient
        self.patientName = patientName
        self.amending = amending
        let title = amending.map { String("Amends: \($0.title)".prefix(200)) } ?? ""
        let kind = amending?.kind ?? "note"
        form = Form([
            FormField("Title", TextField(text: title, maxLength: 200), validate: Self.checkTitle),
            FormField("Kind", TextField(text: kind, maxLength: 6), validate: {
                Self.kind(from: $0) == nil ? "Type note, plan, report or form." : nil
            }),
        ], fieldWidth: 50)
        body.text = amending?.body.text ?? ""
        initial = (title, kind, body.text)
    }

    static func checkTitle(_ s: String) -> String? {
        s.trimmingCharacters(in: .whitespaces).isEmpty ? "Give the note a title." : nil
    }

    /// "p", "plan" → "plan"; nil for anything else.
    static func kind(from s: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        guard !t.isEmpty else { return nil }
        return kinds.first { $0.hasPrefix(t) }
    }

    /// Something was typed that leaving would throw away.
    var isDirty: Bool {
        form.fields[0].input.text != initial.title || form.fields[1].input.text != initial.kind
            || body.text != initial.body
    }

    /// Checks every part; shows each failure beside its part and focuses the first.
    func validate() -> Bool {
        let fieldsOK = form.validateAll()
        bodyError = body.isBlank ? "The note is empty." : nil
        if fieldsOK && bodyError != nil { bodyFocused = true }
        if !fieldsOK { bodyFocused = false }
        return fieldsOK && bodyError == nil
    }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        if bodyFocused {
            if body.handle(key) {
                bodyError = nil
                return true
            }
            guard key == .tab || key == .backTab else { return false }
            bodyFocused = false
            form.focus = key == .tab ? 0 : form.fields.count - 1
            return true
        }
        if form.handle(key) { return true }
        // Past the last field (or before the first): the note itself.
        guard key == .tab || key == .enter || key == .down || key == .backTab else { return false }
        bodyFocused = true
        return true
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .sign:
            sign(ui)
        case .back:
            if isDirty {
                ui.confirm(title: "Discard the note?", message: "The note is not saved. Leave and throw away what you typed?",
                           yesLabel: "Discard", onYes: { ui in ui.pop() })
            } else {
                ui.pop()
            }
        case .nextField:
            _ = handleKey(.tab, ui: ui)
        case .quit where isDirty:
            // Quitting leaves the note as surely as Esc does: it asks the same way.
            ui.confirm(title: "Discard the note?", message: "The note is not saved. Quit and throw away what you typed?",
                       yesLabel: "Quit", onYes: { ui in ui.quit(0) })
        default:
            return false
        }
        return true
    }

    func sign(_ ui: UI) {
        guard !saving else { return }
        guard validate() else {
            ui.show((bodyFocused ? bodyError : form.focusedField?.error) ?? "", kind: .error)
            return
        }
        let title = form.fields[0].input.text.trimmingCharacters(in: .whitespaces)
        let kind = Self.kind(from: form.fields[1].input.text) ?? "note"
        let text = body.text
        ui.confirm(title: "Sign and save",
                   message: "Sign “\(title)” as \(app.me?.displayName ?? "you")? A signed note cannot be changed; "
                       + "a correction is a new note that amends it.",
                   yesLabel: "Sign",
                   onYes: { [weak self] ui in self?.save(title: title, kind: kind, text: text, ui) })
    }

    func save(title: String, kind: String, text: String, _ ui: UI) {
        let request: Request<UUID>
        let id = lastSave.flatMap { $0.title == title && $0.kind == kind && $0.text == text ? $0.id : nil } ?? UUID()
        lastSave = (id, title, kind, text)
        do {
            request = try Api.writeNote(patient: patient, kind: kind, title: title, body: text, amends: amending?.id,
                                        note: id, sealer: app.sealer)
        } catch {
            ui.show((error as? UserError)?.message ?? "Ward could not encrypt this note. Nothing was saved.", kind: .error)
            return
        }
        saving = true
        app.backend.run(request, for: self, busy: "Saving") { [weak self] result in
            guard let self else { return }
            saving = false
            switch result {
            case .success:
                guard ui.top === self else { return }
                ui.pop()
                // After an amendment, the list (with both notes) rather than the old note.
                if ui.top is NoteViewScreen { ui.pop() }
                ui.show("Note signed and saved.", kind: .success)
            case .failure(let e):
                place(e)
            }
        }
    }

    /// A refusal about one part goes beside that part, with the focus there.
    func place(_ e: UserError) {
        switch e.field {
        case "title"?: form.fields[0].error = e.message; form.focus = 0; bodyFocused = false
        case "kind"?: form.fields[1].error = e.message; form.focus = 1; bodyFocused = false
        case "body"?: bodyError = e.message; bodyFocused = true
        default: break
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        let heading = amending.map { "Amending “\($0.title)” for \(patientName)" } ?? "New note for \(patientName)"
        canvas.put(heading, row: 1, col: 2, width: canvas.cols - 4, style: .title)
        form.draw(canvas, row: 3, col: 2, focused: !bodyFocused && !saving)
        canvas.put("Note", row: 6, col: 2, style: .label)
        if let e = bodyError { canvas.put(e, row: 6, col: 9, width: canvas.cols - 11, style: .error) }
        let height = max(1, canvas.rows - 9)
        body.draw(canvas, row: 7, col: 2, width: canvas.cols - 4, height: height, focused: bodyFocused && !saving)
        let keys = ui.actions(of: self)
        func key(_ id: ActionID) -> String { keys.first { $0.id == id }?.keys.first?.description ?? "" }
        canvas.put("\(key(.nextField)) moves between the title, the kind and the note. \(key(.sign)) signs and saves.",
                   row: 8 + height, col: 2, width: canvas.cols - 4, style: .muted)
    }
}
