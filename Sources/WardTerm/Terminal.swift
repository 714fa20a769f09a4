import CNcursesw
import Foundation

/// The ncurses front end. Frames are drawn into a `GridCanvas`, then copied to stdscr
/// and shown with one `doupdate` per batch of input: ncurses compares with what is on
/// the screen and sends only the difference (no `clear()`, which repaints everything).
public final class Terminal {
    /// The frame screens draw on; its size follows the window.
    public private(set) var frame: GridCanvas
    public let theme: Theme
    public private(set) var colorEnabled: Bool
    private var pairs: [Style: (attrs: attr_t, pair: Int16)] = [:]
    private var cursorVisible = true
    /// The function keys this terminal type can send (its terminfo), so the key bar offers
    /// only keys that work here. A vt100's kf5-kf10 are its keypad (ESC O t ...), not keys a
    /// user reads as F5-F10, and no emulator sends them for F5: they count as missing.
    public private(set) var functionKeys: Set<Int> = []

    /// Whether ncurses is active (and endwin still owed). Read by the exit paths.
    nonisolated(unsafe) static var active = false

    /// How long ncurses waits for each further byte of an escape sequence before taking
    /// what it has as Esc (ms). An arrow key whose bytes arrive 150 ms apart (a slow SSH
    /// link) must not throw the user out of a screen, and Esc alone must still answer within
    /// 200 ms: `make bench` reports that figure (docs/adr/0014-escdelay.md).
    public static let escapeDelay: Int32 = 175

