/// A multi-line text editor (clinical notes): typing and pasting anywhere, Enter breaks
/// the line, Backspace/Delete join lines, arrows move by character and by shown row,
/// Home/End (also ^A/^E) go to the start/end of the line, PgUp/PgDn by a page, ^K/^U
/// delete to the end/start of the line, ^W the previous word.
///
/// Long lines wrap at spaces to the width they are drawn at (widths in cells, so CJK and
/// Devanagari line up), and the view scrolls to keep the cursor visible. Tab is not used:
/// it moves the focus on, as in a `Form`.
public final class TextArea {
    /// The lines (without their line breaks), as characters (grapheme clusters).
    public private(set) var lines: [[Character]] = [[]]
    /// The cursor: a line, and a position in it (0...count).
    public private(set) var line = 0
    public private(set) var column = 0
    /// At most this many characters, line breaks included.
    public var maxLength: Int?
    /// The cells per row and the rows shown, as last drawn (Up/Down and PgUp/PgDn need them).
    public private(set) var width: Int
    public private(set) var height: Int
    /// The first shown row.
    public private(set) var topRow = 0
    /// The cell column Up/Down try to keep, so moving through a short row does not lose it.
    private var goalX: Int?

    public init(text: String = "", width: Int = 60, height: Int = 10, maxLength: Int? = nil) {
        self.width = max(2, width)
        self.height = max(1, height)
        self.maxLength = maxLength
        self.text = text
    }

    /// The whole text, lines joined with "\n". Setting it puts the cursor at the end.
    public var text: String {
        get { lines.map { String($0) }.joined(separator: "\n") }
        set {
            lines = [[]]
            line = 0
            column = 0
            topRow = 0
            insert(newValue)
        }
    }

    public var isBlank: Bool { lines.allSatisfy { $0.allSatisfy(\.isWhitespace) } }

    /// Characters held, line breaks included.
    public var count: Int { lines.reduce(lines.count - 1) { $0 + $1.count } }

    /// Handles an editing key; false for keys the editor does not use (Tab, Esc, F-keys).
    public func handle(_ key: Key) -> Bool {
        if key != .up, key != .down, key != .pageUp, key != .pageDown { goalX = nil }
        switch key {
        case .char(let c): insert(String(c))
        case .paste(let s): insert(s)
        case .enter: insert("\n")
        case .left:
            if column > 0 { column -= 1 } else if line > 0 { line -= 1; column = lines[line].count }
        case .right:
            if column < lines[line].count { column += 1 } else if line < lines.count - 1 { line += 1; column = 0 }
        case .up: moveRows(-1)
        case .down: moveRows(1)
        case .pageUp: moveRows(-max(1, height - 1))
        case .pageDown: moveRows(max(1, height - 1))
        case .home, .ctrl("a"): column = 0
        case .end, .ctrl("e"): column = lines[line].count
        case .backspace, .ctrl("h"):
            if column > 0 {
                lines[line].remove(at: column - 1)
                column -= 1
            } else if line > 0 {
                line -= 1
                column = lines[line].count
                joinWithNext()
            }
        case .delete, .ctrl("d"):
            if column < lines[line].count { lines[line].remove(at: column) } else { joinWithNext() }
        case .ctrl("k"):
            if column < lines[line].count { lines[line].removeSubrange(column...) } else { joinWithNext() }
        case .ctrl("u"):
            lines[line].removeSubrange(..<column)
            column = 0
        case .ctrl("w"):
            var start = column
            while start > 0 && lines[line][start - 1] == " " { start -= 1 }
            while start > 0 && lines[line][start - 1] != " " { start -= 1 }
            lines[line].removeSubrange(start..<column)
            column = start
        default:
            return false
        }
        return true
    }

