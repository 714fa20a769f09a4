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

/// What the runner shows while a screen's request runs and when one fails: in the terminal,
/// the busy label and the message line (StaffApp passes them on to the UI).
public protocol RequestDisplay: AnyObject {
    /// Shows `label` if a request still runs after `delay` seconds; nil hides it at once.
    func showBusy(_ label: String?, after delay: Double)
    /// A failed request's sentence (a lost connection included).
    func showError(_ message: String)
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
    /// Where `run` shows the busy label and errors; nil shows nothing (tests, the benchmark).
    public weak var display: RequestDisplay?

    private struct Busy: Equatable {
        let label: String
        let after: Double
    }
    private struct Job {
        let id: Int
        let slot: String?
        var owner: ObjectIdentifier?
        var busy: Busy?
        let sql: String
        let params: [SQLValue]
        let isWrite: Bool
        let finish: (Result<QueryResult, DatabaseError>) -> Void
        var cancelled = false
    }
    private var queue: [Job] = []
    private var inFlight: Job?
    private var jobs = 0
    private var shownBusy: Busy?

    public init(connection: Connection) {
        self.connection = connection
    }

    public var isBusy: Bool { inFlight != nil || !queue.isEmpty }

    /// The screens' one way to ask. While the request runs, `busy` shows (only once it has run
    /// `busyAfter` seconds, so an answer as fast as typing does not flicker); a failure shows
    /// its sentence unless `quiet` (the screen shows it in its own body); then `done` gets the
    /// result. The request belongs to `owner`, and goes with it (`release(owner:)`).
    public func run<T>(_ request: Request<T>, for owner: AnyObject?, busy: String? = nil, busyAfter: Double = 0,
                       slot: String? = nil, quiet: Bool = false,
                       done: @escaping (Result<T, UserError>) -> Void = { _ in }) {
        submit(request, slot: slot, owner: owner, busy: busy.map { Busy(label: $0, after: busyAfter) }) { [weak self] result in
            if case .failure(let e) = result, !quiet { self?.display?.showError(e.message) }
            done(result)
        }
    }

    public func submit<T>(_ request: Request<T>, slot: String? = nil,
                          completion: @escaping (Result<T, UserError>) -> Void) {
        submit(request, slot: slot, owner: nil, busy: nil, completion: completion)
    }

    private func submit<T>(_ request: Request<T>, slot: String?, owner: AnyObject?, busy: Busy?,
                           completion: @escaping (Result<T, UserError>) -> Void) {
        if let slot { cancel(slot: slot) }
        let decode = request.decode
        jobs += 1
        queue.append(Job(id: jobs, slot: slot, owner: owner.map(ObjectIdentifier.init), busy: busy,
                         sql: request.sql, params: request.params, isWrite: request.isWrite) { outcome in
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
        refreshBusy()
    }

    /// Drops queued requests of a slot and cancels one in flight (a newer search).
    public func cancel(slot: String) {
        cancel { $0.slot == slot }
    }

    /// A screen has gone: its lookups and reads are dropped or cancelled, since nobody waits
    /// for them. Its saves run to their end (cancelled half-way, nobody could tell whether
    /// they landed) and their answer still reaches `done`.
    public func release(owner: AnyObject) {
        let id = ObjectIdentifier(owner)
        cancel { $0.owner == id && ($0.slot != nil || !$0.isWrite) }
    }

    private func cancel(where matches: (Job) -> Bool) {
        queue.removeAll(where: matches)
        if let job = inFlight, matches(job) {
            connection.cancel()
            if !job.cancelled {
                inFlight?.cancelled = true
                cancelAgain(job.id, after: 0.1)
            }
        }
        refreshBusy()
    }

    /// The busy label of the oldest request still wanted, shown when it changes.
    private func refreshBusy() {
        let live = ([inFlight].compactMap { $0 } + queue).filter { !$0.cancelled }
        let busy = live.lazy.compactMap(\.busy).first
        guard busy != shownBusy else { return }
        shownBusy = busy
        display?.showBusy(busy?.label, after: busy?.after ?? 0)
    }

    /// Calls a request's completion once the busy label no longer counts it.
    private func finish(_ job: Job, _ outcome: Result<QueryResult, DatabaseError>) {
        refreshBusy()
        job.finish(outcome)
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
        guard inFlight != nil else { refreshBusy(); return connection.isAlive }
        inFlight = nil
        watchSocket(nil)
        refreshBusy()
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
            if job.cancelled { startNext(); refreshBusy(); return }
            if !job.isWrite {
                // A read can simply be asked again once the link is back.
                queue.insert(job, at: 0)
            } else {
                finish(job, .failure(e))
            }
            return
        }
        if job.cancelled { refreshBusy() } else { finish(job, outcome) }
        startNext()
        refreshBusy()
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
                if !job.isWrite { queue.insert(job, at: 0) } else { finish(job, .failure(e)) }
                return
            }
            finish(job, .failure(e))
            startNext()
        } catch {
            finish(job, .failure(.misuse("\(error)")))
        }
    }
}
