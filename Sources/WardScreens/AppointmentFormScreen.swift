import WardClient
import Foundation
import WardDB
import WardTerm

/// Booking a new appointment, or moving a booked one. The patient is picked by search as
/// you type (api.search_patients); the date is typed in the clinic's order, the time on the
/// 24-hour clock in the clinic's zone. A refusal (a clash above all) is shown as the
/// database's sentence, which names the clashing appointment, and the form stays as typed.
final class AppointmentFormScreen: Screen {
    static let scope = ActionScope.screen("appointment-form")
    static let list: [Action] = [
        Action(.save, keys: [.function(2)], label: "Save", help: "Book (or move) the appointment; Enter on the last field does the same",
               scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Leave without saving", scope: scope),
    ]
    /// Short: the top bar leaves little room beside the clinic and user.
    var title: String { moving == nil ? "Book" : "Move" }
    var heading: String { moving == nil ? "Book an appointment" : "Move an appointment" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let moving: Api.AppointmentRow?
    let clinicians: [Api.Clinician]
    let onSaved: (AppointmentChange, UI) -> Void

    // Made in makeFields(): their checks need the clinic's date order and this screen.
    var patientField, clinicianField, dateField, timeField, minutesField, reasonField: FormField!
    var form: Form!

    /// The patient picked from the search hits; typing in the field drops it.
    var patient: Api.PatientHit?
    var hits: [Api.PatientHit] = []
    var pick = 0
    lazy var typing = AsYouType { [weak self] ui in self?.searchPatients(ui) ?? false }
    /// The last refusal, in full, until the user edits again.
    var failure: String?
    var saving = false

    /// A new booking with `clinician` on `day`.
    init(app: StaffApp, booking clinician: Api.Clinician, on day: CalendarDate, clinicians: [Api.Clinician],
         onSaved: @escaping (AppointmentChange, UI) -> Void) {
        self.app = app
        self.moving = nil
        self.clinicians = clinicians
        self.onSaved = onSaved
        makeFields()
        prefill(clinicianField, clinician.displayName)
        prefill(dateField, app.dateOrder.format(day))
        form = Form([patientField, clinicianField, dateField, timeField, minutesField, reasonField])
    }

    /// Moving a booked appointment: only date, time and length change.
    init(app: StaffApp, moving a: Api.AppointmentRow, onSaved: @escaping (AppointmentChange, UI) -> Void) {
        self.app = app
        self.moving = a
        self.clinicians = []
        self.onSaved = onSaved
        makeFields()
        prefill(dateField, app.dateOrder.format(app.clock.date(a.startsAt)))
        prefill(timeField, app.clock.time(a.startsAt))
        prefill(minutesField, String(a.minutes))
        form = Form([dateField, timeField, minutesField])
    }

    /// The fields, each with the check that runs when the user leaves it.
    private func makeFields() {
        let order = app.dateOrder
        let list = clinicians
        func message<T>(_ r: Result<T, some Error>) -> String? {
            if case .failure(let e) = r { return "\(e)" }
            return nil
        }
        patientField = FormField("Patient", TextField(maxLength: 100)) { [weak self] _ in
            self?.patient == nil ? AppointmentInputError.noPatient.description : nil
        }
        clinicianField = FormField("Clinician", TextField(maxLength: 100)) { message(AppointmentInput.clinician($0, in: list)) }
        dateField = FormField("Date", TextField(maxLength: 10)) { message(order.parse($0)) }
        timeField = FormField("Time", TextField(maxLength: 12)) { message(AppointmentInput.time($0)) }
        minutesField = FormField("Minutes", TextField(text: "30", maxLength: 3)) { message(AppointmentInput.minutes($0)) }
        reasonField = FormField("Reason", TextField(maxLength: 200))
    }

    /// Text the user edits from its end (^U then clears it all).
    private func prefill(_ f: FormField, _ text: String) {
        f.input.text = text
        f.input.cursor = text.count
    }

    func willDisappear(ui: UI) { typing.reset(ui) }

    var pickingPatient: Bool { moving == nil && form.focusedField === patientField && patient == nil && !hits.isEmpty }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        if pickingPatient {
            switch key {
            case .up: pick = max(0, pick - 1); return true
            case .down: pick = min(hits.count - 1, pick + 1); return true
            case .enter, .tab: choose(hits[pick])
            default: break
            }
        }
        if key == .enter, form.focus == form.fields.count - 1 {
            save(ui)
            return true
        }
        let before = patientField.input.text
        guard form.handle(key) else { return false }
        failure = nil
        if moving == nil, form.focusedField === patientField, patientField.input.text != before {
            patient = nil
            typing.changed(ui)
        }
        return true
    }

    func choose(_ h: Api.PatientHit) {
        patient = h
        prefill(patientField, "\(h.givenName) \(h.familyName) (\(h.chartNo))")
        patientField.error = nil
        hits = []
    }

    func searchPatients(_ ui: UI) -> Bool {
        var q = patientField.input.text.trimmingCharacters(in: .whitespaces)
        // A date of birth typed in the clinic's order is searched as ISO, as on the search screen.
        if q.contains("/") || q.contains("."), case .success(let d) = app.dateOrder.parse(q) { q = d.iso }
        guard !q.isEmpty else { hits = []; return false }
        app.backend.run(Api.searchPatients(q, limit: 6), for: self, slot: "book-patient") { [weak self] result in
            guard let self else { return }
            if case .success(let found) = result {
                hits = found
                pick = 0
                if found.isEmpty { patientField.error = "No patient found for “\(q)”." }
            }
            typing.answered(ui)
        }
        return true
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .save: save(ui); return true
        default: return false
        }
    }