    /// Inserts typed or pasted text at the cursor. Line breaks (\n, \r\n, \r) start new
    /// lines; other control characters are dropped. Text that would pass `maxLength` is
    /// refused whole, as a field refuses it.
    public func insert(_ s: String) {
        let pieces = s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.filter { TextWidth.sanitize($0) == $0 }) }
        let added = pieces.reduce(pieces.count - 1) { $0 + $1.count }
        guard added > 0 || pieces.count > 1 else { return }
        if let m = maxLength, count + added > m { return }
        let after = String(lines[line][column...])
        var prefix = String(lines[line][..<column]) + pieces[0]
        for piece in pieces.dropFirst() {
            lines[line] = Array(prefix)
            line += 1
            lines.insert([], at: line)
            prefix = piece
        }
        // Built as strings, so a combining mark joins the character before it.
        lines[line] = Array(prefix + after)
        column = Array(prefix).count
    }

    private func joinWithNext() {
        guard line < lines.count - 1 else { return }
        let joined = Array(String(lines[line]) + String(lines[line + 1]))
        lines[line] = joined
        lines.remove(at: line + 1)
        column = min(column, joined.count)
    }

    // MARK: Layout

    /// One shown row: characters start..<end of a line.
    public struct Row: Equatable, Sendable {
        public var line: Int
        public var start: Int
        public var end: Int
    }

    /// The shown rows at the current width. A row holds at most width - 1 cells, so the
    /// cursor always has a cell after the text; a line breaks after its last space that
    /// fits, or mid-word when a word is longer than a row.
    public func rows() -> [Row] {
        let room = max(1, width - 1)
        var out: [Row] = []
        for (i, chars) in lines.enumerated() {
            var start = 0
            repeat {
                var used = 0, end = start, lastSpace: Int?
                while end < chars.count {
                    let w = TextWidth.width(of: chars[end])
                    if used + w > room && end > start { break }
                    used += w
                    if chars[end] == " " { lastSpace = end }
                    end += 1
                }
                if end < chars.count, let sp = lastSpace, sp + 1 < end { end = sp + 1 }
                out.append(Row(line: i, start: start, end: end))
                start = end
            } while start < chars.count
        }
        return out
    }

    /// The shown row and cell column of the cursor.
    public func cursorCell(in rows: [Row]) -> (row: Int, x: Int) {
        let r = rows.lastIndex { $0.line == line && $0.start <= column } ?? 0
        let row = rows[r]
        return (r, TextWidth.width(String(lines[line][row.start..<column])))
    }

    private func moveRows(_ delta: Int) {
        let all = rows()
        let here = cursorCell(in: all)
        let goal = goalX ?? here.x
        let target = here.row + delta
        if target < 0 { line = 0; column = 0; return }
        if target >= all.count { line = lines.count - 1; column = lines[line].count; return }
        let row = all[target]
        // A row that is not its line's last must not put the cursor after its end: that
        // place is the start of the next row.
        let isLast = target + 1 >= all.count || all[target + 1].line != row.line
        let last = isLast ? row.end : max(row.start, row.end - 1)
        var col = row.start, x = 0
        while col < last {
            let w = TextWidth.width(of: lines[row.line][col])
            if x + w > goal { break }
            x += w
            col += 1
        }
        line = row.line
        column = col
        goalX = goal
    }

    // MARK: Drawing

    /// Draws `height` rows of `width` cells from (row, col), scrolled so the cursor is
    /// visible; places the terminal cursor when focused.
    public func draw(_ canvas: Canvas, row: Int, col: Int, width: Int, height: Int, focused: Bool) {
        self.width = max(2, width)
        self.height = max(1, height)
        let all = rows()
        let cursor = cursorCell(in: all)
        if cursor.row < topRow { topRow = cursor.row }
        if cursor.row >= topRow + self.height { topRow = cursor.row - self.height + 1 }
        topRow = max(0, min(topRow, all.count - 1))
        let style: Style = focused ? .fieldFocused : .field
        for i in 0..<self.height {
            let text: String
            if topRow + i < all.count {
                let r = all[topRow + i]
                text = String(lines[r.line][r.start..<r.end])
            } else {
                text = ""
            }
            canvas.put(TextWidth.fit(text, to: self.width), row: row + i, col: col, style: style)
        }
        if focused {
            canvas.setCursor(row: row + cursor.row - topRow, col: col + cursor.x)
        }
    }
}
