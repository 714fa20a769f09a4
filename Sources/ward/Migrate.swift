import ArgumentParser
import WardCore
import WardDB

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the roles and apply the baseline schema (as the database owner).",
        discussion: """
            Connects with DSN as a superuser or a role that may create roles, creates \
            ward_owner, ward_auth and ward_app if missing, and applies the baseline schema \
            (and any later migration) not yet applied. Running it again changes nothing; a \
            database built from another baseline, or an edited migration, is refused.
            """)

    @Option(help: "libpq connection string or URI of an administrator (empty: libpq's PG* defaults).")
    var dsn: String = ""

    func run() throws {
        do {
            let conn = try Connection(dsn)
            let report = try Migrator(connection: conn).migrate()
            for label in report.applied { print("applied  \(label)") }
            print(report.applied.isEmpty
                  ? "up to date: \(report.alreadyApplied.joined(separator: ", ")) already applied"
                  : "\(report.applied.count) applied, \(report.alreadyApplied.count) already applied")
        } catch let e as MigrationError {
            throw CLIError(e.description)
        } catch let e as DatabaseError {
            throw CLIError(e.description)
        }
    }
}
