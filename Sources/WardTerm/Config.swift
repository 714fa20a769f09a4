import Foundation
import TOMLKit

/// The order dates are shown and typed in. ISO 8601 is always accepted when typing.
public enum DateOrder: String, Sendable {
    case dmy, mdy, iso

    static func parse(_ s: String) -> DateOrder? {
        switch s.lowercased() {
        case "dmy", "dd/mm/yyyy": return .dmy
        case "mdy", "mm/dd/yyyy": return .mdy
        case "iso", "ymd", "yyyy-mm-dd": return .iso
        default: return nil
        }
    }
}

/// The user's settings from `config.toml`:
///
///     theme = "high-contrast"          # a name or a path
///     clinic = "northside"             # pre-filled on the login screen
///     dsn = "host=db.example dbname=ward"
///     idle_lock_minutes = 10           # 0 turns the idle lock off
///     date_order = "dmy"               # dmy, mdy or iso (or DD/MM/YYYY ...)
///     key_file = "/etc/ward/master.key" # the master key (WARD_KEY_FILE wins)
///     [keys]
///     search = "F3"
///     quit = ["q", "F10"]
public struct WardConfig: Sendable {
    public var path: String?
    public var theme: String?
    public var clinic: String?
    public var dsn: String?
    public var idleLockMinutes: Int = 10
    public var dateOrder: DateOrder?
    public var keyFile: String?
    public var keymap = Keymap()

    public init() {}

    /// `$XDG_CONFIG_HOME/ward/config.toml`, or `~/.config/ward/config.toml`.
    public static func defaultPath() -> String {
        let env = ProcessInfo.processInfo.environment
        if let x = env["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/ward/config.toml" }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/ward/config.toml"
    }

    /// Loads `explicitPath` (which must exist), or the default path if it exists,
    /// or returns the defaults.
    public static func load(explicitPath: String? = nil) throws -> WardConfig {
        let path = explicitPath ?? defaultPath()
        guard FileManager.default.fileExists(atPath: path) else {
            if explicitPath != nil { throw ConfigError("\(path): no such config file") }
            return WardConfig()
        }
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("\(path): cannot read the config file")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String) throws -> WardConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ConfigError("\(source):\(e.source.begin.line): \(e.description)")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // TOMLKit does not say where a value was; find the line that sets the key.
        func at(_ key: String, section: String? = nil) -> String {
            var inSection = section == nil
            for (i, raw) in lines.enumerated() {
                let l = raw.trimmingCharacters(in: .whitespaces)
                if l.hasPrefix("[") { inSection = l == "[\(section ?? "")]"; continue }
                guard inSection else { continue }
                let k = l.split(separator: "=", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) }
                if k == key || k == "\"\(key)\"" { return "\(source):\(i + 1)" }
            }
            return source
        }
        var c = WardConfig()
        c.path = source
        for key in table.keys {
            let v = table[key]!
            func string() throws -> String {
                guard let s = v.string else { throw ConfigError("\(at(key)): '\(key)' must be a string") }
                return s
            }
            switch key {
            case "theme": c.theme = try string()
            case "clinic": c.clinic = try string()
            case "dsn": c.dsn = try string()
            case "key_file": c.keyFile = try string()
            case "idle_lock_minutes":
                guard let n = v.int, n >= 0, n <= 24 * 60 else {
                    throw ConfigError("\(at(key)): 'idle_lock_minutes' must be a whole number of minutes (0 turns the lock off)")
                }
                c.idleLockMinutes = n
            case "date_order":
                guard let o = DateOrder.parse(try string()) else {
                    throw ConfigError("\(at(key)): 'date_order' must be \"dmy\", \"mdy\" or \"iso\"")
                }
                c.dateOrder = o
            case "keys":
                guard let keys = v.table else { throw ConfigError("\(at(key)): 'keys' must be a table: [keys]") }
                for action in keys.keys {
                    let where_ = at(action, section: "keys")
                    let val = keys[action]!
                    var specs: [String] = []
                    if let s = val.string {
                        specs = [s]
                    } else if let arr = val.array {
                        for item in arr {
                            guard let s = item.string else {
                                throw ConfigError("\(where_): keys for '\(action)' must be strings")
                            }
                            specs.append(s)
                        }
                    } else {
                        throw ConfigError("\(where_): keys for '\(action)' must be a string or a list of strings")
                    }
                    if specs.isEmpty { throw ConfigError("\(where_): '\(action)' needs at least one key") }
                    var parsed: [Key] = []
                    for s in specs {
                        guard let k = Key.parse(s) else {
                            throw ConfigError("\(where_): '\(s)' is not a key (examples: q, F3, Ctrl-W, Enter, Esc, PgDn)")
                        }
                        parsed.append(k)
                    }
                    c.keymap.overrides[action] = parsed
                    c.keymap.origins[action] = where_
                }
            default:
                throw ConfigError("\(at(key)): unknown setting '\(key)'; known: theme, clinic, dsn, idle_lock_minutes, date_order, [keys]")
            }
        }
        return c
    }
}

public struct ConfigError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// Chooses the theme: `--theme`, then `WARD_THEME`, then the config file, then "default".
/// Colour is dropped (the mono theme) when NO_COLOR is set or the terminal has fewer
/// than 8 colours; that last check happens when the terminal starts.
public func chooseTheme(flag: String?, config: WardConfig) throws -> Theme {
    let env = ProcessInfo.processInfo.environment
    let choice = [flag, env["WARD_THEME"], config.theme].compactMap { $0 }.first { !$0.isEmpty } ?? "default"
    do {
        return try Theme.resolve(choice)
    } catch let e as ThemeError where e.line == 0 && config.theme == choice && flag == nil && env["WARD_THEME"] == nil {
        throw ConfigError("\(config.path ?? "config"): theme '\(choice)': \(e.message)")
    }
}

/// True when the user asked for no colour (https://no-color.org: any non-empty value).
public var noColorRequested: Bool {
    if let v = ProcessInfo.processInfo.environment["NO_COLOR"] { return !v.isEmpty }
    return false
}