    /// Starts ncurses: UTF-8 locale first (initscr reads it), cbreak, no echo, keypad
    /// (F-keys), ESCDELAY (`escapeDelay`), colours from the theme unless
    /// NO_COLOR or the terminal has fewer than 8 colours (then mono attributes).
    public init(theme: Theme, forceMono: Bool = noColorRequested) throws {
        TermLocale.ensureUTF8()
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw TerminalError("the terminal UI needs a terminal on stdin and stdout")
        }
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        // newterm, not initscr: initscr exits the process on an unknown TERM.
        guard !term.isEmpty, shim_newterm() != nil else {
            throw TerminalError("cannot use terminal type '\(term.isEmpty ? "(TERM not set)" : term)'")
        }
        Terminal.active = true
        // A terminal that cannot move the cursor (TERM=dumb) would print the frame as a
        // stream of lines: refuse it clearly instead.
        let cup = tigetstr("cup")
        if cup == nil || Int(bitPattern: cup) == -1 {
            Terminal.restore()
            throw TerminalError("terminal type '\(term)' cannot position the cursor; Ward needs a full-screen terminal")
        }
        cbreak()
        noecho()
        nonl()
        keypad(shim_stdscr(), true)
        nodelay(shim_stdscr(), true)
        // Bracketed paste: the terminal wraps a paste in ESC[200~ ... ESC[201~, read here as
        // one `.paste` key (a 64 KB note is one insert, not 64,000 keys and redraws).
        define_key("\u{1B}[200~", Terminal.pasteStart)
        define_key("\u{1B}[201~", Terminal.pasteEnd)
        Terminal.send("\u{1B}[?2004h")
        set_escdelay(Terminal.escapeDelay)
        var useColor = false
        var effective = theme
        if !forceMono, has_colors(), start_color() == OK, shim_colors() >= 8 {
            useColor = true
            use_default_colors()
        }
        if !useColor && !theme.isMonochrome {
            effective = (try? Theme.resolve("mono")) ?? Theme.builtinMono
        }
        self.theme = effective
        self.colorEnabled = useColor
        frame = GridCanvas(rows: Int(shim_lines()), cols: Int(shim_cols()))
        functionKeys = Set((1...24).filter { n in
            guard let s = tigetstr("kf\(n)"), Int(bitPattern: s) != -1 else { return false }
            return n <= 4 || !String(cString: s).hasPrefix("\u{1B}O")
        })
        setUpStyles()
    }

    /// Whether the user can press `key` on this terminal.
    public func has(_ key: Key) -> Bool {
        if case .function(let n) = key { return functionKeys.contains(n) }
        return true
    }

    private func setUpStyles() {
        var next: Int16 = 1
        for style in Style.allCases {
            let ap = theme.appearance(style)
            var attrs = shim_a_normal()
            if ap.attributes.contains(.bold) { attrs |= shim_a_bold() }
            if ap.attributes.contains(.reverse) { attrs |= shim_a_reverse() }
            if ap.attributes.contains(.underline) { attrs |= shim_a_underline() }
            if ap.attributes.contains(.dim) { attrs |= shim_a_dim() }
            var pair: Int16 = 0
            if colorEnabled, ap.usesColor, Int32(next) < shim_color_pairs() {
                var bold = false
                let fg = number(ap.foreground, bright: &bold)
                var unused = false
                let bg = number(ap.background, bright: &unused)
                if bold { attrs |= shim_a_bold() } // bright colours on an 8-colour terminal
                init_pair(next, fg, bg)
                pair = next
                next += 1
            }
            pairs[style] = (attrs, pair)
        }
    }

    /// A palette number the terminal has; bright colours fall back to bold + basic.
    private func number(_ c: Color, bright: inout Bool) -> Int16 {
        switch c {
        case .terminalDefault: return -1
        case .index(let n):
            if n < shim_colors() { return Int16(n) }
            if n >= 8 && n < 16 { bright = true; return Int16(n - 8) }
            return -1
        }
    }

    /// Re-reads the window size after KEY_RESIZE (ncurses has already resized stdscr).
    public func updateSize() {
        let r = Int(shim_lines()), c = Int(shim_cols())
        if r != frame.rows || c != frame.cols { frame = GridCanvas(rows: r, cols: c) }
    }

    /// Copies the frame to the terminal and updates it once.
    public func present(forceRepaint: Bool = false) {
        if forceRepaint { clearok(shim_stdscr(), true) }
        let cells = frame.cells
        for r in 0..<frame.rows {
            var c = 0
            while c < frame.cols {
                let style = cells[r][c].style
                var text: [wchar_t] = []
                let start = c
                while c < frame.cols, cells[r][c].style == style {
                    for s in cells[r][c].text.unicodeScalars { text.append(wchar_t(bitPattern: s.value)) }
                    c += 1
                }
                text.append(0)
                let p = pairs[style] ?? (shim_a_normal(), 0)
                shim_set_style(p.attrs, p.pair)
                // Writing the bottom-right cell returns ERR (the cursor cannot advance);
                // the cell is still drawn.
                _ = mvaddwstr(Int32(r), Int32(start), text)
            }
        }
        shim_set_style(shim_a_normal(), 0)
        if let cur = frame.cursor {
            move(Int32(cur.row), Int32(cur.col))
            if !cursorVisible { curs_set(1); cursorVisible = true }
        } else if cursorVisible {
            curs_set(0)
            cursorVisible = false
        }
        wnoutrefresh(shim_stdscr())
        doupdate()
    }

    /// Key codes ncurses gives the bracketed paste markers (define_key; above its own codes).
    static let pasteStart: Int32 = 0x7E00, pasteEnd: Int32 = 0x7E01

    private static func send(_ s: String) {
        _ = s.withCString { write(1, $0, strlen($0)) }
    }

    /// The text of a paste, up to its end marker (or a second without more).
    private func readPaste() -> Key {
        wtimeout(shim_stdscr(), 1000)
        defer { nodelay(shim_stdscr(), true) }
        var scalars = String.UnicodeScalarView()
        while true {
            var ch: wint_t = 0
            let rc = wget_wch(shim_stdscr(), &ch)
            if rc == ERR || (rc == KEY_CODE_YES && Int32(ch) == Terminal.pasteEnd) { break }
            if rc == KEY_CODE_YES {
                if Int32(ch) == KEY_ENTER { scalars.append("\n") }
                continue
            }
            if let s = Unicode.Scalar(UInt32(ch)) { scalars.append(s) }
        }
        return .paste(String(scalars))
    }

    /// Reads one key without waiting; nil when there is none.
    public func readKey() -> Key?? {
        var ch: wint_t = 0
        let rc = wget_wch(shim_stdscr(), &ch)
        if rc == ERR { return nil }
        if rc == KEY_CODE_YES, Int32(ch) == Terminal.pasteStart { return .some(readPaste()) }
        if rc == KEY_CODE_YES, Int32(ch) == Terminal.pasteEnd { return .some(nil) }
        return .some(Key.decode(UInt32(ch), isKeyCode: rc == KEY_CODE_YES))
    }

    /// Leaves curses: echo back on, cursor visible, normal screen. Safe to call twice.
    public static func restore() {
        guard active else { return }
        active = false
        curs_set(1)
        endwin()
        send("\u{1B}[?2004l")
        shim_fflush_stdout()
    }
}

public struct TerminalError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// ncurses key codes to keys.
enum KeyCodes {
    static func key(for code: Int32) -> Key? {
        if code > shim_key_f(0) && code <= shim_key_f(24) { return .function(Int(code - shim_key_f(0))) }
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_IC: return .insert
        case KEY_DC: return .delete
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        default: return nil
        }
    }
}
