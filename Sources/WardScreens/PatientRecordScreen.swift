import WardClient
import Foundation
import WardTerm

/// One patient: profile with allergies first, consent, visits, and the clinical notes
/// list for roles that may read it. Opening it is audited by the database.
final class PatientRecordScreen: Screen {
    static let scope = ActionScope.screen("patient-record")
    static let list: [Action] = [
        Action(.back, keys: [.escape], label: "Back", help: "Back to the search", scope: scope),
        Action(.notes, keys: [.char("n"), .function(5)], label: "Notes",
               help: "List and read this clinic's clinical notes", scope: scope, needs: ["clinical.read"]),
        Action(.writeNote, keys: [.char("w"), .function(4)], label: "Write note",
               help: "Write a new clinical note (signed notes are never changed)", scope: scope, needs: ["clinical.write"]),
        Action(.revoke, keys: [.char("r"), .function(8)], label: "Revoke",
               help: "Revoke the profile-sharing consent at the patient's request", scope: scope, needs: ["consent.revoke"]),
    ]
    var title: String { "Patient record" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let patient: UUID
    var profile: Api.Profile?
    var visits: [Api.Visit] = []
    var notes: [Api.NoteHeading] = []
    var failure: String?

    init(app: StaffApp, patient: UUID) {
        self.app = app
        self.patient = patient
    }

    func didAppear(ui: UI) {
        if profile == nil { open(ui) }
        // Also on every return, so a note just written is listed.
        if app.may("clinical.read") {
            app.backend.run(Api.notes(of: patient), for: self, quiet: true) { [weak self] in
                if case .success(let n) = $0 { self?.notes = n }
            }
        }
    }

    func open(_ ui: UI) {
        app.backend.run(Api.openPatient(patient, sealer: app.sealer), for: self, busy: "Opening",
                        quiet: true) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let p): profile = p
            case .failure(let e): failure = e.message
            }
        }
        app.backend.run(Api.appointments(of: patient), for: self, quiet: true) { [weak self] in
            if case .success(let v) = $0 { self?.visits = v }
        }
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        // Nothing to act on until the record is open (or when it could not be).
        if !action.needs.isEmpty, profile == nil { return true }
        let name = profile.map { "\($0.familyName), \($0.givenName)" } ?? ""
        switch action.id {
        case .notes: ui.push(NoteListScreen(app: app, patient: patient, patientName: name))
        case .writeNote: ui.push(NoteEditorScreen(app: app, patient: patient, patientName: name))
        case .revoke: revokeConsent(ui)
        default: return false
        }
        return true
    }

    func draw(_ canvas: Canvas, ui: UI) {
        if let failure {
            canvas.put(failure, row: 1, col: 2, style: .error)
            return
        }
        guard let p = profile else {
            canvas.put("Opening the record…", row: 1, col: 2, style: .muted)
            return
        }
        let order = app.dateOrder, clock = app.clock
        canvas.put("\(p.familyName), \(p.givenName)", row: 1, col: 2, style: .title)
        canvas.put("Chart \(p.chartNo)", row: 1, col: max(2, canvas.cols - 16), width: 14, style: .label, alignRight: true)
        canvas.put("Born \(order.format(p.dateOfBirth)) (\(age(born: p.dateOfBirth, on: clock.today())))   Sex \(p.sex)",
                   row: 2, col: 2, style: .normal)
        canvas.put("Phone \(p.phone ?? "–")   E-mail \(p.email ?? "–")", row: 3, col: 2, style: .normal)
        // A value that does not open (copied from another row or clinic, or damaged) says
        // so and nothing more: it must never show some other patient's allergies.
        switch p.allergies {
        case .absent:
            canvas.put("ALLERGIES: none recorded", row: 4, col: 2, width: canvas.cols - 4, style: .muted)
        case .text(let allergies):
            canvas.put("ALLERGIES: \(allergies)", row: 4, col: 2, width: canvas.cols - 4, style: .error)
        case .unreadable:
            canvas.put("ALLERGIES: \(FieldSealer.unreadable)", row: 4, col: 2, width: canvas.cols - 4, style: .error)
        }
        if let signed = p.consentSignedAt {
            canvas.put("Profile shared with this clinic by consent since \(order.format(clock.date(signed)))",
                       row: 5, col: 2, style: .muted)
        }
        var row = 7
        canvas.put("Visits", row: row, col: 2, style: .header)
        row += 1
        let now = clock.now()
        for v in visits.prefix(6) {
            let when = order.format(clock.date(v.startsAt)) + " " + clock.time(v.startsAt)
            let tag = v.startsAt > now ? "upcoming" : v.status
            canvas.put("\(when)  \(v.clinician)  \(tag)  \(v.reason ?? "")", row: row, col: 4,
                       width: canvas.cols - 6, style: .normal)
            row += 1
        }
        if visits.isEmpty { canvas.put("none", row: row, col: 4, style: .muted); row += 1 }
        guard app.may("clinical.read") else { return }
        row += 1
        canvas.put("Clinical notes", row: row, col: 2, style: .header)
        row += 1
        for n in notes.prefix(max(0, canvas.rows - row)) {
            canvas.put("\(order.format(clock.date(n.signedAt)))  \(n.kind)  \(n.title) — \(n.author)", row: row, col: 4,
                       width: canvas.cols - 6, style: .normal)
            row += 1
        }
        if notes.isEmpty { canvas.put("none", row: row, col: 4, style: .muted) }
    }
}
