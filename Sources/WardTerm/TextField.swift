/// A single-line text field: insert anywhere, Left/Right, Home/End (also ^A/^E),
/// Backspace/Delete, ^U (delete to start), ^W (delete previous word), ^K (delete to end).
/// In masked mode (passwords) each character is drawn as "•".
public final class TextField {
    public var text: String { didSet { cursor = min(cursor, text.count) } }
    /// Cursor position in characters (grapheme clusters), 0...text.count.
    public var cursor: Int
    public var masked: Bool
    public var maxLength: Int?
    /// First character shown, when the text is wider than the field.
    private var scroll = 0
    public static let maskCharacter: Character = "•"

    public init(text: String = "", masked: Bool = false, maxLength: Int? = nil) {
        self.text = text
        self.cursor = text.count
        self.masked = masked
        self.maxLength = maxLength
    }

    /// Handles an editing key; false for keys a field does not use (Tab, Enter, F-keys).
    public func handle(_ key: Key) -> Bool {
        switch key {
        case .char(let c):
            insert(String(c))
        case .paste(let s):
            // One line: the pasted line breaks become spaces.
            insert(s.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
                .replacingOccurrences(of: "\r", with: " "))
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(text.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = text.count
        case .backspace, .ctrl("h"):
            guard cursor > 0 else { return true }
            remove(cursor - 1..<cursor)
        case .delete, .ctrl("d"):
            guard cursor < text.count else { return true }
            remove(cursor..<cursor + 1)
        case .ctrl("u"): remove(0..<cursor)
        case .ctrl("k"): remove(cursor..<text.count)
        case .ctrl("w"):
            let chars = Array(text)
            var start = cursor
            while start > 0 && chars[start - 1] == " " { start -= 1 }
            while start > 0 && chars[start - 1] != " " { start -= 1 }
            remove(start..<cursor)
        default:
            return false
        }
        return true
    }

    /// Inserts at the cursor (typed or pasted text). Control characters are dropped.
    public func insert(_ s: String) {
        let clean = String(s.filter { TextWidth.sanitize($0) == $0 })
        guard !clean.isEmpty else { return }
        let prefix = String(text.prefix(cursor)) + clean
        let suffix = String(text.dropFirst(cursor))
        if let m = maxLength, (prefix + suffix).count > m { return }
        text = prefix + suffix
        // A combining mark joins the character before it: count again.
        cursor = prefix.count
    }

    private func remove(_ range: Range<Int>) {
        let chars = Array(text)
        text = String(chars[..<range.lowerBound]) + String(chars[range.upperBound...])
        cursor = range.lowerBound
    }

    /// What is drawn: the text, or one mask character per character.
    public var displayText: String {
        masked ? String(repeating: TextField.maskCharacter, count: text.count) : text
    }

    /// Draws the field in `width` cells at (row, col), scrolled so the cursor is visible;
    /// places the terminal cursor when focused.
    public func draw(_ canvas: Canvas, row: Int, col: Int, width: Int, focused: Bool) {
        guard width > 0 else { return }
        let chars = Array(displayText)
        if cursor < scroll { scroll = cursor }
        // Keep one cell free for the cursor at the end.
        while scroll < cursor && TextWidth.width(String(chars[scroll..<cursor])) > width - 1 { scroll += 1 }
        let visible = TextWidth.truncate(String(chars[min(scroll, chars.count)...]), to: width, ellipsis: false)
        canvas.put(TextWidth.fit(visible, to: width), row: row, col: col,
                   style: focused ? .fieldFocused : .field)
        if focused {
            canvas.setCursor(row: row, col: col + TextWidth.width(String(chars[scroll..<cursor])))
        }
    }
}
