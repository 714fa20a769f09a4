import ArgumentParser
import WardCore
import WardDB

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the isolation report for auditors; exit 1 on any failure.",
        discussion: """
            Checks every tenant table (row-level security enabled and forced, restrictive tenant \
            policy, index led by tenant_id), every api view (security_invoker), the ward_app role, \
            lists the security-definer functions, and probes live as ward_app inside a \
            transaction that is rolled back. Connect as an administrator.
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
