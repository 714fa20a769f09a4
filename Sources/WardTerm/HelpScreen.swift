/// The help screen, generated from the action lists: the screen's own actions, then the
/// global ones. Nothing here is written by hand, so it cannot go stale.
public final class HelpScreen: Screen {
    public let forTitle: String
    public let screenActions: [Action]
    public let globalActions: [Action]
    private var scroll = 0
    private var page = 10

    public init(for title: String, actions: [Action], global: [Action]) {
        forTitle = title
        screenActions = actions
        globalActions = global
    }

    public var title: String { "Help" + (forTitle.isEmpty ? "" : ": " + forTitle) }

    public var actions: [Action] {
        [Action(.close, keys: [.escape, .char("q"), .function(1), .char("?")], label: "Close",
                help: "Close the help", scope: .screen("help")),
         Action(.scrollDown, keys: [.down, .pageDown], label: "More", help: "Scroll down",
                scope: .screen("help")),
         Action(.scrollUp, keys: [.up, .pageUp], label: "Back", help: "Scroll up",
                scope: .screen("help"), inKeyBar: false)]
    }

    /// The rows shown: headings, then "keys  help" for every action of both lists.
    public struct Row: Equatable {
        public var keys: String
        public var text: String
        public var isHeading: Bool
    }

    public var rows: [Row] {
        var out: [Row] = []
        if !screenActions.isEmpty {
            out.append(Row(keys: "", text: forTitle.isEmpty ? "This screen" : forTitle, isHeading: true))
            out += screenActions.map { Row(keys: $0.keyText, text: $0.help, isHeading: false) }
        }
        out.append(Row(keys: "", text: "Everywhere", isHeading: true))
        out += globalActions.map { Row(keys: $0.keyText, text: $0.help, isHeading: false) }
        return out
    }

    public func perform(_ action: Action, ui: UI) -> Bool {
        switch action.id {
        case .close: ui.pop()
        case .scrollDown: scroll = min(scroll + page, max(0, rows.count - page))
        case .scrollUp: scroll = max(0, scroll - page)
        default: return false
        }
        return true
    }

    /// Global actions (F10 Quit) still work from the help; the UI handles them.
    public func draw(_ canvas: Canvas, ui: UI) {
        let all = rows
        page = max(1, canvas.rows - 1)
        let keyWidth = min(20, (all.map { TextWidth.width($0.keys) }.max() ?? 0))
        for (i, row) in all.dropFirst(scroll).prefix(page).enumerated() {
            if row.isHeading {
                canvas.put(row.text, row: i, col: 1, style: .title)
            } else {
                canvas.put(row.keys, row: i, col: 3, width: keyWidth, style: .helpKey)
                canvas.put(row.text, row: i, col: 5 + keyWidth, width: max(0, canvas.cols - 6 - keyWidth), style: .normal)
            }
        }
        if scroll + page < all.count {
            canvas.put("more below: Down or PgDn", row: canvas.rows - 1, col: 1, style: .muted)
        }
    }
}
