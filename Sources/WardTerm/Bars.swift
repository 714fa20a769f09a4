/// The top bar: application, screen title, clinic, user and role, clock. While the database
/// link is down, a status ("Reconnecting to ...") takes the place of all but the clock.
public struct TopBar {
    public var title, clinic, user, role, clock, status: String

    public init(title: String, clinic: String, user: String, role: String, clock: String, status: String = "") {
        self.title = title; self.clinic = clinic; self.user = user; self.role = role; self.clock = clock
        self.status = status
    }

    public func draw(_ canvas: Canvas, row: Int) {
        canvas.fill(Rect(row: row, col: 0, rows: 1, cols: canvas.cols), style: .topBar)
        if !status.isEmpty {
            let clockWidth = TextWidth.width(clock)
            canvas.put("Ward  " + status, row: row, col: 1, width: max(0, canvas.cols - clockWidth - 3), style: .topBar)
            canvas.put(clock, row: row, col: canvas.cols - clockWidth - 1, style: .topBar)
            return
        }
        var right = [clinic, user.isEmpty ? "" : (role.isEmpty ? user : "\(user) (\(role))"), clock]
            .filter { !$0.isEmpty }.joined(separator: "  ")
        right = TextWidth.truncate(right, to: max(0, canvas.cols - 12))
        let rightWidth = TextWidth.width(right)
        let left = "Ward" + (title.isEmpty ? "" : "  " + title)
        canvas.put(left, row: row, col: 1, width: max(0, canvas.cols - rightWidth - 3), style: .topBar)
        canvas.put(right, row: row, col: canvas.cols - rightWidth - 1, style: .topBar)
    }
}

/// The bottom key bar: "F1 Help  F3 Search  F10 Quit", generated from the actions.
public enum KeyBar {
    /// The items that fit in `cols`: when they do not all fit, items are dropped from
    /// the end, but the last one (Quit, by convention) is kept.
    public static func fitting(_ actions: [Action], cols: Int) -> [Action] {
        var items = actions.filter { !$0.keys.isEmpty }
        func width(_ list: [Action]) -> Int {
            list.reduce(0) { $0 + TextWidth.width($1.keys[0].description) + 1 + TextWidth.width($1.label) + 2 }
        }
        while width(items) > cols && items.count > 1 {
            items.remove(at: items.count >= 2 ? items.count - 2 : 0)
        }
        return items
    }

    public static func draw(_ canvas: Canvas, row: Int, items actions: [Action]) {
        canvas.fill(Rect(row: row, col: 0, rows: 1, cols: canvas.cols), style: .keyBar)
        var col = 0
        for a in fitting(actions, cols: canvas.cols) {
            col = canvas.put(a.keys[0].description, row: row, col: col, style: .keyBarKey)
            col = canvas.put(" " + a.label + "  ", row: row, col: col, style: .keyBar)
        }
    }
}

/// The message line: the last message on the left, the busy indicator on the right.
public enum MessageLine {
    static let spinner: [Character] = ["|", "/", "-", "\\"]

    public static func draw(_ canvas: Canvas, row: Int, message: (text: String, kind: MessageKind)?,
                            busy: String?, phase: Int) {
        var room = canvas.cols
        if let b = busy {
            let text = "\(spinner[phase % spinner.count]) \(b)…"
            let w = TextWidth.width(text)
            canvas.put(text, row: row, col: max(0, canvas.cols - w - 1), style: .busy)
            room = max(0, canvas.cols - w - 2)
        }
        if let m = message {
            canvas.put(TextWidth.truncate(m.text, to: room), row: row, col: 0, style: m.kind.style)
        }
    }
}
