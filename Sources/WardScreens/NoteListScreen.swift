import WardClient
import Foundation
import WardTerm

/// A patient's clinical notes at this clinic (specialists and admins: the database shows
/// no note to anyone else, and never another clinic's), newest first. A note corrected by
/// a later one is marked "amended".
final class NoteListScreen: Screen {
    static let scope = ActionScope.screen("notes")
    static let list: [Action] = [
        Action(.read, keys: [.enter], label: "Read", help: "Read the selected note", scope: scope),
        Action(.writeNote, keys: [.function(4)], label: "Write",
               help: "Write a new note (signed notes are never changed)", scope: scope, needs: ["clinical.write"]),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the patient record", scope: scope),
    ]
    var title: String { "Clinical notes" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let patient: UUID
    let patientName: String
    var notes: [Api.NoteHeading] = []
    var loaded = false
    let table = Table(columns: [Column("Signed", width: 16), Column("Kind", width: 6), Column("Title"),
                                Column("Author", width: 16)])

    init(app: StaffApp, patient: UUID, patientName: String) {
        self.app = app
        self.patient = patient
        self.patientName = patientName
        table.emptyText = "Loading the notes…"
    }

    /// Again on every return, so a note just written is listed.
    func didAppear(ui: UI) {
        app.backend.run(Api.notes(of: patient), for: self) { [weak self] result in
            guard let self, case .success(let n) = result else { return }
            notes = n
            loaded = true
            table.rows = Self.rows(n, order: app.dateOrder, clock: app.clock)
            table.emptyText = ""
        }
    }

    static func rows(_ notes: [Api.NoteHeading], order: DateOrder, clock: ClinicClock) -> [[String]] {
        let amended = Set(notes.compactMap(\.amends))
        return notes.map { n in
            [order.format(clock.date(n.signedAt)) + " " + clock.time(n.signedAt), n.kind,
             n.title + (amended.contains(n.id) ? " (amended)" : ""), n.author]
        }
    }

    func handleKey(_ key: Key, ui: UI) -> Bool { table.handle(key) }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .read:
            guard notes.indices.contains(table.selected) else { return true }
            ui.push(NoteViewScreen(app: app, patient: patient, patientName: patientName, heading: notes[table.selected],
                                   all: notes))
        case .writeNote:
            ui.push(NoteEditorScreen(app: app, patient: patient, patientName: patientName))
        default:
            return false
        }
        return true
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put(patientName, row: 1, col: 2, width: canvas.cols - 4, style: .title)
        if loaded {
            let count = notes.isEmpty ? "No clinical notes" : notes.count == 1 ? "1 note" : "\(notes.count) notes"
            canvas.put("\(count) at this clinic, newest first", row: 2, col: 2, style: .muted)
        }
        table.draw(canvas.region(Rect(row: 3, col: 1, rows: canvas.rows - 3, cols: canvas.cols - 2)))
    }
}
