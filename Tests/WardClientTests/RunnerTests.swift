import Foundation
import WardDB
import WardClient
import XCTest

/// The screens' one way to ask (`Backend.run`): the busy label, the error sentence and the
/// requests a screen leaves behind, against a real server.
final class RunnerTests: XCTestCase {
    nonisolated(unsafe) static var cluster: ThrowawayCluster?
    var backend: Backend!
    var watched: Int32?
    let display = RecordingDisplay()

    /// What the terminal would show, in order.
    final class RecordingDisplay: RequestDisplay {
        var busy: [String] = []
        var errors: [String] = []
        func showBusy(_ label: String?, after delay: Double) { busy.append(label.map { "\($0)/\(delay)" } ?? "idle") }
        func showError(_ message: String) { errors.append(message) }
    }

    override class func setUp() { cluster = try? ThrowawayCluster.start() }
    override class func tearDown() { cluster?.stop() }

    override func setUpWithError() throws {
        let c = try XCTUnwrap(Self.cluster)
        backend = Backend(connection: try Connection(c.dsn()))
        backend.watchSocket = { [unowned self] fd in watched = fd }
        backend.display = display
        backend.later = { [unowned self] seconds, body in timers.append((Date().addingTimeInterval(seconds), body)) }
    }
    var timers: [(due: Date, body: () -> Void)] = []

    func drain(seconds: Double = 20) {
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

    func testBusyShowsWhileARequestRunsAndEndsBeforeItsAnswerIsRead() {
        var busyWhenDone: [String] = []
        backend.run(Request("SELECT 1 AS v") { try $0.first!.int("v")! }, for: self, busy: "Searching",
                    busyAfter: 0.15) { [display] _ in busyWhenDone = display.busy }
        XCTAssertEqual(display.busy, ["Searching/0.15"])
        drain()
        XCTAssertEqual(busyWhenDone, ["Searching/0.15", "idle"], "the label is gone before the screen sees the answer")
        XCTAssertEqual(display.errors, [])
    }

    func testAFailureIsShownAsOneSentenceUnlessTheScreenShowsItItself() {
        var failed: UserError?
        let refused = Request("SELECT 1/0 AS v") { try $0.first!.int("v")! }
        backend.run(refused, for: self, busy: "Saving") { if case .failure(let e) = $0 { failed = e } }
        drain()
        XCTAssertEqual(display.errors, ["Some of the values were not accepted; check the fields."])
        XCTAssertEqual(failed?.message, display.errors.first, "the screen still gets the error (to mark a field)")
        backend.run(refused, for: self, quiet: true)
        drain()
        XCTAssertEqual(display.errors.count, 1, "a quiet request leaves the sentence to the screen")
        XCTAssertEqual(display.busy, ["Saving/0.0", "idle"])
    }

    /// A screen that goes takes its reads and lookups with it (cancelled, their answers never
    /// delivered, the busy label cleared); its save runs to its end and is answered.
    func testAScreenThatGoesDropsItsReadsButNotItsSaves() throws {
        final class Screen {}
        let leaving = Screen(), staying = Screen()
        var answers: [String] = []
        let started = Date()
        let slowRead = Request("SELECT 'read' AS v FROM pg_sleep(30)") { try $0.first!.string("v")! }
        let lookup = Request("SELECT 'lookup' AS v", isWrite: true) { try $0.first!.string("v")! }
        let save = Request("SELECT 'save' AS v", isWrite: true) { try $0.first!.string("v")! }
        let other = Request("SELECT 'other' AS v") { try $0.first!.string("v")! }
        backend.run(slowRead, for: leaving, busy: "Loading") { if case .success(let v) = $0 { answers.append(v) } }
        backend.run(lookup, for: leaving, slot: "search") { if case .success(let v) = $0 { answers.append(v) } }
        backend.run(save, for: leaving, busy: "Saving") { if case .success(let v) = $0 { answers.append(v) } }
        backend.run(other, for: staying) { if case .success(let v) = $0 { answers.append(v) } }
        backend.release(owner: leaving)
        drain(seconds: 40)
        XCTAssertEqual(answers, ["save", "other"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "the 30 s read was cancelled, not waited for")
        XCTAssertEqual(display.busy, ["Loading/0.0", "Saving/0.0", "idle"])
        XCTAssertEqual(display.errors, [], "a cancelled read is not an error the user must read")
    }
}
