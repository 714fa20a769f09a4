/// A semantic element of the screen. Screens say *what* they draw (a selected row, an
/// error); the theme says how it looks. Theme files name these by their raw value.
public enum Style: String, CaseIterable, Sendable {
    case normal
    case title
    case topBar = "top_bar"
    case keyBar = "key_bar"
    case keyBarKey = "key_bar_key"
    case header
    case selectedRow = "selected_row"
    case label
    case field
    case fieldFocused = "field_focused"
    case error
    case warning
    case success
    case muted
    case border
    case dialog
    case busy
    case helpKey = "help_key"
}

/// Text attributes a theme may use. The mono theme uses only these.
public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let reverse = Attributes(rawValue: 2)
    public static let underline = Attributes(rawValue: 4)
    public static let dim = Attributes(rawValue: 8)

    static let names: [(String, Attributes)] = [
        ("bold", .bold), ("reverse", .reverse), ("underline", .underline), ("dim", .dim),
    ]
}

/// A terminal colour: the terminal's default, or a palette index (0-7 basic, 8-15 bright,
/// up to 255 on 256-colour terminals).
public enum Color: Hashable, Sendable {
    case terminalDefault
    case index(Int)

    static let basicNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// "red", "bright_red", "default", "color123" or "123".
    static func parse(_ word: String) -> Color? {
        let w = word.lowercased()
        if w == "default" { return .terminalDefault }
        if let i = basicNames.firstIndex(of: w) { return .index(i) }
        if w.hasPrefix("bright_"), let i = basicNames.firstIndex(of: String(w.dropFirst(7))) {
            return .index(i + 8)
        }
        let digits = w.hasPrefix("color") ? String(w.dropFirst(5)) : w
        if let n = Int(digits), (0...255).contains(n) { return .index(n) }
        return nil
    }
}

/// How one element looks.
public struct Appearance: Hashable, Sendable {
    public var foreground: Color
    public var background: Color
    public var attributes: Attributes

    public init(foreground: Color = .terminalDefault, background: Color = .terminalDefault,
                attributes: Attributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public var usesColor: Bool { foreground != .terminalDefault || background != .terminalDefault }
}
