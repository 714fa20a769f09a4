/// One labelled field of a `Form`, with an optional check that returns an error message.
public final class FormField {
    public let label: String
    public let input: TextField
    public let validate: ((String) -> String?)?
    /// The message shown next to the field after a failed check.
    public var error: String?

    public init(_ label: String, _ input: TextField = TextField(), validate: ((String) -> String?)? = nil) {
        self.label = label
        self.input = input
        self.validate = validate
    }

    @discardableResult
    public func check() -> Bool {
        error = validate?(input.text)
        return error == nil
    }
}

/// Labelled fields, one per row. Tab/Down/Enter go to the next field, Shift-Tab/Up to the
/// previous; leaving a field checks it and shows the message inline. Tab on the last
/// field (Shift-Tab on the first) is not handled, so the screen can move focus on.
public final class Form {
    public var fields: [FormField]
    public var focus = 0
    public var fieldWidth: Int

    public init(_ fields: [FormField], fieldWidth: Int = 30) {
        self.fields = fields
        self.fieldWidth = fieldWidth
    }

    public var focusedField: FormField? { fields.indices.contains(focus) ? fields[focus] : nil }

    public func handle(_ key: Key) -> Bool {
        guard let f = focusedField else { return false }
        switch key {
        case .tab, .down, .enter:
            guard focus < fields.count - 1 else { f.check(); return false }
            f.check()
            focus += 1
        case .backTab, .up:
            guard focus > 0 else { f.check(); return false }
            f.check()
            focus -= 1
        default:
            guard f.input.handle(key) else { return false }
            f.error = nil // the user is fixing it
        }
        return true
    }

    /// Checks every field; focuses the first that fails.
    public func validateAll() -> Bool {
        var firstBad: Int?
        for (i, f) in fields.enumerated() where !f.check() { firstBad = firstBad ?? i }
        if let b = firstBad { focus = b }
        return firstBad == nil
    }

    /// Rows the form takes.
    public var height: Int { fields.count }

    /// Draws "Label  [field]  error" rows from `row`.
    public func draw(_ canvas: Canvas, row: Int, col: Int = 0, focused: Bool) {
        let labelWidth = fields.map { TextWidth.width($0.label) }.max() ?? 0
        let fieldCol = col + labelWidth + 2
        let width = max(1, min(fieldWidth, canvas.cols - fieldCol))
        for (i, f) in fields.enumerated() {
            let r = row + i
            canvas.put(f.label, row: r, col: col, style: .label)
            f.input.draw(canvas, row: r, col: fieldCol, width: width, focused: focused && i == focus)
            if let e = f.error {
                let ec = fieldCol + width + 2
                canvas.put(TextWidth.truncate(e, to: max(0, canvas.cols - ec)), row: r, col: ec, style: .error)
            }
        }
    }
}
