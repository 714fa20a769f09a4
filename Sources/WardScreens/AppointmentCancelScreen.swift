import WardClient
import Foundation
import WardTerm

/// Cancelling one appointment: the reason is required (it is kept with the appointment and
/// in the audit log), and a confirmation comes before anything is sent.
final class AppointmentCancelScreen: Screen {
    static let scope = ActionScope.screen("appointment-cancel")
    static let list: [Action] = [
        Action(.confirmCancel, keys: [.enter, .function(2)], label: "Cancel it",
               help: "Cancel the appointment with this reason (asks first)", scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Keep the appointment", scope: scope),
    ]
    var title: String { "Cancel" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let appointment: Api.AppointmentRow
    let onDone: (AppointmentChange, UI) -> Void
    let reason = FormField("Reason", TextField(maxLength: 200)) { text in
        text.trimmingCharacters(in: .whitespaces).isEmpty ? "Give a reason for the cancellation." : nil
    }
    lazy var form = Form([reason], fieldWidth: 50)
    var failure: String?

    init(app: StaffApp, appointment: Api.AppointmentRow, onDone: @escaping (AppointmentChange, UI) -> Void) {
        self.app = app
        self.appointment = appointment
        self.onDone = onDone
    }

    var summary: String {
        let a = appointment
        return "\(a.patientName) with \(a.clinician) on \(app.dateOrder.format(app.clock.date(a.startsAt))) "
            + "at \(app.clock.time(a.startsAt))"
    }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        guard reason.input.handle(key) else { return false }
        reason.error = nil
        failure = nil
        return true
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .confirmCancel:
            guard reason.check() else { ui.show(reason.error!, kind: .error); return true }
            ui.confirm(title: "Cancel appointment", message: "Cancel the appointment of \(summary)?",
                       yesLabel: "Cancel it") { [weak self] ui in self?.send(ui) }
            return true
        default:
            return false
        }
    }

    func send(_ ui: UI) {
        let a = appointment, text = reason.input.text, summary = summary
        app.backend.run(Api.cancelAppointment(a.id, reason: text), for: self, busy: "Saving") { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                ui.pop()
                onDone(AppointmentChange(day: app.clock.date(a.startsAt), clinician: a.clinicianID, appointment: a.id,
                                         message: "Cancelled: \(summary)."), ui)
            case .failure(let e):
                failure = e.message
            }
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put("Cancel the appointment of", row: 1, col: 2, style: .title)
        canvas.put(summary, row: 2, col: 4, width: canvas.cols - 6, style: .normal)
        if let r = appointment.reason, !r.isEmpty {
            canvas.put("Booked for: \(r)", row: 3, col: 4, width: canvas.cols - 6, style: .muted)
        }
        form.draw(canvas, row: 5, col: 2, focused: true)
        canvas.put("Why is it cancelled? (kept with the appointment and in the audit log)", row: 6, col: 2,
                   width: canvas.cols - 4, style: .muted)
        if let failure { canvas.put(failure, row: 8, col: 2, width: canvas.cols - 4, style: .error) }
    }
}