    func save(_ ui: UI) {
        guard !saving else { return }
        guard form.validateAll() else {
            ui.show(form.focusedField?.error ?? "Check the fields.", kind: .error)
            return
        }
        // Every field's own check passed above; what remains is whether the clinic's clocks
        // skip or repeat that time on that day (a daylight-saving night).
        let start: Date
        switch AppointmentInput.start(date: dateField.input.text, time: timeField.input.text,
                                      order: app.dateOrder, clock: app.clock) {
        case .success(let s): start = s
        case .failure(let e):
            failure = e.description
            timeField.error = "see below"
            if let i = form.fields.firstIndex(where: { $0 === timeField }) { form.focus = i }
            ui.show(e.description, kind: .error)
            return
        }
        guard case .success(let minutes) = AppointmentInput.minutes(minutesField.input.text) else { return }
        let day = app.clock.date(start)
        let when = "\(app.dateOrder.format(day)) at \(app.clock.time(start))"
        saving = true
        if let a = moving {
            app.backend.run(Api.rescheduleAppointment(a.id, startsAt: start, minutes: minutes), for: self,
                            busy: "Saving") { [weak self] result in
                self?.finish(result.map { a.id }, ui: ui,
                             change: AppointmentChange(day: day, clinician: a.clinicianID, appointment: a.id,
                                                       message: "\(a.patientName)'s appointment is moved to \(when)."))
            }
        } else {
            guard let p = patient, case .success(let c) = AppointmentInput.clinician(clinicianField.input.text, in: clinicians)
            else { return }
            let request = Api.bookAppointment(patient: p.id, clinician: c.id, startsAt: start, minutes: minutes,
                                              reason: reasonField.input.text)
            app.backend.run(request, for: self, busy: "Saving") { [weak self] result in
                self?.finish(result.map { $0 }, ui: ui,
                             change: AppointmentChange(day: day, clinician: c.id, appointment: nil,
                                                       message: "Booked \(p.givenName) \(p.familyName) with \(c.displayName) on \(when)."))
            }
        }
    }

    /// Success returns to the day view at the new time; a refusal stays here with all that
    /// was typed, the sentence in full below the fields and beside the field it is about.
    func finish(_ result: Result<UUID?, UserError>, ui: UI, change: AppointmentChange) {
        saving = false
        switch result {
        case .success(let id):
            var change = change
            change.appointment = change.appointment ?? id
            ui.pop()
            onSaved(change, ui)
        case .failure(let e):
            failure = e.message
            if let f = field(named: e.field), let i = form.fields.firstIndex(where: { $0 === f }) {
                // A long sentence (a clash) is shown in full below the fields.
                f.error = TextWidth.width(e.message) > 30 ? "see below" : e.message
                form.focus = i
            }
        }
    }

    /// The form field a database HINT 'field:NAME' is about.
    func field(named name: String?) -> FormField? {
        switch name {
        case "patient": return patientField
        case "clinician": return clinicianField
        case "starts_at": return timeField
        case "minutes": return minutesField
        case "reason": return reasonField
        default: return nil
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put(heading, row: 0, col: 2, style: .title)
        var row = 1
        if let a = moving {
            canvas.put("\(a.patientName) with \(a.clinician), now \(app.dateOrder.format(app.clock.date(a.startsAt))) "
                       + "\(app.clock.time(a.startsAt)) (\(a.minutes) min)", row: row, col: 2, width: canvas.cols - 4, style: .normal)
            row += 1
        }
        canvas.put("Date as \(app.dateOrder.pattern), time as HH:MM (\(app.clock.timeZone.identifier))", row: row, col: 2,
                   width: canvas.cols - 4, style: .muted)
        row += 2
        form.fieldWidth = 30
        form.draw(canvas, row: row, col: 2, focused: true)
        row += form.height + 1
        if moving == nil, form.focusedField === patientField, patient == nil {
            for (i, h) in hits.enumerated() {
                let text = "\(h.familyName), \(h.givenName)  \(app.dateOrder.format(h.dateOfBirth))  \(h.chartNo)"
                canvas.put(text, row: row + i, col: 4, width: canvas.cols - 8, style: i == pick ? .selectedRow : .normal)
            }
            if !hits.isEmpty {
                canvas.put("Up/Down to choose, Enter to take", row: row + hits.count, col: 4, style: .muted)
            }
            row += 8
        }
        if let failure {
            for (i, line) in TextWidth.wrap(failure, to: canvas.cols - 4).enumerated() where row + i < canvas.rows {
                canvas.put(line, row: row + i, col: 2, style: .error)
            }
        }
    }
}
