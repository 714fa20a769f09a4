import CLibPQ

/// Everything that can go wrong talking to PostgreSQL, in a shape the screens can turn
/// into a sentence for the user: the server's SQLSTATE and texts, or a lost connection.
public enum DatabaseError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The server refused a statement; the connection is still usable.
    case server(ServerError)
    /// The connection broke (backend killed, server restarted, network gone).
    case connectionLost(String)
    /// No connection could be made at all.
    case connectFailed(String)
    /// A parameter PostgreSQL cannot take, caught before anything is sent.
    case invalidParameter(String)
    /// A value in a result was not of the type asked for.
    case typeMismatch(String)
    /// The connection is in the wrong state for the call (for example a query is in flight).
    case misuse(String)

    public var description: String {
        switch self {
        case .server(let e): return e.description
        case .connectionLost(let m): return "connection to the database lost: \(m)"
        case .connectFailed(let m): return "could not connect to the database: \(m)"
        case .invalidParameter(let m): return m
        case .typeMismatch(let m): return m
        case .misuse(let m): return m
        }
    }

    public var sqlState: String? {
        if case .server(let e) = self { return e.sqlState }
        return nil
    }

    public var isConnectionLost: Bool {
        if case .connectionLost = self { return true }
        return false
    }
}

public struct ServerError: Equatable, Sendable, CustomStringConvertible {
    public var sqlState: String
    public var severity: String
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?

    public var description: String {
        var s = "\(severity) \(sqlState): \(message)"
        if let detail { s += " (\(detail))" }
        if let hint { s += " hint: \(hint)" }
        return s
    }

    init(result: OpaquePointer) {
        func field(_ code: Int32) -> String? {
            guard let p = PQresultErrorField(result, code) else { return nil }
            return String(cString: p)
        }
        // The PG_DIAG_* codes are character constants in libpq's headers.
        sqlState = field(Int32(UInt8(ascii: "C"))) ?? "XX000"
        severity = field(Int32(UInt8(ascii: "V"))) ?? field(Int32(UInt8(ascii: "S"))) ?? "ERROR"
        message = field(Int32(UInt8(ascii: "M"))) ?? String(cString: PQresultErrorMessage(result))
        detail = field(Int32(UInt8(ascii: "D")))
        hint = field(Int32(UInt8(ascii: "H")))
        constraint = field(Int32(UInt8(ascii: "n")))
    }

    public init(sqlState: String, message: String, detail: String? = nil, hint: String? = nil) {
        self.sqlState = sqlState
        self.severity = "ERROR"
        self.message = message
        self.detail = detail
        self.hint = hint
    }
}
