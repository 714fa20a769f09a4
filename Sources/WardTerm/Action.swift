/// Where an action applies: everywhere, or on one screen (by the screen's scope name).
public enum ActionScope: Hashable, Sendable, CustomStringConvertible {
    case global
    case screen(String)

    public var description: String {
        switch self {
        case .global: return "global"
        case .screen(let name): return name
        }
    }
}

/// An action's identity. Each id is declared once, as a static constant (the engine's here,
/// the screens' in WardScreens/ActionIDs.swift), and screens switch on those constants, so a
/// misspelt id does not compile. `name` is what `[keys]` in the config file uses.
public struct ActionID: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    public static let help = ActionID("help")
    public static let redraw = ActionID("redraw")
    public static let quit = ActionID("quit")
    /// A screen's "back" pops it unless the screen handles it itself (to ask first).
    public static let back = ActionID("back")
    public static let yes = ActionID("yes")
    public static let no = ActionID("no")
    public static let close = ActionID("close")
    public static let scrollDown = ActionID("scroll-down")
    public static let scrollUp = ActionID("scroll-up")
}

/// Something the user can do with a key. Key bindings, the key bar and the help screen
/// are all generated from lists of these: one list per scope, so they cannot disagree.
public struct Action: Hashable, Sendable {
    /// Stable identifier, used by screens in `perform`; its name by `[keys]` in the config file.
    public var id: ActionID
    public var name: String { id.name }
    /// Default keys; the config file may replace them by action name.
    public var keys: [Key]
    /// One or two words for the key bar ("Search").
    public var label: String
    /// One sentence for the help screen.
    public var help: String
    public var scope: ActionScope
    /// False for actions that should be in the help but would crowd the key bar
    /// (cursor movement, for instance).
    public var inKeyBar: Bool
    /// The session permissions the action needs, all of them; the UI offers it (keys, key
    /// bar, help) only when `UI.may` grants each (and the database checks again).
    public var needs: [String]

    public init(_ id: ActionID, keys: [Key], label: String, help: String,
                scope: ActionScope, inKeyBar: Bool = true, needs: [String] = []) {
        self.id = id
        self.needs = needs
        self.keys = keys
        self.label = label
        self.help = help
        self.scope = scope
        self.inKeyBar = inKeyBar
    }

    /// "F1" or "F1/?" style key text for the help screen.
    public var keyText: String { keys.map(\.description).joined(separator: " ") }
}

/// The actions every screen has, handled by the UI itself.
public enum StandardActions {
    public static let help = Action(.help, keys: [.function(1), .char("?")], label: "Help",
                                    help: "Show the keys of this screen", scope: .global)
    public static let redraw = Action(.redraw, keys: [.ctrl("l")], label: "Redraw",
                                      help: "Redraw the whole screen", scope: .global, inKeyBar: false)
    /// ^X where F10 is missing (a vt100); never ^S or ^Q, which serial lines use for flow control.
    public static let quit = Action(.quit, keys: [.function(10), .ctrl("x")], label: "Quit",
                                    help: "Leave Ward", scope: .global)

    public static let global: [Action] = [help, redraw, quit]
}

/// User key bindings from the config file, applied by action name.
public struct Keymap: Sendable {
    /// Action name (or "scope.name" for one screen only) → keys.
    public var overrides: [String: [Key]]
    /// Where each override came from, for error messages ("FILE:LINE").
    public var origins: [String: String]

    public init(overrides: [String: [Key]] = [:], origins: [String: String] = [:]) {
        self.overrides = overrides
        self.origins = origins
    }

    /// The actions with the user's keys in place of the defaults.
    public func apply(_ actions: [Action]) -> [Action] {
        actions.map { a in
            var a = a
            if let keys = overrides["\(a.scope).\(a.name)"] ?? overrides[a.name] { a.keys = keys }
            return a
        }
    }

    /// Fails on a binding that names no known action: a typo must not be silently ignored.
    public func validate(against known: [Action]) throws {
        let names = Set(known.map(\.name) + known.map { "\($0.scope).\($0.name)" })
        for name in overrides.keys.sorted() where !names.contains(name) {
            let origin = origins[name].map { $0 + ": " } ?? ""
            throw ConfigError("\(origin)unknown action '\(name)' in [keys]; known actions: "
                              + Set(known.map(\.name)).sorted().joined(separator: ", "))
        }
    }
}

/// Finds the action bound to a key: the screen's own list first, then the global one.
public func action(for key: Key, in lists: [[Action]]) -> Action? {
    for list in lists {
        if let a = list.first(where: { $0.keys.contains(key) }) { return a }
    }
    return nil
}
