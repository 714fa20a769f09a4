import Foundation
import WardDB
import WardClient
import XCTest

/// The backend against a real server, driven the way the event loop drives it.
final class BackendTests: XCTestCase {
    nonisolated(unsafe) static var cluster: ThrowawayCluster?
    var backend: Backend!
    var watched: Int32?

    override class func setUp() {
        cluster = try? ThrowawayCluster.start()
    }

    override class func tearDown() {
        cluster?.stop()
    }

    override func setUpWithError() throws {
        let c = try XCTUnwrap(Self.cluster)
        backend = Backend(connection: try Connection(c.dsn()))
        backend.watchSocket = { [unowned self] fd in watched = fd }
        backend.later = { [unowned self] seconds, body in timers.append((Date().addingTimeInterval(seconds), body)) }
    }
    var timers: [(due: Date, body: () -> Void)] = []

    /// What the event loop does: wait on the socket, tell the backend, until idle.
    func drain(seconds: Double = 5) {
        let deadline = Date().addingTimeInterval(seconds)
        while backend.isBusy && Date() < deadline {
            guard let fd = watched else { return }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 50) > 0 { backend.socketReadable() }
            let due = timers.filter { $0.due <= Date() }
            timers.removeAll { $0.due <= Date() }
            for t in due { t.body() }
        }
    }

    func testRequestRunsInTheSession() {
        backend.token = "tok-xyz"
        var got: String?
        backend.submit(Request("SELECT current_setting('ward.session', true) AS s") { try $0.first!.string("s")! }) {
            got = try? $0.get()
        }
        drain()
        XCTAssertEqual(got, "tok-xyz")
    }

    func testNewerSearchReplacesOlder() {
        var answers: [String] = []
        let slow = Request("SELECT 'old' AS v FROM pg_sleep(60)") { try $0.first!.string("v")! }
        let fast = Request("SELECT 'new' AS v") { try $0.first!.string("v")! }
        let started = Date()
        backend.submit(slow, slot: "search") { if case .success(let v) = $0 { answers.append(v) } }
        backend.submit(fast, slot: "search") { if case .success(let v) = $0 { answers.append(v) } }
        // Generous limits for a loaded machine; an uncancelled search would take 60 s.
        drain(seconds: 60)
        XCTAssertEqual(answers, ["new"], "the older search must be cancelled, not answered")
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "the old query was cancelled, not waited for")
    }

    /// PostgreSQL drops a cancel that arrives while it is still reading the query: here the
    /// server process is frozen (SIGSTOP) while both searches are sent, so the first cancel
    /// is surely lost. Only a cancel sent again stops the old search before its 30 s timeout.
    func testACancelTheServerIgnoredIsSentAgain() throws {
        var answers: [String] = []
        let pid = backend.connection.backendPID
        XCTAssertGreaterThan(pid, 0)
        let started = Date()
        XCTAssertEqual(kill(pid, SIGSTOP), 0)
        backend.submit(Request("SELECT 'old' AS v FROM pg_sleep(60)") { try $0.first!.string("v")! }, slot: "search") {
            if case .success(let v) = $0 { answers.append(v) }
        }
        backend.submit(Request("SELECT 'new' AS v") { try $0.first!.string("v")! }, slot: "search") {
            if case .success(let v) = $0 { answers.append(v) }
        }
        usleep(300_000)
        XCTAssertEqual(kill(pid, SIGCONT), 0)
        drain(seconds: 60)
        XCTAssertEqual(answers, ["new"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the old search ran until its timeout: the cancel was not sent again")
    }

    /// The way out (SIGHUP, quit during a save) cancels and waits a bounded time; the first
    /// cancel is lost the same way, and only a repeated one stops the request before ward goes.
    func testStoppingRepeatsACancelTheServerIgnored() throws {
        let pid = backend.connection.backendPID
        XCTAssertEqual(kill(pid, SIGSTOP), 0)
        backend.submit(Request("SELECT 'old' AS v FROM pg_sleep(60)") { try $0.first!.string("v")! }) { _ in }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { kill(pid, SIGCONT) }
        XCTAssertTrue(backend.stop(within: 5), "the request was cancelled and the connection is idle")
        XCTAssertEqual(try backend.connection.query("SELECT 1 AS one").first?.int("one"), 1)
    }

    func testRawErrorsBecomeSentences() {
        var err: UserError?
        backend.submit(Request("SELECT * FROM no_such_table") { _ in () }) {
            if case .failure(let e) = $0 { err = e }
        }
        drain()
        XCTAssertNotNil(err)
        XCTAssertFalse(err!.message.contains("no_such_table"), "raw SQL error leaked: \(err!.message)")
        XCTAssertEqual(err?.sqlState, "42P01")
    }

    func testOwnRaiseMessagesPassThrough() {
        var err: UserError?
        backend.submit(Request("""
            DO $$ BEGIN RAISE EXCEPTION 'date of birth is in the future' USING HINT = 'field:dob'; END $$
            """) { _ in () }) { if case .failure(let e) = $0 { err = e } }
        drain()
        XCTAssertEqual(err?.message, "Date of birth is in the future.")
        XCTAssertEqual(err?.field, "dob")
    }

    func testLostConnectionRetriesReadsButNotWrites() throws {
        let admin = try Connection(Self.cluster!.dsn())
        let victim = try backend.connection.query("SELECT pg_backend_pid() AS p").first!.int("p")!
        try admin.query("SELECT pg_terminate_backend($1)", [victim])
        var states: [Bool] = []
        backend.onConnectionState = { states.append($0) }
        var read: Int?, write: UserError?
        backend.submit(Request("SELECT 41 + 1 AS v") { try $0.first!.int("v")! }) { read = try? $0.get() }
        drain()
        backend.submit(Request("SELECT 1", isWrite: true) { _ in () }) { if case .failure(let e) = $0 { write = e } }
        XCTAssertEqual(states.first, false)
        XCTAssertNil(read, "no answer while the link is down")
        XCTAssertTrue(backend.reconnect())
        drain()
        XCTAssertEqual(read, 42, "the read went out again after reconnecting")
        XCTAssertNil(write, "a write queued while down is sent after reconnecting, once")
    }
}
