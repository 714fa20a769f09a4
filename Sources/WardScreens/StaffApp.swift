import Foundation
import WardClient
import WardCore
import WardDB
import WardTerm

/// The running terminal: one connection, one session, the screen stack. Screens reach the
/// database only through `app.backend`, the session only through `app.me`.
public final class StaffApp: RequestDisplay {
    public let ui: UI
    public let backend: Backend
    /// The logged-in session; nil on the login screen.
    public private(set) var me: Api.Me?
    public private(set) var clinicCode = ""
    public private(set) var username = ""
    var socketWatch: WatchID?
    var reconnectTimer: TimerID?
    var locked = false
    /// Overrides the config's idle_lock_minutes (tests use a few seconds).
    public var idleLockSeconds: Double?
    /// Unwraps the data keys after login (set by `ward` once it has checked the key file).
    public var masterKey: MasterKey?
    /// Seals and opens encrypted fields with this session's keys (FieldSealer.swift).
    public private(set) var sealer = FieldSealer()

    /// Every action of every screen, for the config's key rebinding check.
    public static let globalActions: [Action] = StandardActions.global
    public static var allActions: [Action] {
        globalActions + LoginScreen.list + MenuScreen.list + PatientSearchScreen.list
            + PatientRecordScreen.list + AuditScreen.list + ImpersonateScreen.list + LockScreen.list
            + RegisterScreen.list + FindElsewhereScreen.list + ConsentScreen.list + NoteListScreen.list + NoteViewScreen.list + NoteEditorScreen.list
            + StaffScreen.list + StaffPasswordScreen.list
            + AppointmentsScreen.list + AppointmentFormScreen.list + AppointmentCancelScreen.list
    }

    public init(ui: UI, connection: Connection) {
        self.ui = ui
        self.backend = Backend(connection: connection)
        // Every screen's requests show and end the same way (RequestDisplay, below).
        backend.display = self
        ui.onScreenGone = { [unowned self] screen in backend.release(owner: screen) }
        ui.may = { [unowned self] permission in may(permission) }
    }

    public var dateOrder: DateOrder { DateOrder(setting: me?.dateOrder) }
    public var clock: ClinicClock { ClinicClock(timeZoneIdentifier: me?.timeZone, server: serverTime) }
    /// The server's clock (ward.now()), read at login and every ten minutes after: the
    /// clinic's date and time come from the database, never from the terminal host.
    public private(set) var serverTime: ServerTime?
    static let serverTimeRefresh = 600.0
    public func may(_ permission: String) -> Bool { me?.permissions.contains(permission) ?? false }

    public func start() {
        backend.watchSocket = { [unowned self] fd in
            if let w = socketWatch { ui.unwatch(w) }
            socketWatch = fd.map { ui.watch(fd: $0) { [unowned self] _ in backend.socketReadable() } }
        }
        backend.onConnectionState = { [unowned self] up in up ? connectionBack() : connectionLost() }
        backend.later = { [unowned self] seconds, body in ui.after(seconds) { _ in body() } }
        ui.push(LoginScreen(app: self))
        // The top bar shows the clinic's time once someone is logged in; before that no
        // clinic, so no zone, is known.
        ui.clockText = { [unowned self] in me == nil ? "" : clock.shortTime(clock.now()) }
        ui.clockNow = { [unowned self] in clock.now() }
        _ = ui.after(Self.serverTimeRefresh, repeating: Self.serverTimeRefresh) { [unowned self] _ in
            if me != nil { readServerTime {} }
        }
        let seconds = idleLockSeconds ?? Double(ui.config.idleLockMinutes * 60)
        if seconds > 0 {
            ui.onIdle(after: seconds) { [unowned self] in lock() }
        }
        // The database ends sessions idle longer than its own limit: tell it the user is here.
        _ = ui.after(30, repeating: 30) { [unowned self] ui in
            if me != nil, !locked, ui.idleSeconds < 30 { backend.submit(Api.touch) { _ in } }
        }
        ui.addCleanup { [weak self] in self?.endSession() }
    }

