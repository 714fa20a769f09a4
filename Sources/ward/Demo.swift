// A developer command: compiled only into the debug and benchmark builds (Ward.developerCommands).
#if WARD_DEVELOPER
import ArgumentParser
import Foundation
import WardCore
import WardDB

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run Ward on a private throwaway database loaded with the demo clinics.",
        discussion: """
            Starts a PostgreSQL server in a temporary directory (Unix socket only, no TCP \
            port), creates a master key there, migrates it, loads the demo clinics (their \
            sensitive fields encrypted) and opens the terminal UI. On quit, \
            Ctrl-C or a dropped terminal the server is stopped and the directory removed.
            """)

    @OptionGroup var terminal: TerminalOptions

    @Option(help: "Keep the database in this directory between runs.")
    var keep: String?

    func run() throws {
        let config = try terminal.loadConfig()
        print("Starting a private PostgreSQL server…")
        let cluster: ThrowawayCluster
        do {
            cluster = try ThrowawayCluster.start(keep: keep)
        } catch {
            throw CLIError("\(error)")
        }
        let setupSignals = CleanupOnSignals { _ in cluster.stop() }
        defer { cluster.stop() }
        // The demo's own master key, in the throwaway directory (kept with --keep).
        let masterKey: MasterKey
        do {
            let path = cluster.directory + "/master.key"
            masterKey = FileManager.default.fileExists(atPath: path) ? try MasterKey.load(from: path) : try MasterKey.create(at: path)
        } catch let e as KeyError {
            throw CLIError(e.description)
        }
        do {
            let admin = try Connection(cluster.dsn())
            let exists = try admin.query("SELECT count(*) AS n FROM pg_database WHERE datname = $1", ["ward"])
            if try exists.first?.int("n") == 0 { try admin.executeScript("CREATE DATABASE ward") }
            admin.close()
            let owner = try Connection(cluster.dsn(database: "ward"))
            try Migrator(connection: owner).migrate()
            try DemoSeed.load(owner, masterKey: masterKey)
            owner.close()
        } catch let e as KeyError {
            throw CLIError(e.description)
        } catch {
            throw CLIError("\(error)")
        }
        setupSignals.cancel()
        print("Demo accounts (password \(DemoSeed.password)):")
        for a in DemoSeed.accounts {
            print("  clinic \(a.clinic.padding(toLength: 10, withPad: " ", startingAt: 0)) user \(a.username.padding(toLength: 7, withPad: " ", startingAt: 0)) \(a.role)")
        }
        try terminal.runUI(conninfo: cluster.dsn(database: "ward", user: "ward_app"), config: config,
                           masterKey: masterKey, cleanup: { cluster.stop() })
    }
}
#endif
