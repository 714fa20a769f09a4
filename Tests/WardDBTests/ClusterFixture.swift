import Foundation
import WardDB
import XCTest

/// One throwaway cluster for all WardDB tests in this process; each test gets a fresh
/// database in it so tests cannot see each other's tables.
enum Fixture {
    nonisolated(unsafe) private static var shared: ThrowawayCluster?
    private static let lock = NSLock()

    static func cluster() throws -> ThrowawayCluster {
        lock.lock()
        defer { lock.unlock() }
        if let shared { return shared }
        let c = try ThrowawayCluster.start()
        shared = c
        return c
    }

    /// A new empty database and an administrator connection to it.
    static func freshDatabase() throws -> (ThrowawayCluster, String, Connection) {
        let c = try cluster()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let admin = try Connection(c.dsn())
        // An identifier cannot be a parameter; the name is made here from hex digits only.
        try admin.executeScript("CREATE DATABASE \(name)")
        return (c, name, try Connection(c.dsn(database: name)))
    }

    /// The repository root, found from this file's path.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var wardBinary: String {
        ProcessInfo.processInfo.environment["WARD_BIN"]
            ?? packageRoot.appendingPathComponent(".build/debug/ward").path
    }
}
