import WardClient
import Foundation
import WardTerm

/// One signed note, read-only and scrollable. It cannot be edited: "amend" writes a new
/// note that refers to this one, and both stay in the record.
final class NoteViewScreen: Screen {
    static let scope = ActionScope.screen("note")
    static let list: [Action] = [
        Action(.amend, keys: [.function(4)], label: "Amend",
               help: "Write a correction: a new note that refers to this one", scope: scope, needs: ["clinical.write"]),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the list of notes", scope: scope),
        Action(.lineDown, keys: [.down], label: "Down", help: "Scroll down a line", scope: scope, inKeyBar: false),
        Action(.lineUp, keys: [.up], label: "Up", help: "Scroll up a line", scope: scope, inKeyBar: false),
        Action(.pageDown, keys: [.pageDown, .char(" ")], label: "More", help: "Scroll down a page", scope: scope),
        Action(.pageUp, keys: [.pageUp], label: "Page up", help: "Scroll up a page", scope: scope, inKeyBar: false),
    ]
    var title: String { "Clinical note" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let patient: UUID
    let patientName: String
    let heading: Api.NoteHeading
    /// The note this one corrects, and the notes that correct it (from the list).
    let corrects: Api.NoteHeading?
    let correctedBy: [Api.NoteHeading]
    var note: Api.Note?
    var scroll = 0
    /// Body rows shown in the last frame (a page).
    var page = 10

    init(app: StaffApp, patient: UUID, patientName: String, heading: Api.NoteHeading, all: [Api.NoteHeading]) {
        self.app = app
        self.patient = patient
        self.patientName = patientName
        self.heading = heading
        corrects = heading.amends.flatMap { id in all.first { $0.id == id } }
        correctedBy = all.filter { $0.amends == heading.id }
    }

    func didAppear(ui: UI) {
        guard note == nil else { return }
        app.backend.run(Api.note(heading.id, sealer: app.sealer), for: self) { [weak self] result in
            switch result {
            case .success(let n?): self?.note = n
            case .success(nil): ui.show("That note is not in this clinic's record.", kind: .error)
            case .failure: break
            }
        }
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .amend:
            guard let note else { return true }
            ui.push(NoteEditorScreen(app: app, patient: patient, patientName: patientName, amending: note))
        case .lineDown: scroll += 1
        case .lineUp: scroll -= 1
        case .pageDown: scroll += max(1, page - 1)
        case .pageUp: scroll -= max(1, page - 1)
        default: return false
        }
        return true
    }

    func draw(_ canvas: Canvas, ui: UI) {
        let order = app.dateOrder, clock = app.clock
        canvas.put(heading.title, row: 1, col: 2, width: canvas.cols - 4, style: .title)
        let signed = order.format(clock.date(heading.signedAt)) + " " + clock.time(heading.signedAt)
        canvas.put("\(patientName) · \(heading.kind) · signed \(signed) by \(heading.author)", row: 2, col: 2,
                   width: canvas.cols - 4, style: .muted)
        var row = 3
        if let c = corrects {
            canvas.put("Corrects “\(c.title)” of \(order.format(clock.date(c.signedAt)))", row: row, col: 2,
                       width: canvas.cols - 4, style: .warning)
            row += 1
        }
        for c in correctedBy.prefix(2) {
            canvas.put("Amended by “\(c.title)” of \(order.format(clock.date(c.signedAt)))", row: row, col: 2,
                       width: canvas.cols - 4, style: .warning)
            row += 1
        }
        row += 1
        guard let note else {
            canvas.put("Opening the note…", row: row, col: 2, style: .muted)
            return
        }
        let lines = TextWidth.wrap(note.body.text ?? FieldSealer.unreadable, to: canvas.cols - 4)
        page = max(1, canvas.rows - row - 1)
        scroll = max(0, min(scroll, lines.count - page))
        for (i, l) in lines.dropFirst(scroll).prefix(page).enumerated() {
            canvas.put(l, row: row + i, col: 2, style: .normal)
        }
        if lines.count > page {
            let last = min(lines.count, scroll + page)
            canvas.put("lines \(scroll + 1)–\(last) of \(lines.count)", row: canvas.rows - 1, col: 2, style: .muted)
        }
    }
}
