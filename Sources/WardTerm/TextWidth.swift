import CNcursesw
import Glibc

/// Cell widths of text as a terminal shows it.
///
/// Widths come from the C library's `wcwidth`, the same table ncurses and most terminals
/// use, summed over the scalars of a grapheme cluster (a Swift `Character`): combining
/// marks and joiners count 0, East Asian wide characters 2. Using the same table as
/// ncurses matters more than being "right": if we and ncurses disagree, columns drift.
public enum TextWidth {
    /// What a control character (C0, C1, DEL, ESC) is drawn as. A hostile name containing
    /// an escape sequence must never reach the terminal raw.
    public static let replacement: Character = "\u{FFFD}"
    public static let ellipsis: Character = "…"

    /// wcwidth answers only in a UTF-8 locale. The terminal sets one before initscr; this
    /// also makes the helper right in tests and tools that never start the terminal.
    private static let localeReady: Bool = TermLocale.ensureUTF8()

    /// Width of one scalar: -1 for non-printable ones.
    public static func width(of scalar: Unicode.Scalar) -> Int {
        _ = localeReady
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return -1 }
        return Int(shim_wcwidth(v))
    }

    /// Width of one grapheme cluster as drawn (after sanitising). Usually 0, 1 or 2,
    /// but an Indic conjunct such as "न्या" is one cluster of three cells: terminals
    /// advance for every spacing scalar.
    public static func width(of ch: Character) -> Int {
        var total = 0
        for s in ch.unicodeScalars {
            let w = width(of: s)
            if w < 0 { return 1 } // drawn as the replacement character
            total += w
        }
        return total
    }

    /// The terminal cells a (sanitised) cluster occupies: each spacing scalar starts a
    /// cell, zero-width scalars stay with the cell before them (as in ncurses' cchar_t).
    static func cells(of ch: Character) -> [(text: String, width: Int)] {
        var out: [(text: String, width: Int)] = []
        for s in ch.unicodeScalars {
            let w = max(0, width(of: s))
            if w > 0 {
                out.append((String(s), w))
            } else if !out.isEmpty {
                out[out.count - 1].text.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// Width of a string in cells.
    public static func width(_ s: some StringProtocol) -> Int {
        var total = 0
        for ch in s { total += width(of: ch) }
        return total
    }

    /// The character as it may be sent to the terminal: control characters replaced.
    public static func sanitize(_ ch: Character) -> Character {
        for s in ch.unicodeScalars where width(of: s) < 0 { return replacement }
        return ch
    }

    public static func sanitize(_ s: String) -> String {
        String(s.map(sanitize))
    }

    /// At most `cells` cells of `s`; if cut, the last cell becomes "…". Never splits a
    /// cluster or a wide character (a wide character that does not fit leaves a gap that
    /// `pad` fills).
    public static func truncate(_ s: String, to cells: Int, ellipsis useEllipsis: Bool = true) -> String {
        guard cells > 0 else { return "" }
        if width(s) <= cells { return s }
        let budget = useEllipsis ? cells - 1 : cells
        var out = ""
        var used = 0
        for ch in s {
            let w = width(of: ch)
            if used + w > budget { break }
            out.append(ch)
            used += w
        }
        if useEllipsis { out.append(ellipsis) }
        return out
    }

    /// Exactly `cells` cells: truncated with an ellipsis if longer, padded with spaces.
    public static func fit(_ s: String, to cells: Int, alignRight: Bool = false) -> String {
        let t = truncate(s, to: cells)
        let gap = max(0, cells - width(t))
        let spaces = String(repeating: " ", count: gap)
        return alignRight ? spaces + t : t + spaces
    }

    /// Splits text into lines of at most `cells` cells, breaking at spaces where possible.
    public static func wrap(_ s: String, to cells: Int) -> [String] {
        guard cells > 0 else { return [] }
        var lines: [String] = []
        for paragraph in s.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                let candidate = line.isEmpty ? String(word) : line + " " + word
                if width(candidate) <= cells {
                    line = candidate
                    continue
                }
                if !line.isEmpty { lines.append(line) }
                var rest = String(word)
                while width(rest) > cells {
                    let head = truncate(rest, to: cells, ellipsis: false)
                    lines.append(head)
                    rest = String(rest.dropFirst(head.count))
                }
                line = rest
            }
            lines.append(line)
        }
        return lines
    }
}

enum TermLocale {
    /// Sets the locale from the environment; if that is not UTF-8 (an SSH session with no
    /// LANG gets "C"), falls back to C.UTF-8 for character handling, since Ward always
    /// speaks UTF-8 to the terminal.
    @discardableResult
    static func ensureUTF8() -> Bool {
        setlocale(LC_ALL, "")
        if isUTF8() { return true }
        setlocale(LC_CTYPE, "C.UTF-8")
        return isUTF8()
    }

    static func isUTF8() -> Bool {
        guard let cs = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: cs).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}
