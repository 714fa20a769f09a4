import Foundation
import Glibc

/// The kind of a message-line message (its style).
public enum MessageKind: Sendable {
    case info, success, warning, error

    var style: Style {
        switch self {
        case .info: return .normal
        case .success: return .success
        case .warning: return .warning
        case .error: return .error
        }
    }
}

/// Readiness an fd watch waits for.
public struct FDEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let read = FDEvents(rawValue: Int16(POLLIN))
    public static let write = FDEvents(rawValue: Int16(POLLOUT))
    /// Reported only: the other end hung up or the fd failed.
    public static let hangup = FDEvents(rawValue: Int16(POLLHUP | POLLERR | POLLNVAL))
}

public struct TimerID: Hashable, Sendable { let raw: Int }
public struct WatchID: Hashable, Sendable { let raw: Int }

/// The application runtime that screens talk to: the screen stack, the message line,
/// the busy indicator, timers, fd watches (the database socket), and the event loop.
///
/// Everything runs on the one thread that called `run()`: handlers are called from the
/// loop, never concurrently, so screens need no locks.
public final class UI {
    public let theme: Theme
    public let config: WardConfig
    /// Global actions after the user's key bindings are applied.
    public private(set) var globalActions: [Action]
    /// Below this size only "terminal too small (needs WxH)" is shown.
    public var minimumSize = (cols: 80, rows: 24)

    // Top bar contents, set by the screens (after login, for instance).
    public var clinic = ""
    public var user = ""
    public var role = ""
    /// What the top bar says about the database link instead of the clinic and user while it
    /// is down ("Reconnecting to db1, db2…"); empty when all is well.
    public var connectionStatus = ""
    /// The clock text in the top bar (replaceable in tests), and the clock it reads, whose
    /// minute boundaries wake the loop (a pinned clock's minutes need not be the host's).
    public var clockText: () -> String = { UI.clockFormatter.string(from: Date()) }
    public var clockNow: () -> Date = { Date() }
    private static let clockFormatter: DateFormatter = {
        let f = DateFormatter()
        f.dateFormat = "HH:mm"
        return f
    }()

    public private(set) var stack: [Screen] = []
    public private(set) var message: (text: String, kind: MessageKind)?
    public private(set) var busyLabel: String?
    var spinnerPhase = 0

    private var timers: [Int: (deadline: Double, interval: Double?, body: () -> Void)] = [:]
    private var watches: [Int: (fd: Int32, events: FDEvents, handler: (FDEvents) -> Void)] = [:]
    private var nextID = 1
    private var quitCode: Int32?
    private var failure: Error?
    private var forceRepaint = false
    private var lastKeyTime = UI.monotonicNow()
    private var idleHook: (seconds: Double, handler: () -> Void, fired: Bool)?
    private var spinnerTimer: TimerID?
    private var busyDelay: TimerID?
    /// Called for global actions the UI does not handle itself and the screen declines.
    public var onGlobalAction: ((Action, UI) -> Void)?
    /// Called when a screen leaves the stack for good (popped or replaced, not covered), after
    /// its `willDisappear`: the app drops the requests it made.
    public var onScreenGone: ((Screen) -> Void)?

    public init(theme: Theme, config: WardConfig = WardConfig(),
                globalActions: [Action] = StandardActions.global) {
        self.theme = theme
        self.config = config
        self.globalActions = config.keymap.apply(globalActions)
    }

    // MARK: Screens

    public var top: Screen? { stack.last }

    public func push(_ screen: Screen) {
        stack.append(screen)
        screen.didAppear(ui: self)
    }

    public func pop() {
        guard let s = stack.popLast() else { return }
        s.willDisappear(ui: self)
        onScreenGone?(s)
        top?.didAppear(ui: self)
    }

    /// Replaces the top screen (login → main menu).
    public func replaceTop(with screen: Screen) {
        if let s = stack.popLast() { s.willDisappear(ui: self); onScreenGone?(s) }
        push(screen)
    }

    /// Whether the terminal can send a key (Terminal.has; tests: every key). Keys it cannot
    /// send are left out of what is shown (key bar, help, hints), so on a vt100 the key bar
    /// names ^F where an xterm's names F5.
    public var keyWorks: (Key) -> Bool = { _ in true }

