/// A modal yes/no question drawn in a box over the current screen.
/// y or Enter answers yes; n or Esc answers no. Every other key is swallowed.
public final class ConfirmDialog: Screen {
    public let title: String
    public let message: String
    public let yesLabel: String
    private let onYes: (UI) -> Void
    private let onNo: (UI) -> Void

    public init(title: String, message: String, yesLabel: String = "Yes",
                onYes: @escaping (UI) -> Void, onNo: @escaping (UI) -> Void = { _ in }) {
        self.title = title
        self.message = message
        self.yesLabel = yesLabel
        self.onYes = onYes
        self.onNo = onNo
    }

    public var isOverlay: Bool { true }

    public var actions: [Action] {
        [Action(.yes, keys: [.char("y"), .enter], label: yesLabel, help: "Answer yes", scope: .screen("confirm")),
         Action(.no, keys: [.char("n"), .escape], label: "No", help: "Answer no", scope: .screen("confirm"))]
    }

    public func handleKey(_ key: Key, ui: UI) -> Bool {
        // Modal: the actions decide; nothing falls through to the screen below.
        if let a = action(for: key, in: [ui.actions(of: self)]) { _ = perform(a, ui: ui) }
        return true
    }

    public func perform(_ action: Action, ui: UI) -> Bool {
        ui.pop()
        if action.id == .yes { onYes(ui) } else { onNo(ui) }
        return true
    }

    public func draw(_ canvas: Canvas, ui: UI) {
        let width = min(canvas.cols - 4, max(40, TextWidth.width(title) + 6))
        let inner = width - 4
        let lines = TextWidth.wrap(message, to: inner)
        let height = min(canvas.rows, lines.count + 4)
        let top = max(0, (canvas.rows - height) / 2), left = max(0, (canvas.cols - width) / 2)
        let box = canvas.region(Rect(row: top, col: left, rows: height, cols: width))
        box.fill(Rect(row: 0, col: 0, rows: height, cols: width), style: .dialog)
        let horizontal = String(repeating: "─", count: max(0, width - 2))
        box.put("┌" + horizontal + "┐", row: 0, col: 0, style: .border)
        box.put(" " + title + " ", row: 0, col: 2, style: .title)
        for r in 1..<max(1, height - 1) {
            box.put("│", row: r, col: 0, style: .border)
            box.put("│", row: r, col: width - 1, style: .border)
        }
        box.put("└" + horizontal + "┘", row: height - 1, col: 0, style: .border)
        for (i, l) in lines.enumerated() where i + 1 < height - 2 {
            box.put(l, row: i + 1, col: 2, style: .dialog)
        }
        let answer = "y \(yesLabel)   n No"
        box.put(answer, row: height - 2, col: max(2, width - 2 - TextWidth.width(answer)), style: .helpKey)
    }
}
