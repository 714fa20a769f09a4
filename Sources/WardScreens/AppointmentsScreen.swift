import WardClient
import Foundation
import WardDB
import WardTerm

/// One clinician's day or week. A specialist starts on their own day; front desk and
/// admins cycle through the clinicians. Times are the clinic's, not the terminal's. The
/// write actions are offered only to roles whose permissions allow them (the api functions
/// refuse the others anyway).
final class AppointmentsScreen: Screen {
    static let scope = ActionScope.screen("appointments")
    static let list: [Action] = [
        Action(.book, keys: [.char("b"), .function(2)], label: "Book",
               help: "Book an appointment with the shown clinician", scope: scope, needs: ["appointment.book"]),
        Action(.checkIn, keys: [.char("i")], label: "Check in",
               help: "The patient of the selected appointment has arrived", scope: scope, needs: ["appointment.checkin"]),
        Action(.noShow, keys: [.char("m")], label: "No-show",
               help: "Mark the selected appointment as missed (asks first)", scope: scope, needs: ["appointment.checkin"]),
        Action(.reschedule, keys: [.char("r")], label: "Move",
               help: "Move the selected appointment to another time", scope: scope, needs: ["appointment.book"]),
        Action(.cancelAppointment, keys: [.char("d"), .function(8)], label: "Cancel",
               help: "Cancel the selected appointment, with a reason (asks first)", scope: scope, needs: ["appointment.cancel"]),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the menu", scope: scope),
        Action(.prevDay, keys: [.left, .char("-")], label: "Prev day", help: "The day before", scope: scope,
               inKeyBar: false),
        Action(.nextDay, keys: [.right, .char("+")], label: "Next day", help: "The day after", scope: scope,
               inKeyBar: false),
        Action(.prevWeek, keys: [.char("[")], label: "Prev week", help: "One week back", scope: scope,
               inKeyBar: false),
        Action(.nextWeek, keys: [.char("]")], label: "Next week", help: "One week on", scope: scope,
               inKeyBar: false),
        Action(.today, keys: [.char("t")], label: "Today", help: "Today in the clinic's time zone", scope: scope,
               inKeyBar: false),
        Action(.toggleWeek, keys: [.char("w")], label: "Week/day", help: "Switch between the day and its week",
               scope: scope, inKeyBar: false),
        Action(.nextClinician, keys: [.char("c")], label: "Next clinician",
               help: "Show the next clinician's appointments", scope: scope, inKeyBar: false),
        Action(.prevClinician, keys: [.char("C")], label: "Prev clinician",
               help: "Show the previous clinician's appointments", scope: scope, inKeyBar: false),
        Action(.refresh, keys: [.char("g")], label: "Refresh", help: "Read the appointments again",
               scope: scope, inKeyBar: false),
    ]
    var title: String { "Appointments" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    var calendar: AppointmentCalendar
    var clinicians: [Api.Clinician] = []
    var clinicianIndex = 0
    var appointments: [Api.AppointmentRow] = []
    var loaded = false
    var failure: String?
    let table = Table(columns: [])

    init(app: StaffApp) {
        self.app = app
        calendar = AppointmentCalendar(day: app.clock.today())
    }

    var clinician: Api.Clinician? { clinicians.indices.contains(clinicianIndex) ? clinicians[clinicianIndex] : nil }
    var selected: Api.AppointmentRow? { appointments.indices.contains(table.selected) ? appointments[table.selected] : nil }

    /// Where a specialist starts: their own column; everyone else starts on the first clinician.
    static func firstClinician(_ list: [Api.Clinician], me: Api.Me?) -> Int {
        guard let me, me.role == "specialist" else { return 0 }
        return list.firstIndex { $0.username == me.username } ?? 0
    }

    func didAppear(ui: UI) {
        guard clinicians.isEmpty else { reload(ui); return }
        app.backend.run(Api.clinicians, for: self, busy: "Loading", quiet: true) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let list):
                clinicians = list
                clinicianIndex = Self.firstClinician(list, me: app.me)
                if list.isEmpty { failure = "This clinic has no clinicians to book." } else { reload(ui) }
            case .failure(let e):
                failure = e.message
            }
        }
    }

    /// Reads the shown range again; a newer read replaces one still in flight.
    func reload(_ ui: UI, select id: UUID? = nil) {
        guard let c = clinician else { return }
        let range = calendar.range(in: app.clock)
        let keep = id ?? selected?.id
        app.backend.run(Api.schedule(clinician: c.id, from: range.from, to: range.to), for: self, busy: "Loading",
                        slot: "schedule") { [weak self] result in
            guard let self, case .success(let rows) = result else { return }
            appointments = rows
            loaded = true
            failure = nil
            table.rows = rows.map(row)
            table.selected = keep.flatMap { k in rows.firstIndex { $0.id == k } } ?? firstUpcoming(rows)
        }
    }

    /// The first appointment not yet over, so the day opens where the clinic is now.
    func firstUpcoming(_ rows: [Api.AppointmentRow]) -> Int {
        let now = app.clock.now()
        return rows.firstIndex { $0.endsAt > now } ?? 0
    }

    static func statusText(_ s: String) -> String {
        switch s {
        case "checked_in": return "checked in"
        case "no_show": return "no-show"
        default: return s
        }
    }

    func row(_ a: Api.AppointmentRow) -> [String] {
        let clock = app.clock
        let cells = [clock.time(a.startsAt), String(a.minutes), a.listName, a.reason ?? "", Self.statusText(a.status)]
        guard calendar.mode == .week else { return cells }
        return [AppointmentCalendar.shortLabel(clock.date(a.startsAt), order: app.dateOrder)] + cells
    }

    func columns() -> [Column] {
        // A time in an hour the clocks repeat carries its offset ("01:30 +01:00").
        let clock = app.clock
        let timeWidth = appointments.contains { clock.time($0.startsAt).count > 5 } ? 12 : 5
        let common = [Column("Time", width: timeWidth), Column("Min", width: 3, alignRight: true), Column("Patient"),
                      Column("Reason"), Column("Status", width: 10)]
        return calendar.mode == .week ? [Column("Day", width: 14)] + common : common
    }

    /// After the form or the cancel screen saved: show where the change landed.
    func show(day: CalendarDate, clinician id: UUID, select appointment: UUID?, ui: UI) {
        calendar.day = day
        if let i = clinicians.firstIndex(where: { $0.id == id }) { clinicianIndex = i }
        showOther(ui, select: appointment)
    }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        switch key {
        case .up, .down, .pageUp, .pageDown, .home, .end: return table.handle(key)
        default: return false
        }
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .prevDay: navigate(ui) { $0.moveDays(-1) }
        case .nextDay: navigate(ui) { $0.moveDays(1) }
        case .prevWeek: navigate(ui) { $0.moveWeeks(-1) }
        case .nextWeek: navigate(ui) { $0.moveWeeks(1) }
        case .today: navigate(ui) { $0.day = self.app.clock.today() }
        case .toggleWeek: navigate(ui) { $0.mode = $0.mode == .day ? .week : .day }
        case .nextClinician, .prevClinician:
            guard !clinicians.isEmpty else { return true }
            let step = action.id == .nextClinician ? 1 : clinicians.count - 1
            clinicianIndex = (clinicianIndex + step) % clinicians.count
            showOther(ui)
        case .refresh: reload(ui)
        case .book:
            guard let c = clinician else { return true }
            ui.push(AppointmentFormScreen(app: app, booking: c, on: calendar.day, clinicians: clinicians) { [weak self] r, ui in
                self?.saved(r, ui: ui)
            })
        case .reschedule:
            guard let a = open(ui, needs: "booked", else: "Only a booked appointment can be moved.") else { return true }
            ui.push(AppointmentFormScreen(app: app, moving: a) { [weak self] r, ui in self?.saved(r, ui: ui) })
        case .cancelAppointment:
            guard let a = open(ui, else: "That appointment is no longer open.") else { return true }
            ui.push(AppointmentCancelScreen(app: app, appointment: a) { [weak self] r, ui in self?.saved(r, ui: ui) })
        case .checkIn:
            guard let a = open(ui, needs: "booked", else: "Only a booked appointment can be checked in.") else { return true }
            setStatus(a, "checked_in", done: "\(a.patientName) is checked in.", ui: ui)
        case .noShow:
            guard let a = open(ui, else: "That appointment is no longer open.") else { return true }
            ui.confirm(title: "No-show", message: "Mark \(a.patientName)'s appointment at \(app.clock.time(a.startsAt)) as missed?",
                       yesLabel: "No-show") { [weak self] ui in
                self?.setStatus(a, "no_show", done: "\(a.patientName)'s appointment is marked no-show.", ui: ui)
            }
        default: return false
        }
        return true
    }

    func navigate(_ ui: UI, _ change: (inout AppointmentCalendar) -> Void) {
        change(&calendar)
        showOther(ui)
    }

    /// Another day or clinician: the old rows go at once, so they never sit under the new
    /// heading while the new ones load.
    func showOther(_ ui: UI, select id: UUID? = nil) {
        appointments = []
        table.rows = []
        table.selected = 0
        loaded = false
        reload(ui, select: id)
    }

    /// The selected appointment if it is open (and in `status`, when given); else says why not.
    func open(_ ui: UI, needs status: String? = nil, else message: String) -> Api.AppointmentRow? {
        guard let a = selected else { ui.show("Select an appointment first.", kind: .warning); return nil }
        guard a.isOpen, status.map({ a.status == $0 }) ?? true else { ui.show(message, kind: .warning); return nil }
        return a
    }

    func setStatus(_ a: Api.AppointmentRow, _ status: String, done: String, ui: UI) {
        app.backend.run(Api.setAppointmentStatus(a.id, to: status), for: self, busy: "Saving") { [weak self] result in
            if case .success = result { ui.show(done, kind: .success) }
            self?.reload(ui, select: a.id)
        }
    }

    func saved(_ r: AppointmentChange, ui: UI) {
        show(day: r.day, clinician: r.clinician, select: r.appointment, ui: ui)
        ui.show(r.message, kind: .success)
    }

    func draw(_ canvas: Canvas, ui: UI) {
        let order = app.dateOrder
        let heading: String
        switch calendar.mode {
        case .day:
            heading = AppointmentCalendar.weekdayNames[AppointmentCalendar.weekday(calendar.day) - 1] + " "
                + order.format(calendar.day)
        case .week:
            heading = "Week of " + AppointmentCalendar.shortLabel(calendar.weekStart, order: order)
        }
        canvas.put(clinician?.displayName ?? "", row: 0, col: 1, width: max(0, canvas.cols - 34), style: .title)
        canvas.put(heading, row: 0, col: canvas.cols - 32, width: 31, style: .title, alignRight: true)
        let hintRows = drawHints(canvas, row: 1, ui: ui)
        if let failure {
            canvas.put(failure, row: 2 + hintRows, col: 1, width: canvas.cols - 2, style: .error)
            return
        }
        table.columns = columns()
        table.emptyText = loaded ? "No appointments for \(clinician?.displayName ?? "") on this \(calendar.mode == .day ? "day" : "week")."
            : "Loading…"
        let top = 2 + hintRows
        table.draw(canvas.region(Rect(row: top, col: 1, rows: canvas.rows - top, cols: canvas.cols - 2)))
    }

    /// The navigation keys (not in the key bar) as one or two muted lines, from the same
    /// action list as the bindings, so a rebinding shows here too.
    func drawHints(_ canvas: Canvas, row: Int, ui: UI) -> Int {
        let items = ui.actions(of: self).filter { !$0.inKeyBar && !$0.keys.isEmpty }
            .map { "\($0.keys[0].description) \($0.label)" }
        var lines = [""]
        for item in items {
            let joined = lines[lines.count - 1].isEmpty ? item : lines[lines.count - 1] + "  " + item
            if TextWidth.width(joined) > canvas.cols - 2, !lines[lines.count - 1].isEmpty { lines.append(item) } else {
                lines[lines.count - 1] = joined
            }
        }
        for (i, l) in lines.enumerated() { canvas.put(l, row: row + i, col: 1, style: .muted) }
        return lines.count
    }
}

/// What a form or the cancel screen reports back to the day view.
struct AppointmentChange {
    var day: CalendarDate
    var clinician: UUID
    var appointment: UUID?
    var message: String
}