    /// The actions with only the keys this terminal can send.
    func usable(_ actions: [Action]) -> [Action] {
        actions.map { a in
            var a = a
            a.keys = a.keys.filter(keyWorks)
            return a
        }
    }

    /// Whether the session holds a permission (StaffApp sets it at login); an action whose
    /// `needs` it does not grant is not offered anywhere.
    public var may: (String) -> Bool = { _ in true }

    /// A screen's actions the session may use, with the user's key bindings applied: the one
    /// place where actions are filtered by permission.
    public func actions(of screen: Screen) -> [Action] {
        usable(config.keymap.apply(screen.actions.filter { $0.needs.allSatisfy(may) }))
    }

    /// Opens the generated help for the top screen.
    public func showHelp() {
        guard let s = top, !(s is HelpScreen) else { return }
        push(HelpScreen(for: s.title, actions: actions(of: s), global: usable(globalActions)))
    }

    /// Asks yes/no in a modal dialog; exactly one of the closures runs.
    public func confirm(title: String, message: String, yesLabel: String = "Yes",
                        onYes: @escaping (UI) -> Void, onNo: @escaping (UI) -> Void = { _ in }) {
        push(ConfirmDialog(title: title, message: message, yesLabel: yesLabel, onYes: onYes, onNo: onNo))
    }

    /// Ends the loop after this event; `run()` returns `code`.
    public func quit(_ code: Int32 = 0) { quitCode = code }

    /// Ends the loop and makes `run()` throw `error` (after the terminal is restored).
    public func fail(_ error: Error) { failure = error; quitCode = 1 }

    /// Registers a cleanup that runs on every way out (see `ExitPath`): after a signal,
    /// at process exit, or when `ExitPath.cleanUp()` is called.
    public func addCleanup(_ hook: @escaping () -> Void) { ExitPath.addCleanup(hook) }

    // MARK: Message line and busy indicator

    /// Shows a message until the next key (errors included: the user has seen it by then).
    public func show(_ text: String, kind: MessageKind = .info) {
        message = (text, kind)
    }

    public func clearMessage() { message = nil }

    /// Shows a spinner and a label ("Searching") at the right of the message line while a
    /// slow query runs; nil hides it.
    public func setBusy(_ label: String?) {
        if let t = busyDelay { cancel(t) }
        busyDelay = nil
        busyLabel = label
        if label != nil, spinnerTimer == nil {
            spinnerTimer = after(0.25, repeating: 0.25) { ui in ui.spinnerPhase += 1 }
        } else if label == nil, let t = spinnerTimer {
            cancel(t)
            spinnerTimer = nil
        }
    }

    /// The same, shown only if the query is still running after `delay`: an answer as fast
    /// as typing would only make the label flicker (and cost bytes over SSH).
    public func setBusy(_ label: String, after delay: Double) {
        if let t = busyDelay { cancel(t) }
        busyDelay = after(delay) { ui in ui.setBusy(label) }
    }

    // MARK: Timers, fds, idle

    /// Runs `body` after `seconds`, and then every `repeating` seconds if given.
    @discardableResult
    public func after(_ seconds: Double, repeating: Double? = nil, _ body: @escaping (UI) -> Void) -> TimerID {
        let id = nextID; nextID += 1
        timers[id] = (UI.monotonicNow() + max(0, seconds), repeating.map { max(0.01, $0) }, { [unowned self] in body(self) })
        return TimerID(raw: id)
    }

    public func cancel(_ timer: TimerID) { timers[timer.raw] = nil }

    /// Calls `handler` from the loop whenever `fd` is ready for `events` (a libpq socket
    /// while a query is in flight: `.read`; `.write` while PQflush has more to send).
    @discardableResult
    public func watch(fd: Int32, for events: FDEvents = .read, _ handler: @escaping (FDEvents) -> Void) -> WatchID {
        let id = nextID; nextID += 1
        watches[id] = (fd, events, handler)
        return WatchID(raw: id)
    }

    public func unwatch(_ id: WatchID) { watches[id.raw] = nil }

    /// Seconds since the last key press.
    public var idleSeconds: Double { UI.monotonicNow() - lastKeyTime }

    /// Calls `handler` once when no key was pressed for `seconds` (the idle lock); it is
    /// re-armed by the next key press. `nil` seconds removes it.
    public func onIdle(after seconds: Double?, _ handler: @escaping () -> Void = {}) {
        idleHook = seconds.map { ($0, handler, false) }
    }

