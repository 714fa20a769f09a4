// A developer command: compiled only into the debug and benchmark builds (Ward.developerCommands).
#if WARD_DEVELOPER
import ArgumentParser
import Dispatch
import Foundation
import WardCore
import WardDB

/// For developers, the Makefile and benchmarks: a throwaway cluster around one command.
struct Sandbox: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command against a throwaway PostgreSQL cluster, then delete it.",
        discussion: """
            Starts a private cluster (Unix socket only), creates the database 'ward', \
            optionally migrates it, and runs COMMAND with PGHOST, PGPORT, PGUSER and \
            PGDATABASE pointing at it (superuser), plus WARD_ADMIN_DSN and WARD_APP_DSN. \
            The cluster is stopped and deleted when COMMAND ends or ward is interrupted.
            """,
        shouldDisplay: false)

    @Flag(help: "Apply the migrations first.")
    var migrate = false

    @Argument(parsing: .postTerminator, help: "The command to run (after --).")
    var command: [String] = []

    func run() throws {
        var argv = command
        if argv.first == "--" { argv.removeFirst() }
        guard !argv.isEmpty else { throw CLIError("give a command to run after --") }

        let cluster = try ThrowawayCluster.start()
        defer { cluster.stop() }

        let admin = try Connection(cluster.dsn())
        try admin.query("CREATE DATABASE ward")
        admin.close()
        if migrate {
            try Migrator(connection: try Connection(cluster.dsn(database: "ward"))).migrate()
        }
        var env = ProcessInfo.processInfo.environment
        env["PGHOST"] = cluster.socketDirectory
        env["PGPORT"] = "5432"
        env["PGUSER"] = cluster.superuser
        env["PGDATABASE"] = "ward"
        env["WARD_ADMIN_DSN"] = cluster.dsn(database: "ward")
        env["WARD_APP_DSN"] = cluster.dsn(database: "ward", user: "ward_app")
        let pid = try Spawn.start(argv, stdoutFD: 1, environment: env, passStdin: true)
        let signals = CleanupOnSignals { sig in
            kill(pid, sig)
            cluster.stop()
        }
        defer { signals.cancel() }
        let status = Spawn.waitFor(pid)
        if status != 0 { throw ExitCode(status) }
    }
}

/// Runs a cleanup on SIGINT, SIGTERM or SIGHUP, then exits with 128 + the signal.
final class CleanupOnSignals: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(_ cleanup: @escaping @Sendable (Int32) -> Void) {
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                cleanup(sig)
                exit(128 + sig)
            }
            s.resume()
            sources.append(s)
        }
    }

    func cancel() {
        for s in sources { s.cancel() }
        sources = []
    }
}
#endif
