/// One screen of the application (login, patient search, the help screen, a dialog).
///
/// A screen declares its actions (one list: the key bar and help come from it), draws
/// its content region, and reacts to keys and actions. The `UI` owns the top bar, the
/// message line and the key bar; the screen gets the region in between.
///
/// Key handling order: `handleKey` first (so a focused text field gets printable keys,
/// even "q" and "?"), then the screen's actions, then the global actions.
public protocol Screen: AnyObject {
    /// Shown in the top bar.
    var title: String { get }
    /// This screen's actions, scope `.screen(...)`. Default: none.
    var actions: [Action] { get }
    /// Drawn on top of the screen below (dialogs), not instead of it. Default: false.
    var isOverlay: Bool { get }
    /// Draws the content region; `canvas` is exactly that region, (0, 0) its top left.
    /// Called for every frame: keep it a pure function of the screen's state.
    func draw(_ canvas: Canvas, ui: UI)
    /// A key before action lookup; return true if used. Default: false.
    func handleKey(_ key: Key, ui: UI) -> Bool
    /// One of this screen's actions (or a global one the UI does not handle itself)
    /// was triggered. Return false if not handled. Default: false.
    func perform(_ action: Action, ui: UI) -> Bool
    /// Now on top of the stack (pushed, or the screen above was popped).
    func didAppear(ui: UI)
    /// About to leave the stack (popped or replaced): cancel timers, unwatch sockets.
    func willDisappear(ui: UI)
}

public extension Screen {
    var actions: [Action] { [] }
    var isOverlay: Bool { false }
    func handleKey(_ key: Key, ui: UI) -> Bool { false }
    func perform(_ action: Action, ui: UI) -> Bool { false }
    func didAppear(ui: UI) {}
    func willDisappear(ui: UI) {}
}