    static func monotonicNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: Drawing

    /// Draws the whole frame: top bar, the screens, message line, key bar; or only the
    /// "too small" notice.
    public func render(into canvas: GridCanvas) {
        canvas.clear()
        let rows = canvas.rows, cols = canvas.cols
        if cols < minimumSize.cols || rows < minimumSize.rows {
            let text = "terminal too small (needs \(minimumSize.cols)x\(minimumSize.rows))"
            if TextWidth.width(text) <= cols, rows > 0 {
                canvas.putCentered(text, row: rows / 2, style: .warning)
            } else {
                canvas.put(text, row: 0, col: 0, style: .warning)
            }
            return
        }
        let title = top?.title ?? ""
        TopBar(title: title, clinic: clinic, user: user, role: role, clock: clockText(), status: connectionStatus)
            .draw(canvas, row: 0)
        let content = canvas.region(Rect(row: 1, col: 0, rows: rows - 3, cols: cols))
        // Draw from the last full screen up, so overlays sit on top of it.
        let firstFull = stack.lastIndex(where: { !$0.isOverlay }) ?? 0
        for s in stack.suffix(from: min(firstFull, stack.count)) {
            canvas.setCursor(row: -1, col: -1)
            s.draw(content, ui: self)
        }
        MessageLine.draw(canvas, row: rows - 2, message: message, busy: busyLabel, phase: spinnerPhase)
        KeyBar.draw(canvas, row: rows - 1, items: keyBarActions())
    }

    /// The actions shown in the key bar: Help first, the screen's own, then the others.
    public func keyBarActions() -> [Action] {
        let mine = top.map { actions(of: $0) } ?? []
        let global = usable(globalActions)
        let help = global.filter { $0.id == .help }
        let rest = global.filter { $0.id != .help }
        if top is HelpScreen || top?.isOverlay == true { return mine.filter { $0.inKeyBar && !$0.keys.isEmpty } }
        return (help + mine + rest).filter { $0.inKeyBar && !$0.keys.isEmpty }
    }

    var isTooSmall: Bool = false

    // MARK: Keys

    /// Handles one key as the loop would (tests call this directly).
    public func handle(_ key: Key) {
        lastKeyTime = UI.monotonicNow()
        if var h = idleHook { h.fired = false; idleHook = h }
        if key == .resize { forceRepaint = true; return }
        message = nil // shown until the next key: by then the user has seen it
        if isTooSmall {
            // Blind typing into a screen nobody can see helps no one; only quit works.
            if let a = action(for: key, in: [globalActions] + (top.map { [actions(of: $0)] } ?? [])), a.id == .quit {
                if !(top?.perform(a, ui: self) ?? false) { quit(0) }
            }
            return
        }
        guard let screen = top else { return }
        if screen.handleKey(key, ui: self) { return }
        if let a = action(for: key, in: [actions(of: screen)]) {
            // "back" pops the screen unless the screen handles it itself (to ask first).
            if !screen.perform(a, ui: self), a.id == .back { pop() }
            return
        }
        if let a = action(for: key, in: [globalActions]) {
            if screen.perform(a, ui: self) { return }
            switch a.id {
            case .help: showHelp()
            case .redraw: forceRepaint = true
            case .quit: quit(0)
            default: onGlobalAction?(a, self)
            }
        }
    }

    // MARK: The loop

    /// Starts the terminal and runs until `quit` (returns the code) or `fail` (throws).
    /// The terminal is restored on every way out; SIGINT, SIGTERM and SIGHUP end the
    /// process with status 128 + signal after the cleanup hooks have run.
    public func run() throws -> Int32 {
        ExitPath.installSignalHandlers()
        let term = try Terminal(theme: theme)
        defer { Terminal.restore() }
        keyWorks = term.has
        scheduleClock()
        while quitCode == nil {
            term.updateSize()
            isTooSmall = term.frame.cols < minimumSize.cols || term.frame.rows < minimumSize.rows
            render(into: term.frame)
            term.present(forceRepaint: forceRepaint)
            forceRepaint = false
            waitAndDispatch(term)
        }
        if let f = failure { throw f }
        return quitCode ?? 0
    }

