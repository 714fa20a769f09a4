import CLibPQ
import Foundation

/// One libpq connection. Values go only through parameters (`$1`, `$2` ...); the one
/// exception, `executeScript`, runs constant SQL shipped in the binary (migrations).
///
/// Not thread-safe: one owner at a time. `Canceller` is the part another thread may use.
public final class Connection {
    private var conn: OpaquePointer?
    /// True while an asynchronous query is in flight.
    public private(set) var isSending = false
    private var pending: Result<QueryResult, DatabaseError>?

    /// Connects with a libpq conninfo string or URI. An empty string lets libpq use its own
    /// defaults: the `PG*` environment variables, the service file and `.pgpass`.
    public init(_ conninfo: String = "") throws {
        if conninfo.utf8.contains(0) { throw DatabaseError.invalidParameter("the connection string contains a NUL byte") }
        conn = PQconnectdb(conninfo)
        guard let c = conn, PQstatus(c) == CONNECTION_OK else {
            let msg = conn.map { Self.trimmed(PQerrorMessage($0)) } ?? "out of memory"
            if let c = conn { PQfinish(c) }
            conn = nil
            throw DatabaseError.connectFailed(msg)
        }
        // Notices would otherwise be printed on stderr, over the terminal UI.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        PQsetClientEncoding(c, "UTF8")
        try query("SELECT set_config('datestyle', 'ISO, YMD', false)")
    }

    deinit { if let conn { PQfinish(conn) } }

    public func close() {
        if let conn { PQfinish(conn) }
        conn = nil
    }

    public var isAlive: Bool { conn.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// The server process serving this connection (useful to tests and `pg_cancel_backend`).
    public var backendPID: Int32 { conn.map { PQbackendPID($0) } ?? 0 }

    /// The user libpq connected as.
    public var user: String { conn.flatMap { PQuser($0) }.map { String(cString: $0) } ?? "" }

    /// The server this connection reached: with several hosts in the DSN, the one libpq kept.
    public var host: String { conn.flatMap { PQhost($0) }.map { String(cString: $0) } ?? "" }

    /// Every host the DSN lists (comma-separated), in the order libpq tries them on a reconnect.
    public var listedHosts: [String] {
        guard let c = conn, let options = PQconninfo(c) else { return [] }
        defer { PQconninfoFree(options) }
        var i = 0
        while let keyword = options[i].keyword {
            if String(cString: keyword) == "host", let value = options[i].val {
                return String(cString: value).split(separator: ",").map(String.init)
            }
            i += 1
        }
        return []
    }

    /// Re-establishes a broken connection with the same parameters.
    public func reconnect() throws {
        guard let c = conn else { throw DatabaseError.connectFailed("connection was closed") }
        isSending = false
        pending = nil
        PQreset(c)
        guard PQstatus(c) == CONNECTION_OK else {
            throw DatabaseError.connectFailed(Self.trimmed(PQerrorMessage(c)))
        }
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        try query("SELECT set_config('datestyle', 'ISO, YMD', false)")
    }

    // MARK: - Synchronous queries

    /// Runs one statement with parameters and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ params: [any SQLValueConvertible] = []) throws -> QueryResult {
        let c = try ready()
        let res = try withParams(params.map(\.sqlValue)) { n, values, lengths, formats in
            PQexecParams(c, sql, n, nil, values, lengths, formats, 0)
        }
        return try take(res)
    }

