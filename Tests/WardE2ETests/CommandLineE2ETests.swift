import Foundation
import WardDB
import XCTest

final class CommandLineE2ETests: XCTestCase {
    func testNoDatabaseGivesGuidanceAndFails() throws {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        env["XDG_CONFIG_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("ward-none").path
        let out = try Spawn.run([TmuxSession.wardBinary], environment: env)
        XCTAssertEqual(out.status, 1)
        for needle in ["no database to connect to", "--dsn", "PGHOST", "ward demo"] {
            XCTAssertTrue(out.output.contains(needle), "guidance lacks \(needle):\n\(out.output)")
        }
    }

    /// Walks the command tree as `--help` prints it, so a new subcommand is checked without
    /// editing this test; the hidden ones are named here.
    func testEverySubcommandHasHelp() throws {
        var queue: [[String]] = [[], ["sandbox"], ["ui-preview"], ["bench"]]
        var seen: [[String]] = []
        while let args = queue.first {
            queue.removeFirst()
            seen.append(args)
            let out = try Spawn.run([TmuxSession.wardBinary] + args + ["--help"])
            XCTAssertEqual(out.status, 0, "ward \(args) --help: \(out.output)")
            XCTAssertTrue(out.output.contains("USAGE"), "ward \(args) --help printed no usage")
            guard let section = out.output.components(separatedBy: "SUBCOMMANDS:").dropFirst().first else { continue }
            for line in section.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().prefix(while: { !$0.isEmpty })
            where line.hasPrefix("  ") && !line.hasPrefix("   ") {
                if let name = line.split(separator: " ").first { queue.append(args + [String(name)]) }
            }
        }
        XCTAssertTrue(seen.contains(["keys", "rotate"]) && seen.contains(["staff", "add"]), "the walk found \(seen)")
    }
}

/// WARD_TEST_NOW pins `ward sandbox`'s database clock in a debug build, and a setgid copy
/// of the same binary ignores it (a release build compiles the reading out: TestClockTests).
final class PinnedClockE2ETests: XCTestCase {
    func sandboxYear(_ binary: String, pinnedAt: String) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["WARD_TEST_NOW"] = pinnedAt
        let out = try Spawn.run([binary, "sandbox", "--migrate", "--", "psql", "-Atc",
                                 "SELECT 'year ' || extract(year FROM ward.now())"], environment: env)
        XCTAssertEqual(out.status, 0, out.output)
        return out.output.split(separator: "\n").first { $0.hasPrefix("year ") }.map(String.init) ?? out.output
    }

    func testASetgidWardIgnoresThePinnedInstant() throws {
        guard getuid() == 0 else {
            throw XCTSkip("making a setgid copy for another group needs root; run as root (as CI does) to check it")
        }
        // The control: the debug binary honours it.
        XCTAssertEqual(try sandboxYear(TmuxSession.wardBinary, pinnedAt: "2041-06-01T12:00Z"), "year 2041")

        let dir = TmuxSession.packageRoot.appendingPathComponent(".build/setgid-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let copy = dir + "/ward"
        try FileManager.default.copyItem(atPath: TmuxSession.wardBinary, toPath: copy)
        XCTAssertEqual(chown(copy, 0, 65_534), 0)    // group nogroup
        XCTAssertEqual(chmod(copy, 0o2755), 0)       // setgid
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        XCTAssertEqual(try sandboxYear(copy, pinnedAt: "2041-06-01T12:00Z"), "year \(year)")
    }
}

/// `ward demo` from start to the login screen, and nothing left behind on any way out.
final class DemoE2ETests: XCTestCase {
    /// The cluster directory of one ward process, from its watchdog's arguments
    /// (`ward-watchdog <pid> <dir>`): other test runs on the machine may have clusters too.
    func clusterDirectory(of pid: pid_t) -> String? {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if let i = args.firstIndex(of: "ward-watchdog"), args.count > i + 2, args[i + 1] == String(pid) {
                return args[i + 2]
            }
        }
        return nil
    }

    func runDemo(thenEnd end: (TmuxSession, pid_t) -> Void) throws {
        let s = try TmuxSession.start(command: TmuxSession.wardScript(["demo"]))
        addTeardownBlock { s.close() }
        // How fast the demo starts is measured by `make bench`, not asserted here.
        _ = try s.waitFor(text: "Log in to your clinic", timeout: 60)
        let app = try s.appPID()
        let dir = try XCTUnwrap(clusterDirectory(of: app), "the demo's throwaway cluster")
        XCTAssertTrue(dir.contains("ward-pg-"), dir)
        let pidText = try String(contentsOfFile: dir + "/data/postmaster.pid", encoding: .utf8)
        let postmaster = try XCTUnwrap(pid_t(pidText.split(separator: "\n")[0]))
        end(s, app)
        _ = try s.waitFor(text: "EXIT=")
        XCTAssertTrue(TmuxSession.waitGone(app), "ward outlived its end")
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && (ThrowawayCluster.isRunning(postmaster) || FileManager.default.fileExists(atPath: dir)) {
            usleep(50_000)
        }
        XCTAssertFalse(ThrowawayCluster.isRunning(postmaster), "the demo's PostgreSQL outlived it")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir), "the demo's directory outlived it")
        XCTAssertTrue(s.capture().contains("ECHO=on"), "terminal echo restored")
    }

    func testQuit() throws {
        try runDemo { s, _ in s.sendKeys("F10") }
    }

    func testSIGTERM() throws {
        try runDemo { s, pid in s.kill(pid, signal: SIGTERM) }
    }

    func testSIGHUP() throws {
        try runDemo { s, pid in s.kill(pid, signal: SIGHUP) }
    }
}
