import Foundation

/// A theme: how each semantic element looks.
///
/// File format, one element per line, `#` starts a comment:
///
///     selected_row = black on cyan, bold
///     error        = bright_red, bold
///     muted        = dim
///     key_bar      = on blue
///
/// Colours: default, black, red, green, yellow, blue, magenta, cyan, white, bright_NAME,
/// or a number 0-255. Attributes: bold, reverse, underline, dim. Elements a theme leaves
/// out look like `normal`.
public struct Theme: Sendable {
    public var name: String
    public var source: String
    public var appearances: [Style: Appearance]

    public init(name: String, source: String = "(built in)", appearances: [Style: Appearance]) {
        self.name = name
        self.source = source
        self.appearances = appearances
    }

    public func appearance(_ style: Style) -> Appearance {
        appearances[style] ?? appearances[.normal] ?? Appearance()
    }

    /// True when no element uses a colour (the mono theme).
    public var isMonochrome: Bool { !appearances.values.contains(where: \.usesColor) }

    /// Parses theme text; errors name `source` and the line.
    public static func parse(_ text: String, name: String, source: String) throws -> Theme {
        var result: [Style: Appearance] = [:]
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNo = i + 1
            func fail(_ msg: String) -> ThemeError { ThemeError(file: source, line: lineNo, message: msg) }
            var line = String(rawLine)
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw fail("expected 'element = colours, attributes', got '\(line)'")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            guard let style = Style(rawValue: key) else {
                throw fail("unknown element '\(key)'; known: " + Style.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if result[style] != nil { throw fail("'\(key)' is set twice") }
            var ap = Appearance()
            let parts = line[line.index(after: eq)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.allSatisfy(\.isEmpty) { throw fail("'\(key)' has no value") }
            var sawColor = false
            for part in parts {
                if part.isEmpty { throw fail("empty item in '\(line)'") }
                if let a = Attributes.names.first(where: { $0.0 == part.lowercased() }) {
                    ap.attributes.insert(a.1)
                    continue
                }
                if part.lowercased() == "normal" { continue }
                if sawColor { throw fail("unknown attribute '\(part)' (bold, reverse, underline, dim)") }
                sawColor = true
                let words = part.split(separator: " ").map(String.init)
                var fgWords = words, bgWord: String?
                if let on = words.firstIndex(where: { $0.lowercased() == "on" }) {
                    fgWords = Array(words[..<on])
                    guard on + 2 == words.count else { throw fail("expected 'on COLOUR' in '\(part)'") }
                    bgWord = words[on + 1]
                }
                if fgWords.count > 1 { throw fail("unknown colour '\(fgWords.joined(separator: " "))'") }
                if let f = fgWords.first {
                    guard let c = Color.parse(f) else { throw fail("unknown colour or attribute '\(f)'") }
                    ap.foreground = c
                }
                if let b = bgWord {
                    guard let c = Color.parse(b) else { throw fail("unknown colour '\(b)'") }
                    ap.background = c
                }
            }
            result[style] = ap
        }
        return Theme(name: name, source: source, appearances: result)
    }

    public static func load(path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError(file: path, line: 0, message: "cannot read the theme file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: path, line: 0, message: "the theme file is not UTF-8 text")
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(text, name: name, source: path)
    }

    /// The theme for NAME or PATH. A PATH contains '/' or ends in ".theme"; a NAME is
    /// looked up in `searchDirectories()`. "default" and "mono" always exist: if no file
    /// is found, built-in copies are used, so Ward runs even when installed without themes.
    public static func resolve(_ nameOrPath: String) throws -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            return try load(path: nameOrPath)
        }
        for dir in searchDirectories() {
            let p = dir + "/" + nameOrPath + ".theme"
            if FileManager.default.fileExists(atPath: p) { return try load(path: p) }
        }
        if nameOrPath == "default" { return builtinDefault }
        if nameOrPath == "mono" { return builtinMono }
        let names = availableNames()
        throw ThemeError(file: nameOrPath, line: 0, message: "no such theme; available: "
                         + (names.isEmpty ? "default, mono" : names.joined(separator: ", ")))
    }

    /// Theme names found in the search directories.
    public static func availableNames() -> [String] {
        var names = Set<String>()
        for dir in searchDirectories() {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where f.hasSuffix(".theme") {
                names.insert(String(f.dropLast(6)))
            }
        }
        return names.sorted()
    }

    /// Where theme names are looked up, in order: $WARD_THEME_DIR,
    /// <executable dir>/../share/ward/themes, a themes/ folder found walking up from the
    /// executable (a development build in .build/debug finds the repository's), then
    /// /usr/local/share/ward/themes and /usr/share/ward/themes.
    public static func searchDirectories() -> [String] {
        var dirs: [String] = []
        let env = ProcessInfo.processInfo.environment
        if let d = env["WARD_THEME_DIR"], !d.isEmpty { dirs.append(d) }
        let exe = URL(fileURLWithPath: executablePath()).resolvingSymlinksInPath().deletingLastPathComponent()
        dirs.append(exe.appendingPathComponent("../share/ward/themes").standardized.path)
        var dir = exe
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("themes")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("default.theme").path) {
                dirs.append(candidate.path)
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        dirs += ["/usr/local/share/ward/themes", "/usr/share/ward/themes"]
        return dirs
    }

    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? "."
    }

    /// Copies of themes/default.theme and themes/mono.theme, used when no file is found.
    public static let builtinDefault = try! parse("""
        normal = default on default
        title = bold
        top_bar = black on cyan
        key_bar = black on cyan
        key_bar_key = white on blue, bold
        header = bold, underline
        selected_row = black on cyan, bold
        label = default
        field = default on blue
        field_focused = white on blue, bold
        error = bright_red, bold
        warning = yellow, bold
        success = green
        muted = dim
        border = cyan
        dialog = default on default
        busy = yellow, bold
        help_key = cyan, bold
        """, name: "default", source: "(built-in default)")

    public static let builtinMono = try! parse("""
        normal = normal
        title = bold
        top_bar = reverse
        key_bar = reverse
        key_bar_key = bold
        header = bold, underline
        selected_row = reverse, bold
        label = normal
        field = underline
        field_focused = underline, bold
        error = bold
        warning = bold
        success = bold
        muted = dim
        border = normal
        dialog = normal
        busy = bold
        help_key = bold
        """, name: "mono", source: "(built-in mono)")
}

public struct ThemeError: Error, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String
    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}
