import ArgumentParser
import Foundation
import WardDB

struct Staff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add staff to a clinic (operators, with the owner's DSN).",
        subcommands: [StaffAdd.self])
}

struct StaffAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Make a person a member of a clinic: a new account, or an existing one.",
        discussion: """
            For a new account, the initial password is asked for without echo when stdin is a \
            terminal, or read from the first line of stdin otherwise (a pipe or a file, never a \
            command-line argument, which other users could see). It needs at least 10 characters \
            and the person must change it at first login. An existing account (someone who works \
            at another clinic) keeps its password. Clinic administrators add the rest of their \
            staff from the Staff screen. Written to the platform's audit chain and the clinic's.
            """)

    @Argument(help: "The person's username: 2 to 40 lower-case letters, digits, dots, dashes or underscores.")
    var username: String

    @Option(help: "The clinic's code (`ward clinic list`); `platform` for a platform administrator.")
    var clinic: String

    @Option(help: ArgumentHelp("admin, specialist, front_desk or billing; platform_admin at the platform."),
            completion: .list(["admin", "specialist", "front_desk", "billing", "platform_admin"]))
    var role: String

    @Option(help: "The name shown to colleagues, e.g. \"Hana Ito\" (default: the username).")
    var name: String?

    @Option(help: "libpq connection string or URI of the owner (empty: libpq's PG* defaults).")
    var dsn = ""

    func run() throws {
        try OperatorDatabase.run(dsn: dsn) { c in
            let exists = try c.query("SELECT ops.account_exists($1) AS e", [username]).first?.bool("e") ?? false
            let password: SQLValue = exists ? .null : .text(try Self.initialPassword(for: username))
            _ = try c.query("SELECT ops.add_staff($1, $2, $3, $4, $5)",
                            [username, clinic, role, name.map(SQLValue.text) ?? .null, password])
            print(exists
                  ? "added \(username.lowercased()) (existing account, password unchanged) to \(clinic.lowercased()) as \(role)"
                  : "added \(username.lowercased()) to \(clinic.lowercased()) as \(role); they must choose a new password at first login")
        }
    }

    /// From the terminal without echo (asked twice), or the first line of stdin.
    static func initialPassword(for username: String) throws -> String {
        guard isatty(0) == 1 else {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw CLIError("no initial password on stdin: pipe it in, or run this at a terminal")
            }
            return line
        }
        let first = try askWithoutEcho("Initial password for \(username.lowercased()): ")
        let again = try askWithoutEcho("Again: ")
        guard first == again else { throw CLIError("the two passwords differ; nothing was changed") }
        return first
    }

    /// Echo is off only while the line is read, and restored even on Ctrl-C.
    static func askWithoutEcho(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { throw CLIError("cannot read the terminal's settings") }
        savedTerminal = saved
        signal(SIGINT) { _ in
            if var t = StaffAdd.savedTerminal { tcsetattr(0, TCSANOW, &t) }
            _exit(130)
        }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(0, TCSANOW, &quiet)
        let line = readLine(strippingNewline: true)
        tcsetattr(0, TCSANOW, &saved)
        signal(SIGINT, SIG_DFL)
        FileHandle.standardError.write(Data("\n".utf8))
        guard let line else { throw CLIError("no password given") }
        return line
    }

    nonisolated(unsafe) static var savedTerminal: termios?
}
