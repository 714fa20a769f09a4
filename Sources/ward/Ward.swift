import ArgumentParser
import Foundation
import WardCore
import WardDB
import WardClient
import WardScreens
import WardTerm

@main
struct Ward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ward",
        abstract: "Ward: the clinic staff terminal on a multi-tenant PostgreSQL platform.",
        discussion: "Without a subcommand, opens the terminal UI connected as ward_app (`ward ui`).",
        subcommands: [TerminalUI.self, Migrate.self, Seed.self, Verify.self, Audit.self, Keys.self,
                      Clinic.self, Staff.self] + developerCommands,
        defaultSubcommand: TerminalUI.self
    )

    /// Only in the debug build that tests and `make demo` use, and in `make bench`'s build:
    /// the installed setgid `ward` carries neither the demo's published password nor tools
    /// that start servers (docs/adr/0013-developer-commands-only-in-the-debug-build.md).
    #if WARD_DEVELOPER
    static let developerCommands: [any ParsableCommand.Type] = [Demo.self, Sandbox.self, UIPreview.self, Bench.self]
    #else
    static let developerCommands: [any ParsableCommand.Type] = []
    #endif

    /// A setgid binary reads the master key and drops the group before anything else.
    static func main() {
        // Decided while the ids still show a setgid start: such a ward ignores WARD_TEST_NOW.
        _ = TestClock.pinned
        SharedHost.start()
        main(nil)
    }
}

/// The terminal UI itself: the default when `ward` is given no subcommand.
struct TerminalUI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open the terminal UI (the default).")

    @OptionGroup var terminal: TerminalOptions

    @Option(help: "libpq connection string or URI (default: the config's dsn, then libpq's PG* variables).")
    var dsn: String?

    @OptionGroup var key: KeyFileOption

    func run() throws {
        let config = try terminal.loadConfig()
        let target = ConnectionTarget.resolve(flag: dsn, configDSN: config.dsn)
        guard let conninfo = target.conninfo else {
            FileHandle.standardError.write(Data((ConnectionTarget.guidance + "\n").utf8))
            throw ExitCode(1)
        }
        try terminal.runUI(conninfo: conninfo, config: config, masterKey: try key.load(configValue: config.keyFile))
    }
}

/// The options every way into the terminal UI shares.
struct TerminalOptions: ParsableArguments {
    @Option(help: "Config file (default: $XDG_CONFIG_HOME/ward/config.toml).")
    var config: String?

    @Option(help: "Theme name (default, light, high-contrast, mono) or path to a .theme file.")
    var theme: String?

    @Option(help: "Clinic code to prefill on the login screen.")
    var clinic: String?

    @Option(help: ArgumentHelp("Idle seconds before the lock screen (overrides idle_lock_minutes).", visibility: .hidden))
    var idleLockSeconds: Double?

    func loadConfig() throws -> WardConfig {
        do {
            var c = try WardConfig.load(explicitPath: config)
            if let clinic { c.clinic = clinic }
            try c.keymap.validate(against: StaffApp.allActions)
            return c
        } catch let e as CLIError {
            throw e
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Connects, runs the screens until the user quits, and exits with the UI's code.
    /// The master key must be this database's (checked before anyone logs in, so a wrong
    /// key stops Ward before anything is written).
    func runUI(conninfo: String, config: WardConfig, masterKey: MasterKey, cleanup: (() -> Void)? = nil) throws {
        let chosen: Theme
        let connection: Connection
        do {
            chosen = try chooseTheme(flag: theme, config: config)
            connection = try Connection(conninfo)
            try MasterKeyCheck.verify(masterKey, connection: connection)
        } catch let e as KeyError {
            throw CLIError(e.description)
        } catch let e as DatabaseError {
            throw CLIError(e.description)
        } catch {
            throw CLIError("\(error)")
        }
        let ui = UI(theme: chosen, config: config, globalActions: StaffApp.globalActions)
        if let cleanup { ui.addCleanup(cleanup) }
        let app = StaffApp(ui: ui, connection: connection)
        app.masterKey = masterKey
        app.idleLockSeconds = idleLockSeconds
        app.start()
        let code: Int32
        do {
            code = try ui.run()
        } catch {
            throw CLIError("\(error)")
        }
        app.endSession()
        if code != 0 { throw ExitCode(code) }
    }
}
