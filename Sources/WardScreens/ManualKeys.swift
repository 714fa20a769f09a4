import WardTerm

/// The KEYS section of man/ward.1, generated from the action lists (as tig generates its
/// manual's action table), so the manual names every action `[keys]` can rebind and its
/// default keys. ManualKeysTests fails when the page differs, and rewrites it with
/// WARD_UPDATE_MAN=1.
public enum ManualKeys {
    public static let begin = ".\\\" BEGIN KEYS: generated from the action lists by ManualKeys.swift; do not edit"
    public static let end = ".\\\" END KEYS"

    /// The section in mdoc, between the two marker comments.
    public static func section(global: [Action] = StaffApp.globalActions,
                               screens: [Action] = StaffApp.allActions) -> String {
        var out = [begin, ".Sh KEYS",
                   "Every action below has a name, which the",
                   ".Cm [keys]",
                   "table of the configuration file rebinds (name, or screen.name for one screen).",
                   "Keys a terminal cannot send (F5 to F10 on a vt100) are left out of its key bar;",
                   "each action also has a key every terminal has."]
        var scopes: [String] = []
        var byScope: [String: [Action]] = [:]
        for a in global + screens.filter({ $0.scope != .global }) {
            let s = a.scope.description
            if byScope[s] == nil { scopes.append(s) }
            if byScope[s]?.contains(where: { $0.id == a.id }) == true { continue }
            byScope[s, default: []].append(a)
        }
        for s in scopes {
            out.append(".Ss \(s == "global" ? "Everywhere" : "Screen " + s)")
            out.append(".Bl -tag -width Ds")
            for a in byScope[s] ?? [] {
                out.append(".It Cm \(a.name)")
                // One sentence a line, as mdoc wants.
                out.append(escape(a.help.hasSuffix(".") ? a.help : a.help + "."))
                out.append(escape("Keys: \(a.keys.map(\.description).joined(separator: ", "))."))
            }
            out.append(".El")
        }
        out.append(end)
        return out.joined(separator: "\n")
    }

    /// Text safe on its own line in mdoc: backslashes escaped, no leading dot or quote.
    static func escape(_ s: String) -> String {
        let t = s.replacingOccurrences(of: "\\", with: "\\e")
        return t.hasPrefix(".") || t.hasPrefix("'") ? "\\&" + t : t
    }
}
