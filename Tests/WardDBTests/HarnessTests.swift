import Foundation
import WardDB
import XCTest

final class HarnessTests: XCTestCase {
    func testStopLeavesNoProcessAndNoDirectory() throws {
        let c = try ThrowawayCluster.start()
        let pid = c.postmasterPID, dir = c.directory, watchdog = c.watchdogPID
        XCTAssertTrue(ThrowawayCluster.isRunning(pid))
        XCTAssertGreaterThan(watchdog, 0)
        XCTAssertEqual(try Connection(c.dsn()).query("SELECT 1 AS one").first?.int("one"), 1)
        // No TCP: the server listens on its socket directory only.
        XCTAssertEqual(try Connection(c.dsn()).query("SHOW listen_addresses").first?.string(0), "")

        c.stop()
        XCTAssertFalse(ThrowawayCluster.isRunning(pid), "postmaster \(pid) outlived stop()")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "\(dir) outlived stop()")
        XCTAssertFalse(ThrowawayCluster.isRunning(watchdog), "watchdog outlived stop()")
        c.stop()  // idempotent
    }

    /// A killed owner (kill -9: no cleanup code runs) still leaves nothing behind.
    func testKilledOwnerIsCleanedUpByWatchdog() throws {
        try assertCleanedUp(after: SIGKILL)
    }

    /// Ctrl-C and a dropped terminal take the signal path and clean up at once.
    func testInterruptedOwnerCleansUp() throws {
        try assertCleanedUp(after: SIGINT)
        try assertCleanedUp(after: SIGHUP)
    }

    func assertCleanedUp(after sig: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("ward-marker-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: marker) }
        let ward = Fixture.wardBinary
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: ward), "build ward first: \(ward)", file: file, line: line)
        let pid = try Spawn.start([ward, "sandbox", "--", "/bin/sh", "-c",
                                   "echo \"$PGHOST\" > \(marker.path); exec sleep 30"])
        var socketDir = ""
        let deadline = Date().addingTimeInterval(30)
        while socketDir.isEmpty && Date() < deadline {
            socketDir = ((try? String(contentsOf: marker, encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            usleep(50_000)
        }
        XCTAssertFalse(socketDir.isEmpty, "sandbox never ran its command", file: file, line: line)
        let dir = (socketDir as NSString).deletingLastPathComponent
        let pidText = try String(contentsOfFile: dir + "/data/postmaster.pid", encoding: .utf8)
        let postmaster = pid_t(pidText.split(separator: "\n")[0])!
        XCTAssertTrue(ThrowawayCluster.isRunning(postmaster), file: file, line: line)

        let child = try childPIDs(of: pid)
        kill(pid, sig)
        _ = Spawn.waitFor(pid)
        for c in child where sig == SIGKILL { kill(c, SIGKILL) }  // nothing could forward a SIGKILL
        let gone = Date().addingTimeInterval(10)
        while Date() < gone && (ThrowawayCluster.isRunning(postmaster) || FileManager.default.fileExists(atPath: dir)) {
            usleep(50_000)
        }
        XCTAssertFalse(ThrowawayCluster.isRunning(postmaster), "postmaster survived signal \(sig)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "\(dir) survived signal \(sig)", file: file, line: line)
        if sig != SIGKILL {
            usleep(200_000)
            for c in child { XCTAssertFalse(ThrowawayCluster.isRunning(c), "command \(c) outlived sandbox", file: file, line: line) }
        }
    }

    func childPIDs(of pid: pid_t) throws -> [pid_t] {
        // The command (sleep), not the watchdog, which must be left to do its job.
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0) }.filter {
            ((try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8)) ?? "").hasPrefix("sleep")
        }
    }
}
