/// A rectangle in cells.
public struct Rect: Equatable, Sendable {
    public var row: Int, col: Int, rows: Int, cols: Int
    public init(row: Int, col: Int, rows: Int, cols: Int) {
        self.row = row; self.col = col; self.rows = max(0, rows); self.cols = max(0, cols)
    }
}

/// What screens and widgets draw on. Coordinates are cells, (0, 0) top left.
///
/// Text is clipped at the canvas edge, control characters are replaced, and wide
/// characters take two cells; a screen never needs to care about the terminal.
/// Implementations: `GridCanvas` (in memory: tests, and the frame the ncurses backend
/// copies to the terminal) and `SubCanvas` (a clipped, offset view for one region).
public protocol Canvas: AnyObject {
    var rows: Int { get }
    var cols: Int { get }
    /// Writes `text` from (row, col) in `style`; returns the column after the last cell written.
    @discardableResult
    func put(_ text: String, row: Int, col: Int, style: Style) -> Int
    /// Fills a rectangle with spaces in `style` (backgrounds, selected rows).
    func fill(_ rect: Rect, style: Style)
    /// Where the terminal cursor should be after this frame (nil: hidden).
    func setCursor(row: Int, col: Int)
}

public extension Canvas {
    /// A view of a region of this canvas, with its own (0, 0).
    func region(_ rect: Rect) -> SubCanvas { SubCanvas(parent: self, rect: rect) }

    /// `text` fitted to exactly `width` cells (ellipsis or padding) at (row, col).
    @discardableResult
    func put(_ text: String, row: Int, col: Int, width: Int, style: Style, alignRight: Bool = false) -> Int {
        put(TextWidth.fit(text, to: width, alignRight: alignRight), row: row, col: col, style: style)
    }

    /// Text centred on a row.
    func putCentered(_ text: String, row: Int, style: Style) {
        let t = TextWidth.truncate(text, to: cols)
        put(t, row: row, col: max(0, (cols - TextWidth.width(t)) / 2), style: style)
    }
}

/// One cell of the grid: a grapheme cluster (or "" for the right half of a wide one).
public struct Cell: Equatable, Sendable {
    public var text: String
    public var style: Style
    public static let blank = Cell(text: " ", style: .normal)
    var isContinuation: Bool { text.isEmpty }
}

/// The in-memory canvas: a grid of cells.
public final class GridCanvas: Canvas {
    public private(set) var rows: Int
    public private(set) var cols: Int
    public private(set) var cells: [[Cell]]
    public private(set) var cursor: (row: Int, col: Int)?

    public init(rows: Int, cols: Int) {
        self.rows = max(0, rows)
        self.cols = max(0, cols)
        cells = Array(repeating: Array(repeating: .blank, count: self.cols), count: self.rows)
    }

    /// Blanks every cell and hides the cursor (start of a frame).
    public func clear() {
        for r in 0..<rows { for c in 0..<cols { cells[r][c] = .blank } }
        cursor = nil
    }

    @discardableResult
    public func put(_ text: String, row: Int, col: Int, style: Style) -> Int {
        guard row >= 0, row < rows else { return col }
        var c = col
        for raw in text {
            let ch = TextWidth.sanitize(raw)
            let units = TextWidth.cells(of: ch)
            let w = units.reduce(0) { $0 + $1.width }
            if w == 0 { continue } // a lone combining mark has nothing to sit on
            if c >= cols { break }
            if c < 0 { c += w; continue }
            if c + w > cols { // a cluster that does not fit whole is not drawn in part
                while c < cols { set(row, c, Cell(text: " ", style: style)); c += 1 }
                break
            }
            for u in units {
                set(row, c, Cell(text: u.text, style: style))
                if u.width == 2 { set(row, c + 1, Cell(text: "", style: style)) }
                c += u.width
            }
        }
        return c
    }

    public func fill(_ rect: Rect, style: Style) {
        for r in max(0, rect.row)..<min(rows, rect.row + rect.rows) {
            for c in max(0, rect.col)..<max(max(0, rect.col), min(cols, rect.col + rect.cols)) {
                set(r, c, Cell(text: " ", style: style))
            }
        }
    }

    public func setCursor(row: Int, col: Int) {
        cursor = (row >= 0 && row < rows && col >= 0 && col < cols) ? (row, col) : nil
    }

    /// Writing over half of a wide character blanks its other half, as a terminal does.
    private func set(_ r: Int, _ c: Int, _ cell: Cell) {
        let old = cells[r][c]
        if old.isContinuation, c > 0, !cell.isContinuation {
            cells[r][c - 1] = Cell(text: " ", style: cells[r][c - 1].style)
        }
        if !old.isContinuation, c + 1 < cols, cells[r][c + 1].isContinuation, TextWidth.width(old.text) == 2 {
            cells[r][c + 1] = Cell(text: " ", style: old.style)
        }
        cells[r][c] = cell
    }

    /// The rows as text (a wide character appears once), trailing spaces removed:
    /// what `tmux capture-pane` would show.
    public func lines() -> [String] {
        cells.map { row in
            var s = row.map(\.text).joined()
            while s.last == " " { s.removeLast() }
            return s
        }
    }

    /// The style of the cell at (row, col).
    public func style(row: Int, col: Int) -> Style { cells[row][col].style }
}

/// A clipped, offset view of part of another canvas.
public final class SubCanvas: Canvas {
    public let parent: Canvas
    public let rect: Rect
    public var rows: Int { rect.rows }
    public var cols: Int { rect.cols }

    public init(parent: Canvas, rect: Rect) {
        // Never larger than the parent.
        let r = max(0, rect.row), c = max(0, rect.col)
        self.parent = parent
        self.rect = Rect(row: r, col: c, rows: min(rect.rows, parent.rows - r), cols: min(rect.cols, parent.cols - c))
    }

    @discardableResult
    public func put(_ text: String, row: Int, col: Int, style: Style) -> Int {
        guard row >= 0, row < rows, col < cols else { return col }
        // Clip to this region's width before handing to the parent.
        var t = text
        var c = col
        if c < 0 {
            var skipped = 0
            var rest = Substring(t)
            while c + skipped < 0, let ch = rest.first { skipped += TextWidth.width(of: ch); rest = rest.dropFirst() }
            t = String(rest); c += skipped
        }
        t = TextWidth.truncate(t, to: cols - c, ellipsis: false)
        let end = parent.put(t, row: rect.row + row, col: rect.col + c, style: style)
        return end - rect.col
    }

    public func fill(_ r: Rect, style: Style) {
        let top = max(0, r.row), left = max(0, r.col)
        let bottom = min(rows, r.row + r.rows), right = min(cols, r.col + r.cols)
        guard bottom > top, right > left else { return }
        parent.fill(Rect(row: rect.row + top, col: rect.col + left, rows: bottom - top, cols: right - left), style: style)
    }

    public func setCursor(row: Int, col: Int) {
        guard row >= 0, row < rows, col >= 0, col < cols else { return }
        parent.setCursor(row: rect.row + row, col: rect.col + col)
    }
}
