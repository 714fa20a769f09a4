import WardClient
import Foundation
import WardTerm

/// The clinic's audit log for administrators: newest first, keyset paging, a filter on
/// action or user, a detail line for the selected event, and whether the chain verifies.
/// Impersonation events are marked so they cannot be missed.
final class AuditScreen: Screen {
    static let scope = ActionScope.screen("audit")
    static let list: [Action] = [
        Action(.older, keys: [.function(8), .ctrl("o")], label: "Older", help: "Show the next 50 older events", scope: scope),
        Action(.newest, keys: [.function(5), .ctrl("n")], label: "Newest", help: "Back to the newest events", scope: scope),
        Action(.back, keys: [.escape], label: "Back", help: "Back to the menu", scope: scope),
    ]
    var title: String { "Audit log" }
    var actions: [Action] { Self.list }

    unowned let app: StaffApp
    let filter = TextField(maxLength: 60)
    let table = Table(columns: [Column("When", width: 16), Column("User", width: 10), Column("Action", width: 24),
                                Column("Object")])
    var events: [Api.AuditEvent] = []
    var chain = "checking the chain…"
    var chainBroken = false
    lazy var typing = AsYouType { [weak self] ui in
        self?.load(ui, before: nil)
        return self != nil
    }

    init(app: StaffApp) { self.app = app }

    func didAppear(ui: UI) {
        if events.isEmpty { load(ui, before: nil) }
        app.backend.run(Api.auditChainStatus, for: self, quiet: true) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let s) where s.brokenAt == nil:
                chain = "Chain verifies: the newest \(s.checked) events are intact."
            case .success(let s):
                chain = "CHAIN BROKEN at event \(s.brokenAt!): the log was changed outside Ward."
                chainBroken = true
            case .failure(let e):
                chain = e.message
            }
        }
    }

    func willDisappear(ui: UI) { typing.reset(ui) }

    func load(_ ui: UI, before: Int?) {
        let f = filter.text.trimmingCharacters(in: .whitespaces)
        app.backend.run(Api.auditPage(beforeID: before, filter: f), for: self, busy: "Loading", busyAfter: 0.15,
                        slot: "audit") { [weak self] result in
            guard let self else { return }
            // Every load ends the filter's lookup: F5 or F8 may have replaced it in its slot.
            defer { typing.answered(ui) }
            guard case .success(let page) = result else { return }
            if before != nil && page.isEmpty { ui.show("No older events.", kind: .info); return }
            events = page
            table.rows = page.map(row)
            table.selected = 0
        }
    }

    func row(_ e: Api.AuditEvent) -> [String] {
        let clock = app.clock
        let when = app.dateOrder.format(clock.date(e.occurredAt)) + " " + clock.time(e.occurredAt)
        let action = e.impersonated ? "!! " + e.action : e.action
        return [when, e.actor ?? (e.impersonated ? "platform" : "—"), action,
                [e.objectType, e.objectId].compactMap { $0 }.joined(separator: " ")]
    }

    func handleKey(_ key: Key, ui: UI) -> Bool {
        switch key {
        case .up, .down, .pageUp, .pageDown: return table.handle(key)
        default:
            guard filter.handle(key) else { return false }
            typing.changed(ui)
            return true
        }
    }

    func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .older: load(ui, before: events.last?.id); return true
        case .newest: load(ui, before: nil); return true
        default: return false
        }
    }

    func draw(_ canvas: Canvas, ui: UI) {
        canvas.put(chain, row: 0, col: 1, width: canvas.cols - 2, style: chainBroken ? .error : .success)
        canvas.put("Filter", row: 1, col: 1, style: .label)
        filter.draw(canvas, row: 1, col: 9, width: 30, focused: true)
        canvas.put("action prefix or username", row: 1, col: 41, style: .muted)
        let detailRows = 2
        table.draw(canvas.region(Rect(row: 3, col: 0, rows: canvas.rows - 3 - detailRows, cols: canvas.cols)))
        if events.indices.contains(table.selected) {
            let e = events[table.selected]
            let style: Style = e.impersonated ? .warning : .muted
            canvas.put("#\(e.id) \(e.impersonated ? "IMPERSONATED SESSION " : "")\(e.details)",
                       row: canvas.rows - 2, col: 1, width: canvas.cols - 2, style: style)
        }
    }
}
