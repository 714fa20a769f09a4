import Foundation
import WardCore
import XCTest

final class LogTests: XCTestCase {
    func testDefaultPathFollowsXDG() {
        XCTAssertEqual(Log.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]), "/s/ward/ward.log")
        XCTAssertEqual(Log.defaultPath(environment: ["HOME": "/h"]), "/h/.local/state/ward/ward.log")
        XCTAssertEqual(Log.defaultPath(environment: ["XDG_STATE_HOME": "relative", "HOME": "/h"]),
                       "/h/.local/state/ward/ward.log", "a relative XDG path is ignored, as the spec says")
    }

    func testWritesOneLinePerEventAndRotates() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ward-log-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = Log(path: dir.appendingPathComponent("ward/ward.log").path, maxBytes: 200, keep: 2)
        log.info("start", ["version": "1"])
        log.error("query.failed", ["sqlstate": "23505\nforged line"])
        let text = try String(contentsOfFile: log.path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].hasSuffix("ERROR query.failed sqlstate=23505?forged line"), String(lines[1]))
        for i in 0..<20 { log.info("tick", ["n": String(i)]) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: log.path + ".1"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: log.path + ".2"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: log.path + ".3"), "keeps only two old files")
        let mode = try FileManager.default.attributesOfItem(atPath: log.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
    }
}
