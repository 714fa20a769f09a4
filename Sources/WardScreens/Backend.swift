import Foundation
import WardCore
import WardDB

/// One query a screen wants answered: SQL with parameters, and how to read its rows.
public struct Request<T>: Sendable {
    public var sql: String
    public var params: [SQLValue]
    public var decode: @Sendable (QueryResult) throws -> T
    /// A write must not be resent blindly after a lost connection: it may have committed.
    public var isWrite: Bool

    public init(_ sql: String, _ params: [any SQLValueConvertible] = [], isWrite: Bool = false,
                decode: @escaping @Sendable (QueryResult) throws -> T) {
        self.sql = sql
        self.params = params.map(\.sqlValue)
        self.isWrite = isWrite
        self.decode = decode
    }
}

/// Runs screens' requests on the one connection without ever blocking the keyboard:
/// each request is sent with the session token in a pipeline (one round trip, context
/// transaction-local), and the event loop calls `socketReadable()` when the answer arrives.
/// One request is in flight at a time; a request with a `slot` replaces an older one in the
/// same slot (a newer search cancels the older).
public final class Backend {
    public let connection: Connection
    /// The session token, once logged in.
    public var token: String?
    /// Called with the socket to watch while a request is in flight, nil when idle.
    public var watchSocket: (Int32?) -> Void = { _ in }
    /// Called when the connection is lost and when it is back.
    public var onConnectionState: (Bool) -> Void = { _ in }
    /// Seconds a request may run, or wait for a lock, before the server cancels it: a save
    /// stuck behind another transaction ends with a sentence, the form kept, instead of never.
    public var timeout: Double = 30
    /// Runs a body after a delay on the event loop (StaffApp: `ui.after`). PostgreSQL ignores
    /// a cancel that arrives while it is still reading the query, so until a cancelled
    /// request ends the cancel is sent again; nil sends it once.
    public var later: ((Double, @escaping () -> Void) -> Void)?

    private struct Job {
        let id: Int
        let slot: String?
        let sql: String
        let params: [SQLValue]
        let isWrite: Bool
        let finish: (Result<QueryResult, DatabaseError>) -> Void
        var cancelled = false
    }
    private var queue: [Job] = []
    private var inFlight: Job?
    private var jobs = 0

    public init(connection: Connection) {
        self.connection = connection
    }

    public var isBusy: Bool { inFlight != nil || !queue.isEmpty }

    public func submit<T>(_ request: Request<T>, slot: String? = nil,
                          completion: @escaping (Result<T, UserError>) -> Void) {
        if let slot { cancel(slot: slot) }
        let decode = request.decode
        jobs += 1
        queue.append(Job(id: jobs, slot: slot, sql: request.sql, params: request.params, isWrite: request.isWrite) { outcome in
            switch outcome {
            case .success(let rows):
                do { completion(.success(try decode(rows))) } catch {
                    Log.shared.error("decode.failed", ["error": "\(type(of: error))"])
                    completion(.failure(UserError("Ward could not read the database's answer.")))
                }
            case .failure(let e):
                completion(.failure(UserError(e)))
            }
        })
        startNext()
    }

    /// Drops queued requests of a slot and cancels one in flight (leaving a screen).
    public func cancel(slot: String) {
        queue.removeAll { $0.slot == slot }
        if let job = inFlight, job.slot == slot {
            connection.cancel()
            if !job.cancelled {
                inFlight?.cancelled = true
                cancelAgain(job.id, after: 0.1)
            }
        }
    }

    /// The cancel may have reached the server before the query did; a request still in
    /// flight is cancelled again (each time later, at most every 2 s). Until its answer is
    /// read no other request is sent, so a late cancel can only hit this one or none.
    private func cancelAgain(_ id: Int, after delay: Double) {
        later?(delay) { [weak self] in
            guard let self, inFlight?.id == id else { return }
            connection.cancel()
            cancelAgain(id, after: min(delay * 2, 2))
        }
    }

    /// Drops every queued request and cancels the one in flight, waiting at most `seconds`
    /// for the server to confirm (the way out: a save the user no longer waits for must not
    /// land after the terminal is gone). True when the connection is idle and usable again.
    public func stop(within seconds: Double) -> Bool {
        queue.removeAll()
        guard inFlight != nil else { return connection.isAlive }
        inFlight = nil
        watchSocket(nil)
        // A request cancelled in its pipeline is rolled back whole (one implicit transaction).
        // The cancel is repeated, as in cancelAgain: the first may reach a server still
        // reading the request, which would then run (and commit) after we have gone.
        let deadline = Monotonic.seconds() + seconds
        var slice = 0.1
        repeat {
            connection.cancel()
            if (try? connection.wait(seconds: min(slice, max(0, deadline - Monotonic.seconds())))) != nil {
                return connection.isAlive
            }
            slice = min(slice * 2, 2)
        } while deadline - Monotonic.seconds() > 0
        connection.close()
        return false
    }

    /// The event loop saw the socket readable.
    public func socketReadable() {
        guard var job = inFlight else { return }
        let outcome: Result<QueryResult, DatabaseError>?
        do { outcome = try connection.poll() } catch let e as DatabaseError { outcome = .failure(e) } catch {
            outcome = .failure(.misuse("\(error)"))
        }
        guard let outcome else { return }
        inFlight = nil
        watchSocket(nil)
        if case .failure(let e) = outcome, e.isConnectionLost {
            Log.shared.warning("connection.lost")
            onConnectionState(false)
            if job.cancelled { startNext(); return }
            if !job.isWrite {
                // A read can simply be asked again once the link is back.
                job.cancelled = false
                queue.insert(job, at: 0)
            } else {
                job.finish(.failure(e))
            }
            return
        }
        if !job.cancelled { job.finish(outcome) }
        startNext()
    }

    /// Tries to get the connection back; true when it is. Queued reads then go out again.
    @discardableResult
    public func reconnect() -> Bool {
        do {
            try connection.reconnect()
            Log.shared.info("connection.restored")
            onConnectionState(true)
            startNext()
            return true
        } catch {
            return false
        }
    }

    private func startNext() {
        guard inFlight == nil, !queue.isEmpty, connection.isAlive else { return }
        let job = queue.removeFirst()
        do {
            try connection.send(job.sql, job.params, session: token, timeout: timeout)
            inFlight = job
            watchSocket(connection.socket)
        } catch let e as DatabaseError {
            if e.isConnectionLost {
                onConnectionState(false)
                if !job.isWrite { queue.insert(job, at: 0) } else { job.finish(.failure(e)) }
                return
            }
            job.finish(.failure(e))
            startNext()
        } catch {
            job.finish(.failure(.misuse("\(error)")))
        }
    }
}