    /// On the way out (quit, signal, dropped terminal): a request still in flight is
    /// cancelled, so a save waiting in the server is rolled back rather than landing after
    /// the terminal is gone, and the session ends with the terminal instead of waiting for
    /// its idle limit. Each step is bounded: the server may be the reason nothing answers.
    public func endSession(within seconds: Double = 2) {
        let stopped = backend.stop(within: seconds)
        guard me != nil, let token = backend.token, stopped else { return }
        me = nil
        let connection = backend.connection
        do {
            try connection.send("SELECT api.logout()", session: token, timeout: seconds)
            if try connection.wait(seconds: seconds) == nil { connection.close() }
        } catch {
            Log.shared.warning("logout.failed", ["error": "\(type(of: error))"])
        }
    }

    // MARK: RequestDisplay: how every screen's requests show in the terminal

    public func showBusy(_ label: String?, after delay: Double) {
        if let label, delay > 0 { ui.setBusy(label, after: delay) } else { ui.setBusy(label) }
    }

    public func showError(_ message: String) { ui.show(message, kind: .error) }

    /// A token from api.login: read who we are, then show the menu.
    func loggedIn(token: String, clinic: String, username: String, then: @escaping () -> Void) {
        backend.token = token
        backend.run(Api.whoami, for: nil) { [unowned self] result in
            switch result {
            case .success(let me?):
                self.me = me
                self.clinicCode = clinic
                self.username = username
                ui.clinic = me.impersonatedBy.map { "\(me.clinicName) [IMPERSONATED by \($0)]" } ?? me.clinicName
                ui.user = me.displayName
                ui.role = me.role
                Log.shared.info("login", ["role": me.role])
                readServerTime { [unowned self] in loadKeys(then: then) }
            case .success(nil):
                ui.show("The session ended at once; log in again.", kind: .error)
            case .failure:
                break
            }
        }
    }

    /// Asks the server for its time; on failure the last reading (or this host's clock) stays.
    func readServerTime(then: @escaping () -> Void) {
        backend.submit(ServerTime.request) { [unowned self] result in
            if case .success(let now?) = result { serverTime = ServerTime(read: now) }
            then()
        }
    }

    /// The session's data keys, before the first screen can read an encrypted field.
    func loadKeys(then: @escaping () -> Void) {
        guard let masterKey else { sealer = FieldSealer(); then(); return }
        backend.run(FieldSealer.load(masterKey), for: nil) { [unowned self] result in
            switch result {
            case .success(let s): sealer = s
            case .failure: sealer = FieldSealer()
            }
            then()
        }
    }

    public func logout() {
        backend.submit(Api.logout) { _ in }
        backend.token = nil
        me = nil
        sealer = FieldSealer()
        ui.clinic = ""; ui.user = ""; ui.role = ""
        while ui.stack.count > 1 { ui.pop() }
        ui.replaceTop(with: LoginScreen(app: self, clinic: clinicCode))
    }

    /// Hides everything behind a password prompt (idle limit, or the user asked).
    public func lock() {
        guard me != nil, !locked else { return }
        locked = true
        Log.shared.info("idle.lock")
        ui.push(LockScreen(app: self))
    }

    func unlocked() {
        locked = false
        ui.pop()
    }

    /// With a multi-host DSN libpq tries every listed host on each attempt and keeps the one
    /// that takes writes: the top bar names them, and the message says which one answered.
    func connectionLost() {
        ui.show("Connection to the database lost: reconnecting… (what you typed is kept)", kind: .warning)
        let hosts = backend.connection.listedHosts.joined(separator: ", ")
        ui.connectionStatus = "Reconnecting to \(hosts.isEmpty ? "the database" : hosts)…"
        guard reconnectTimer == nil else { return }
        reconnectTimer = ui.after(2, repeating: 2) { [unowned self] _ in _ = backend.reconnect() }
    }

    func connectionBack() {
        if let t = reconnectTimer { ui.cancel(t) }
        reconnectTimer = nil
        ui.connectionStatus = ""
        let host = backend.connection.host
        ui.show(host.isEmpty ? "Reconnected." : "Reconnected to \(host).", kind: .success)
    }
}
