/// A column of a `Table`.
public struct Column: Sendable {
    public var title: String
    /// Width in cells; nil shares the room left over by fixed columns.
    public var width: Int?
    public var alignRight: Bool

    public init(_ title: String, width: Int? = nil, alignRight: Bool = false) {
        self.title = title
        self.width = width
        self.alignRight = alignRight
    }
}

/// A list with columns: a header, one selected row, scrolling with Up/Down, PgUp/PgDn,
/// Home/End. Cells are cut with "…" by cell width, so columns stay aligned whatever the
/// script.
public final class Table {
    public var columns: [Column]
    public var rows: [[String]] { didSet { clampSelection() } }
    public var selected = 0
    /// First row shown.
    public private(set) var topRow = 0
    /// Rows that fit in the last drawn height (PgUp/PgDn move this many).
    public private(set) var pageSize = 10
    public var emptyText = "(nothing to show)"

    public init(columns: [Column], rows: [[String]] = []) {
        self.columns = columns
        self.rows = rows
    }

    public var selectedRow: [String]? { rows.indices.contains(selected) ? rows[selected] : nil }

    public func handle(_ key: Key) -> Bool {
        guard !rows.isEmpty else { return false }
        switch key {
        case .up: selected -= 1
        case .down: selected += 1
        case .pageUp: selected -= pageSize
        case .pageDown: selected += pageSize
        case .home: selected = 0
        case .end: selected = rows.count - 1
        default: return false
        }
        clampSelection()
        return true
    }

    private func clampSelection() {
        selected = max(0, min(selected, rows.count - 1))
    }

    /// Widths of the columns for `total` cells, one space between columns.
    public func columnWidths(total: Int) -> [Int] {
        let gaps = max(0, columns.count - 1)
        let fixed = columns.compactMap(\.width).reduce(0, +)
        let flexCount = columns.filter { $0.width == nil }.count
        let spare = max(0, total - gaps - fixed)
        var flexLeft = spare
        var result: [Int] = []
        var flexSeen = 0
        for c in columns {
            if let w = c.width {
                result.append(w)
            } else {
                flexSeen += 1
                let w = flexSeen == flexCount ? flexLeft : spare / max(1, flexCount)
                flexLeft -= w
                result.append(w)
            }
        }
        return result
    }

    /// Draws the header and as many rows as fit in the canvas.
    public func draw(_ canvas: Canvas, focused: Bool = true) {
        guard canvas.rows > 0 else { return }
        let widths = columnWidths(total: canvas.cols)
        drawLine(canvas, row: 0, cells: columns.map(\.title), widths: widths, style: .header)
        // Rows that do not fit are never hidden silently: the last line then says how many
        // are above and below ("↑ 3 above  ↓ 12 below").
        let overflows = rows.count > canvas.rows - 1 && canvas.rows > 2
        pageSize = max(1, canvas.rows - (overflows ? 2 : 1))
        if rows.isEmpty {
            if canvas.rows > 1 { canvas.put(emptyText, row: 1, col: 0, style: .muted) }
            return
        }
        clampSelection()
        if selected < topRow { topRow = selected }
        if selected >= topRow + pageSize { topRow = selected - pageSize + 1 }
        topRow = max(0, min(topRow, rows.count - pageSize))
        for i in 0..<pageSize {
            let r = topRow + i
            guard r < rows.count else { break }
            let isSel = r == selected
            let style: Style = isSel && focused ? .selectedRow : (isSel ? .fieldFocused : .normal)
            if isSel { canvas.fill(Rect(row: i + 1, col: 0, rows: 1, cols: canvas.cols), style: style) }
            drawLine(canvas, row: i + 1, cells: rows[r], widths: widths, style: style)
        }
        if overflows {
            let below = rows.count - topRow - pageSize
            let marker = [topRow > 0 ? "↑ \(topRow) above" : nil, below > 0 ? "↓ \(below) below" : nil]
                .compactMap { $0 }.joined(separator: "  ")
            canvas.put(marker, row: pageSize + 1, col: 0, width: canvas.cols, style: .muted, alignRight: true)
        }
    }

    private func drawLine(_ canvas: Canvas, row: Int, cells: [String], widths: [Int], style: Style) {
        var col = 0
        for (i, w) in widths.enumerated() {
            let text = i < cells.count ? cells[i] : ""
            canvas.put(text, row: row, col: col, width: w, style: style, alignRight: columns[i].alignRight)
            col += w
            if i < widths.count - 1 { col = canvas.put(" ", row: row, col: col, style: style) }
        }
    }
}