    /// The top bar clock changes once a minute: wake at the minute boundary, not every second.
    private func scheduleClock() {
        let now = clockNow().timeIntervalSince1970
        let next = 60 - now.truncatingRemainder(dividingBy: 60) + 0.05
        after(next) { ui in ui.scheduleClock() }
    }

    private func waitAndDispatch(_ term: Terminal) {
        var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: ExitPath.pipeRead, events: Int16(POLLIN), revents: 0)]
        let watchList = watches.sorted { $0.key < $1.key }
        for (_, w) in watchList { fds.append(pollfd(fd: w.fd, events: w.events.rawValue, revents: 0)) }
        let timeout = pollTimeout()
        let n = poll(&fds, nfds_t(fds.count), timeout)
        if n < 0 && errno != EINTR { fail(TerminalError("poll failed: \(String(cString: strerror(errno)))")); return }
        if fds[1].revents & Int16(POLLIN) != 0, let sig = ExitPath.pendingSignal() {
            ExitPath.exitForSignal(sig)
        }
        // Always drain the keyboard: after SIGWINCH poll returns EINTR and ncurses has a
        // KEY_RESIZE waiting. Read until ERR so a paste is one batch and one redraw.
        var gotKey = false
        while let k = term.readKey() {
            gotKey = true
            if let key = k { handle(key) }
            if quitCode != nil { return }
        }
        if !gotKey, fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
            // The terminal went away without a SIGHUP.
            ExitPath.exitForSignal(SIGHUP)
        }
        for (i, (id, w)) in watchList.enumerated() {
            let r = fds[i + 2].revents
            guard r != 0, watches[id] != nil else { continue }
            w.handler(FDEvents(rawValue: r))
        }
        fireDueTimers(now: UI.monotonicNow())
        checkIdle()
    }

    private func pollTimeout() -> Int32 {
        var deadline = timers.values.map(\.deadline).min()
        if let h = idleHook, !h.fired {
            let d = lastKeyTime + h.seconds
            deadline = min(deadline ?? d, d)
        }
        guard let d = deadline else { return -1 }
        return Int32(max(0, min(3_600_000, ((d - UI.monotonicNow()) * 1000).rounded(.up))))
    }

    func fireDueTimers(now: Double) {
        for (id, t) in timers.sorted(by: { $0.value.deadline < $1.value.deadline }) where t.deadline <= now {
            guard timers[id] != nil else { continue } // cancelled by an earlier timer
            if let iv = t.interval {
                timers[id]?.deadline = max(t.deadline + iv, now)
            } else {
                timers[id] = nil
            }
            t.body()
        }
    }

    private func checkIdle() {
        guard let h = idleHook, !h.fired, idleSeconds >= h.seconds else { return }
        idleHook?.fired = true
        h.handler()
    }
}

/// Looks up as the user types, without waiting for a pause: the keys of one batch (what
/// one read of the terminal delivers, a paste or fast typing) give one lookup, at most one
/// is in flight, and text typed meanwhile is looked up once the answer arrives. A lookup in
/// flight is not cancelled for newer text, so every audited search that was sent is shown.
public final class AsYouType {
    /// A lookup waits for the end of this batch of keys, is in flight, or must be redone.
    private var scheduled: TimerID?
    public private(set) var inFlight = false, stale = false
    private let lookUp: (UI) -> Bool

    /// `lookUp` sends the request and returns true, or returns false when there is nothing
    /// to ask; the request's completion then calls `answered`.
    public init(_ lookUp: @escaping (UI) -> Bool) { self.lookUp = lookUp }

    /// The text changed.
    public func changed(_ ui: UI) {
        guard scheduled == nil else { return }
        scheduled = ui.after(0) { [weak self] ui in
            self?.scheduled = nil
            self?.start(ui)
        }
    }

    public func answered(_ ui: UI) {
        inFlight = false
        if stale {
            stale = false
            start(ui)
        }
    }

    /// Nothing more to look up: leaving the screen, an emptied field, or the request in
    /// flight cancelled or replaced by the screen.
    public func reset(_ ui: UI) {
        if let t = scheduled { ui.cancel(t) }
        scheduled = nil
        inFlight = false
        stale = false
    }

    private func start(_ ui: UI) {
        guard !inFlight else { stale = true; return }
        inFlight = lookUp(ui)
    }
}
