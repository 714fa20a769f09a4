import Foundation
import WardDB
import XCTest

/// A test class that drives the real `ward` against its own throwaway cluster, set up the
/// way an operator would: `ward keys init`, `ward migrate`, `ward seed --demo` (whose
/// sensitive fields are sealed under that master key, which `ward` then needs too).
class DemoE2ECase: XCTestCase {
    struct Deployment {
        var cluster: ThrowawayCluster?
        var keyDirectory = ""
        var setupError: String?
    }
    nonisolated(unsafe) static var deployments: [ObjectIdentifier: Deployment] = [:]

    override class func setUp() {
        var d = Deployment()
        defer { deployments[ObjectIdentifier(self)] = d }
        do {
            let c = try ThrowawayCluster.start()
            d.cluster = c
            d.keyDirectory = c.directory + "/keys"
            try Connection(c.dsn()).executeScript("CREATE DATABASE ward")
            let key = d.keyDirectory + "/master.key"
            for args in [["keys", "init", "--file", key], ["migrate", "--dsn", c.dsn(database: "ward")],
                         ["seed", "--demo", "--key-file", key, "--dsn", c.dsn(database: "ward")]] {
                let out = try Spawn.run([TmuxSession.wardBinary] + args)
                if out.status != 0 { d.setupError = "ward \(args): \(out.output)"; return }
            }
        } catch {
            d.setupError = "\(error)"
        }
    }

    override class func tearDown() {
        deployments.removeValue(forKey: ObjectIdentifier(self))?.cluster?.stop()
    }

    private var deployment: Deployment { Self.deployments[ObjectIdentifier(type(of: self))] ?? Deployment() }

    /// The cluster, or the reason setting it up failed (as the test's error).
    func cluster() throws -> ThrowawayCluster {
        let d = deployment
        if let e = d.setupError { throw SpawnError(e) }
        guard let c = d.cluster else { throw SpawnError("no cluster") }
        return c
    }

    var keyFile: String { deployment.keyDirectory + "/master.key" }
    func ownerDSN() throws -> String { try cluster().dsn(database: "ward") }
    func appDSN() throws -> String { try cluster().dsn(database: "ward", user: "ward_app") }

    /// `ward` connected as ward_app, at its login screen.
    func startWard(_ extra: [String] = [], env: [String: String] = [:]) throws -> TmuxSession {
        let s = try TmuxSession.start(command: TmuxSession.wardScript(["--dsn", try appDSN(), "--key-file", keyFile] + extra,
                                                                      env: env))
        addTeardownBlock { s.close() }
        _ = try s.waitFor(text: "Log in to your clinic")
        return s
    }

    /// Types the login form; the caller waits for what it expects next.
    func login(_ s: TmuxSession, clinic: String, user: String, password: String = "clinic-demo") {
        s.typeText(clinic); s.sendKeys("Tab")
        s.typeText(user); s.sendKeys("Tab")
        s.typeText(password); s.sendKeys("Enter")
    }
}
