import ArgumentParser
import Foundation
import WardDB

/// The operator's side of the platform: clinics and their first staff. These commands
/// connect with the owner's DSN (the one `ward migrate` uses) and call the functions of
/// schema `ops` (Schema/13_ops.sql), which check every value and write the platform's audit
/// chain; ward_app cannot call them.
struct Clinic: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add and list clinics (operators, with the owner's DSN).",
        subcommands: [ClinicAdd.self, ClinicList.self])
}

enum DateOrderChoice: String, CaseIterable, ExpressibleByArgument {
    case dmy, mdy, iso
}

struct ClinicAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a clinic.",
        discussion: """
            CODE is what staff type at login: 2 to 40 lower-case letters, digits or dashes. \
            The clinic starts with no staff: add its first administrator with `ward staff add`. \
            The event is written to the platform's audit chain with the database user who ran it.
            """)

    @Argument(help: "The clinic's code, e.g. hillside.")
    var code: String

    @Argument(help: "The clinic's name, e.g. \"Hillside Family Practice\".")
    var name: String

    @Option(help: "IANA time zone in which the clinic's times are shown (default: UTC).")
    var timeZone = "UTC"

    @Option(help: "How dates are shown and typed: dmy (DD/MM/YYYY), mdy (MM/DD/YYYY) or iso (default).")
    var dateOrder: DateOrderChoice = .iso

    @Option(help: "1 to 3 letters before chart numbers (default: the code's first letter).")
    var chartPrefix: String?

    @Option(help: "libpq connection string or URI of the owner (empty: libpq's PG* defaults).")
    var dsn = ""

    func run() throws {
        try OperatorDatabase.run(dsn: dsn) { c in
            _ = try c.query("SELECT ops.add_clinic($1, $2, $3, $4, $5)",
                            [code, name, timeZone, dateOrder.rawValue, chartPrefix.map(SQLValue.text) ?? .null])
            let prefix = (chartPrefix ?? String(code.trimmingCharacters(in: .whitespaces).prefix(1))).uppercased()
            print("added clinic \(code.lowercased()) (\(name)): time zone \(timeZone), dates \(dateOrder.rawValue), "
                  + "chart numbers start with \(prefix)-")
        }
    }
}

struct ClinicList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the clinics and their count of active staff.")

    @Option(help: "libpq connection string or URI of the owner (empty: libpq's PG* defaults).")
    var dsn = ""

    func run() throws {
        try OperatorDatabase.run(dsn: dsn) { c in
            let rows = try c.query("SELECT code, name, kind, time_zone, date_order, active_staff FROM ops.clinics()").rows
            let table = try rows.map {
                [try $0.string("code") ?? "", try $0.string("kind") ?? "", try $0.string("time_zone") ?? "",
                 try $0.string("date_order") ?? "", String(try $0.int("active_staff") ?? 0), try $0.string("name") ?? ""]
            }
            print(OperatorDatabase.columns(["CODE", "KIND", "TIME ZONE", "DATES", "STAFF", "NAME"], table))
        }
    }
}

/// The connection and the error sentences the operator commands share.
enum OperatorDatabase {
    /// Runs `body` in one transaction on the owner's connection; a refusal becomes one
    /// sentence (the functions of `ops` write theirs for people) and exit status 1.
    static func run(dsn: String, _ body: (Connection) throws -> Void) throws {
        do {
            let c = try Connection(dsn)
            try c.transaction { try body($0) }
        } catch let e as DatabaseError {
            throw CLIError(sentence(for: e))
        }
    }

    static func sentence(for e: DatabaseError) -> String {
        guard case .server(let s) = e else { return e.description }
        switch s.sqlState {
        case "22023", "P0001": return s.message
        case "42501", "3F000", "42883":
            // No right on schema ops, or no such schema/function: the wrong DSN or an old schema.
            return "this needs the owner's connection (the DSN `ward migrate` uses) on a database migrated by this version of ward (\(s.message))"
        default: return s.description
        }
    }

    /// Left-aligned columns, two spaces apart, for a terminal.
    static func columns(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        return all.map { r in
            r.enumerated().map { i, cell in
                i == r.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
