import ArgumentParser
import WardCore
import WardDB

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the isolation report for auditors; exit 1 on any failure.",
        discussion: """
            Runs every rule of the schema's rule files (row-level security enabled and forced \
            on every reachable table, restrictive and tenant policies, tenant indexes, invoker \
            views, no definer views, the ward_app role, definer functions' search_path and \
            who may execute them, foreign-key indexes, no per-row context calls, permissive \
            policies, sensitive columns) and prints each with its result, its findings and \
            the allowed exceptions with their reasons; lists the security-definer functions; \
            and probes live as ward_app inside a transaction that is rolled back. Connect as \
            an administrator.
            """)

    @Option(help: "libpq connection string or URI of an administrator.")
    var dsn: String = ""

    func run() throws {
        let report: IsolationVerifier.Report
        do {
            report = try IsolationVerifier(connection: try Connection(dsn)).run()
        } catch let e as DatabaseError {
            throw CLIError(e.description)
        }
        print(report.rendered)
        if !report.passed { throw ExitCode(1) }
    }
}