    /// Runs a block inside BEGIN ... COMMIT; any error rolls back and is rethrown.
    public func transaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let value = try body(self)
            try query("COMMIT")
            return value
        } catch {
            if isAlive { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    /// Runs a block in a transaction whose first statement sets the session token,
    /// transaction-locally, so a pooled connection never carries it further.
    public func withSession<T>(_ token: String, _ body: (Connection) throws -> T) throws -> T {
        try transaction { conn in
            try conn.query("SELECT set_config('ward.session', $1, true)", [token])
            return try body(conn)
        }
    }

    /// Runs a script of several statements (simple query protocol, no parameters).
    /// Only for constant SQL that ships inside the binary, such as migrations.
    public func executeScript(_ sql: String) throws {
        let c = try ready()
        guard PQsendQuery(c, sql) == 1 else { throw lostOrMisuse(c) }
        var firstError: DatabaseError?
        while let r = PQgetResult(c) {
            let st = PQresultStatus(r)
            if st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR,
               firstError == nil {
                firstError = PQstatus(c) == CONNECTION_OK
                    ? .server(ServerError(result: r)) : .connectionLost(Self.trimmed(PQresultErrorMessage(r)))
            }
            PQclear(r)
        }
        if PQstatus(c) != CONNECTION_OK, firstError == nil {
            firstError = .connectionLost(Self.trimmed(PQerrorMessage(c)))
        }
        if let firstError { throw firstError }
    }

    // MARK: - Asynchronous queries, for the terminal's event loop

    /// The socket to wait on (readable) while an asynchronous query is in flight.
    public var socket: Int32 { conn.map { PQsocket($0) } ?? -1 }

    /// Sends a query without waiting for its result.
    ///
    /// With `session`, the query runs in the same implicit transaction as a preceding
    /// `set_config('ward.session', token, true)`: both go in one pipeline ended by a Sync,
    /// so the context is transaction-local and the whole exchange costs one round trip.
    /// With `timeout` (seconds), the server cancels the query if it runs or waits for a lock
    /// longer than that; also transaction-local, so a pooled connection does not keep it.
    public func send(_ sql: String, _ params: [any SQLValueConvertible] = [], session: String? = nil,
                     timeout: Double? = nil) throws {
        let c = try ready()
        var statements: [(String, [SQLValue])] = []
        if let session { statements.append(("SELECT set_config('ward.session', $1, true)", [.text(session)])) }
        if let timeout {
            statements.append(("SELECT set_config('statement_timeout', $1, true)", [.text("\(max(1, Int(timeout * 1000)))ms")]))
        }
        statements.append((sql, params.map(\.sqlValue)))
        let pipelined = statements.count > 1
        if pipelined {
            guard PQenterPipelineMode(c) == 1 else { throw lostOrMisuse(c) }
        }
        for (text, values) in statements {
            let ok = try withParams(values) { n, v, l, f in PQsendQueryParams(c, text, n, nil, v, l, f, 0) }
            guard ok == 1 else {
                let e = lostOrMisuse(c)
                abandonPipeline(c)
                throw e
            }
        }
        if pipelined {
            guard PQpipelineSync(c) == 1 else {
                let e = lostOrMisuse(c)
                abandonPipeline(c)
                throw e
            }
        }
        pipelineRemaining = pipelined ? statements.count : 0
        isSending = true
        pending = nil
    }

    /// Statements of the pipeline in flight whose results have not all been read yet.
    private var pipelineRemaining = 0

    private func abandonPipeline(_ c: OpaquePointer) {
        if PQpipelineStatus(c) != PQ_PIPELINE_OFF {
            while let r = PQgetResult(c) { PQclear(r) }
            _ = PQexitPipelineMode(c)
        }
    }

    /// Reads what has arrived on the socket. Returns the outcome once the query has
    /// finished, nil while it is still running. Never blocks.
    public func poll() throws -> Result<QueryResult, DatabaseError>? {
        guard let c = conn, isSending else { throw DatabaseError.misuse("no query in flight") }
        if PQconsumeInput(c) == 0 {
            isSending = false
            pipelineRemaining = 0
            return .failure(.connectionLost(Self.trimmed(PQerrorMessage(c))))
        }
        while PQisBusy(c) == 0 {
            let r = PQgetResult(c)
            if PQpipelineStatus(c) != PQ_PIPELINE_OFF {
                // In a pipeline, NULL ends one statement's results; the Sync result ends it all.
                guard let r else {
                    pipelineRemaining -= 1
                    continue
                }
                if PQresultStatus(r) == PGRES_PIPELINE_SYNC {
                    PQclear(r)
                    _ = PQexitPipelineMode(c)
                    isSending = false
                    defer { pending = nil }
                    return pending ?? .failure(.misuse("the pipeline returned no result"))
                }
                if PQresultStatus(r) == PGRES_PIPELINE_ABORTED {
                    PQclear(r)
                    continue
                }
                record(r, keep: pipelineRemaining == 1)
                continue
            }
            guard let r else {
                isSending = false
                defer { pending = nil }
                return pending ?? .failure(.connectionLost(Self.trimmed(PQerrorMessage(c))))
            }
            record(r, keep: true)
        }
        return nil
    }

    /// Keeps the first error, or else the result of the statement the caller asked for.
    private func record(_ r: OpaquePointer, keep: Bool) {
        let outcome: Result<QueryResult, DatabaseError>
        do { outcome = .success(try take(r)) } catch let e as DatabaseError { outcome = .failure(e) } catch {
            outcome = .failure(.misuse("\(error)"))
        }
        if case .failure = pending { return }
        if case .failure = outcome { pending = outcome } else if keep { pending = outcome }
    }

    /// Waits (blocking) for the query in flight; for callers without an event loop.
    public func wait() throws -> QueryResult {
        while true {
            if let outcome = try wait(seconds: 3600) { return try outcome.get() }
        }
    }

    /// Waits at most `seconds` for the query in flight: its outcome, or nil if it is still
    /// running (on the way out, where an answer that never comes must not keep us).
    public func wait(seconds: Double) throws -> Result<QueryResult, DatabaseError>? {
        let deadline = Monotonic.seconds() + seconds
        while true {
            if let outcome = try poll() { return outcome }
            let left = deadline - Monotonic.seconds()
            if left <= 0 { return nil }
            var pfd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            _ = Foundation.poll(&pfd, 1, Int32(min(1000, max(1, left * 1000))))
        }
    }

    /// Asks the server to cancel the statement in flight. Returns false if the request
    /// could not be sent; the statement then ends with SQLSTATE 57014 if it was cancelled.
    @discardableResult
    public func cancel() -> Bool { canceller()?.cancel() ?? false }

    /// A handle another thread may use to cancel this connection's running statement.
    public func canceller() -> Canceller? {
        guard let c = conn, let pc = PQgetCancel(c) else { return nil }
        return Canceller(pc)
    }

    // MARK: - Internals

    private func ready() throws -> OpaquePointer {
        guard let c = conn else { throw DatabaseError.connectionLost("connection was closed") }
        if isSending { throw DatabaseError.misuse("a query is already in flight on this connection") }
        guard PQstatus(c) == CONNECTION_OK else {
            throw DatabaseError.connectionLost(Self.trimmed(PQerrorMessage(c)))
        }
        return c
    }

    private func lostOrMisuse(_ c: OpaquePointer) -> DatabaseError {
        let msg = Self.trimmed(PQerrorMessage(c))
        return PQstatus(c) == CONNECTION_OK ? .misuse(msg) : .connectionLost(msg)
    }

    private func take(_ res: OpaquePointer?) throws -> QueryResult {
        guard let c = conn else { throw DatabaseError.connectionLost("connection was closed") }
        guard let res else { throw lostOrMisuse(c) }
        defer { PQclear(res) }
        switch PQresultStatus(res) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(res)
        default:
            if PQstatus(c) != CONNECTION_OK {
                throw DatabaseError.connectionLost(Self.trimmed(PQresultErrorMessage(res)))
            }
            let e = ServerError(result: res)
            // Class 08 and admin shutdown mean the link is gone even if libpq has not noticed yet.
            if e.sqlState.hasPrefix("08") || e.sqlState == "57P01" || e.sqlState == "57P02" || e.sqlState == "57P03" {
                throw DatabaseError.connectionLost(e.message)
            }
            throw DatabaseError.server(e)
        }
    }

    private func withParams<R>(
        _ params: [SQLValue],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) throws -> R {
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        defer { for b in buffers { free(b) } }
        for (i, p) in params.enumerated() {
            switch p {
            case .null:
                buffers.append(nil); lengths.append(0); formats.append(0)
            case .text(let s):
                if s.utf8.contains(0) {
                    throw DatabaseError.invalidParameter(
                        "parameter $\(i + 1) contains a NUL byte, which PostgreSQL text cannot hold")
                }
                buffers.append(strdup(s)); lengths.append(0); formats.append(0)
            case .bytes(let b):
                let m = malloc(max(b.count, 1))!.assumingMemoryBound(to: CChar.self)
                b.withUnsafeBytes { raw in
                    if let base = raw.baseAddress { memcpy(m, base, b.count) }
                }
                buffers.append(m); lengths.append(Int32(b.count)); formats.append(1)
            }
        }
        let constBuffers = buffers.map { UnsafePointer($0) }
        return constBuffers.withUnsafeBufferPointer { v in
            lengths.withUnsafeBufferPointer { l in
                formats.withUnsafeBufferPointer { f in
                    body(Int32(params.count), v.baseAddress, l.baseAddress, f.baseAddress)
                }
            }
        }
    }

    static func trimmed(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "" }
        return String(cString: p).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Cancels a connection's running statement; safe to use from any thread.
public final class Canceller: @unchecked Sendable {
    private let handle: OpaquePointer
    init(_ h: OpaquePointer) { handle = h }
    deinit { PQfreeCancel(handle) }

    @discardableResult
    public func cancel() -> Bool {
        var buf = [CChar](repeating: 0, count: 256)
        return PQcancel(handle, &buf, 256) == 1
    }
}
