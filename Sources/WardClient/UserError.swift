import WardCore
import WardDB

/// A failure told to the user in one plain sentence. Raw SQL errors never reach the
/// screen: only messages the api schema wrote for people are passed through; everything
/// else becomes a sentence by its SQLSTATE class, and the code goes to the log.
public struct UserError: Error, Equatable, CustomStringConvertible {
    public var message: String
    /// The form field the message is about, when the database named one.
    public var field: String?
    public var isConnectionLost = false
    public var sqlState: String?

    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    public var description: String { message }

    public init(_ e: DatabaseError) {
        switch e {
        case .connectionLost:
            self.init("The connection to the database was lost. Reconnecting… what you typed is kept.")
            isConnectionLost = true
        case .connectFailed:
            self.init("Ward cannot reach the database. Check the network and try again.")
        case .invalidParameter:
            self.init("That text contains a character that cannot be stored (a NUL byte).")
        case .typeMismatch, .misuse:
            self.init("Ward could not read the database's answer.")
        case .server(let s):
            self.init(Self.sentence(for: s), field: Self.field(in: s))
            sqlState = s.sqlState
            Log.shared.warning("query.refused", ["sqlstate": s.sqlState, "constraint": s.constraint ?? ""])
        }
    }

    /// SQLSTATEs whose message the api functions write for people (RAISE ... USING ERRCODE).
    static let humanCodes: Set<String> = ["P0001", "28000", "28P01", "23P01", "22023", "22007", "22008",
                                          "55P03", "53400", "42501", "22001", "23514", "P0002"]

    static func sentence(for s: ServerError) -> String {
        // Only our own RAISE messages carry a hint of "ward"; built-in errors of the same
        // class (e.g. "permission denied for table x") are reworded.
        if humanCodes.contains(s.sqlState), !looksBuiltIn(s.message) {
            return capitalised(s.message)
        }
        switch s.sqlState {
        case "42501": return "Your role does not allow this."
        case "23505": return "That already exists."
        case "23P01": return "That time clashes with another appointment."
        // Cancelled (a timeout, mostly): the request's whole transaction was rolled back.
        case "57014": return "The database did not finish in time: nothing was changed. Try again."
        case "40001", "40P01": return "The database was busy; try again."
        case "28000", "28P01": return "Your session has ended: log in again."
        default:
            switch s.sqlState.prefix(2) {
            case "22", "23": return "Some of the values were not accepted; check the fields."
            case "53", "57": return "The database is unavailable at the moment; try again shortly."
            default: return "The database refused the request (code \(s.sqlState))."
            }
        }
    }

    /// Messages PostgreSQL itself produces, which may name tables or echo values.
    static func looksBuiltIn(_ m: String) -> Bool {
        let builtIns = ["permission denied for", "new row violates", "violates check constraint",
                        "violates foreign key", "duplicate key", "value too long for type",
                        "invalid input syntax", "relation \"", "column \"", "conflicting key value"]
        return builtIns.contains { m.contains($0) }
    }

    /// The api raises field errors with HINT 'field:NAME' so forms can put the message
    /// beside the right field.
    static func field(in s: ServerError) -> String? {
        guard let h = s.hint, h.hasPrefix("field:") else { return nil }
        return String(h.dropFirst(6))
    }

    static func capitalised(_ m: String) -> String {
        guard let f = m.first else { return m }
        let s = String(f).uppercased() + m.dropFirst()
        return s.hasSuffix(".") || s.hasSuffix("?") || s.hasSuffix("!") ? s : s + "."
    }
}
