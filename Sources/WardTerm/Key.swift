import Foundation

/// A key press, decoded from ncurses (or built by tests).
public enum Key: Hashable, Sendable, CustomStringConvertible {
    /// A printable character (letters, digits, punctuation, accents, CJK, space).
    case char(Character)
    /// Ctrl + a letter, lower case: `.ctrl("w")`.
    case ctrl(Character)
    case function(Int)
    case up, down, left, right, home, end, pageUp, pageDown
    case insert, delete, backspace, enter, tab, backTab, escape
    /// The window changed size (ncurses' KEY_RESIZE).
    case resize
    /// A bracketed paste, whole: one insert and one redraw, however long.
    case paste(String)

    /// The short label shown in the key bar and help: "F1", "q", "^W", "PgDn".
    public var description: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "^" + String(c).uppercased()
        case .function(let n): return "F\(n)"
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .home: return "Home"
        case .end: return "End"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .insert: return "Ins"
        case .delete: return "Del"
        case .backspace: return "Backspace"
        case .enter: return "Enter"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .escape: return "Esc"
        case .resize: return "Resize"
        case .paste: return "Paste"
        }
    }

    private static let named: [String: Key] = [
        "up": .up, "down": .down, "left": .left, "right": .right, "home": .home, "end": .end,
        "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown,
        "ins": .insert, "insert": .insert, "del": .delete, "delete": .delete,
        "backspace": .backspace, "bs": .backspace, "enter": .enter, "return": .enter,
        "tab": .tab, "shift-tab": .backTab, "backtab": .backTab, "s-tab": .backTab,
        "esc": .escape, "escape": .escape, "space": .char(" "),
    ]

    /// Parses a key spec as written in the config file: "q", "?", "F3", "Ctrl-W", "C-w",
    /// "^W", "Enter", "Esc", "Tab", "Shift-Tab", "PgDn", "Space". Nil if not a key.
    public static func parse(_ spec: String) -> Key? {
        let s = spec.trimmingCharacters(in: .whitespaces)
        if s.count == 1, let c = s.first {
            return TextWidth.width(of: c) > 0 && c != " " ? .char(c) : nil
        }
        let lower = s.lowercased()
        if let k = named[lower] { return k }
        if lower.hasPrefix("f"), let n = Int(lower.dropFirst()), (1...24).contains(n) { return .function(n) }
        for prefix in ["ctrl-", "ctrl+", "c-", "^"] where lower.hasPrefix(prefix) {
            let rest = lower.dropFirst(prefix.count)
            if rest.count == 1, let c = rest.first, c.isASCII, c.isLetter { return .ctrl(c) }
            return nil
        }
        return nil
    }

    /// Decodes ncurses' get_wch result: `isKeyCode` when it returned KEY_CODE_YES.
    static func decode(_ value: UInt32, isKeyCode: Bool) -> Key? {
        if isKeyCode { return KeyCodes.key(for: Int32(value)) }
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(value + 96)!))
        case 0, 28...31: return nil
        default:
            guard let sc = Unicode.Scalar(value) else { return nil }
            if sc.value >= 0x80 && sc.value < 0xA0 { return nil }
            return .char(Character(sc))
        }
    }
}
