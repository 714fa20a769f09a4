import ArgumentParser
import WardCore
import WardDB

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the audit log.",
        subcommands: [AuditVerify.self])
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every clinic's audit hash chain; name the first broken link; exit 1 if any.",
        discussion: "Connect as an administrator (the owner or a superuser), who can read every clinic's chain.")

    @Option(help: "libpq connection string or URI of an administrator.")
    var dsn: String = ""

    func run() throws {
        let results: [AuditChainVerifier.ClinicResult]
        do {
            results = try AuditChainVerifier(connection: try Connection(dsn)).run()
        } catch let e as DatabaseError {
            throw CLIError(e.description)
        }
        print(AuditChainVerifier.render(results))
        if results.contains(where: { $0.brokenAt != nil }) { throw ExitCode(1) }
    }
}
