import Foundation
import WardDB
import XCTest

/// The master key from the outside: `ward keys rotate` on a demo database (progress,
/// interruption and resume, removing the old version), `ward` refusing a missing, wrong
/// or world-readable key before anything is written, the record screen showing a moved
/// ciphertext as unreadable, and a setgid `ward` dropping its group after reading the key.
final class KeysE2ETests: XCTestCase {
    nonisolated(unsafe) static var cluster: ThrowawayCluster?
    nonisolated(unsafe) static var setupError: String?
    static let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ward-keys-e2e-\(UUID().uuidString)").path
    static var keyFile: String { dir + "/master.key" }

    override class func setUp() {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, 0o755)
            let c = try ThrowawayCluster.start()
            cluster = c
            try Connection(c.dsn()).executeScript("CREATE DATABASE ward")
            for args in [["keys", "init", "--file", keyFile], ["migrate", "--dsn", c.dsn(database: "ward")],
                         ["seed", "--demo", "--dsn", c.dsn(database: "ward"), "--key-file", keyFile]] {
                let out = try Spawn.run([TmuxSession.wardBinary] + args)
                if out.status != 0 { setupError = "ward \(args): \(out.output)"; return }
            }
        } catch {
            setupError = "\(error)"
        }
    }

    override class func tearDown() {
        cluster?.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A private copy of the seeded database, so tests that change keys do not meet.
    func database() throws -> (owner: String, app: String, conn: Connection) {
        if let e = Self.setupError { throw SpawnError(e) }
        let c = try XCTUnwrap(Self.cluster)
        let name = "k_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        // A database name cannot be a parameter; this one is made of hex digits.
        try Connection(c.dsn()).executeScript("CREATE DATABASE \(name) TEMPLATE ward")
        return (c.dsn(database: name), c.dsn(database: name, user: "ward_app"), try Connection(c.dsn(database: name)))
    }

    func ward(_ args: [String]) throws -> Spawn.Outcome {
        try Spawn.run([TmuxSession.wardBinary] + args)
    }

    func otherKey() throws -> String {
        let path = Self.dir + "/other-\(UUID().uuidString).key"
        XCTAssertEqual(try ward(["keys", "init", "--file", path]).status, 0)
        return path
    }

    /// Everything a run could have written: keys, the check value, audit events, sessions.
    func footprint(_ c: Connection) throws -> [Int] {
        try ["ward.data_keys", "ward.portable_keys", "ward.key_check", "ward.audit_events", "ward.sessions"].map {
            try c.query("SELECT count(*) AS n FROM \($0)").first!.int("n")!
        }
    }

    func testRotateWithMissingOrWrongKeyExplainsAndWritesNothing() throws {
        let db = try database()
        let before = try footprint(db.conn)
        let missing = try ward(["keys", "rotate", "--dsn", db.owner, "--key-file", Self.dir + "/none.key"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.output.contains("the master key file \(Self.dir)/none.key does not exist"), missing.output)
        let wrong = try ward(["keys", "rotate", "--dsn", db.owner, "--key-file", try otherKey()])
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.output.contains("does not match this database's keys"), wrong.output)
        XCTAssertFalse(wrong.output.contains("new key version"), wrong.output)
        XCTAssertEqual(try footprint(db.conn), before)
    }

    func testRotateIsResumableAndTheOldVersionRemovable() throws {
        let db = try database()
        let count = "SELECT count(*) AS n FROM ward.clinical_notes n JOIN ward.tenants t ON t.id = n.tenant_id WHERE t.code = 'northside' AND ward.sealed_version(n.body) = $1"
        let notes = try db.conn.query(count, [1]).first!.int("n")!
        let first = try ward(["keys", "rotate", "--clinic", "northside", "--dsn", db.owner, "--key-file", Self.keyFile,
                              "--batch-size", "3", "--max-batches", "1"])
        XCTAssertEqual(first.status, 3, first.output)
        XCTAssertTrue(first.output.contains("northside: new key version 2"), first.output)
        XCTAssertTrue(first.output.contains("northside: 3/"), first.output)
        XCTAssertTrue(first.output.contains("run the same command again to continue"), first.output)
        // Signatures come first: 3 of them are done, the notes are all still under version 1.
        XCTAssertEqual(try db.conn.query(count, [1]).first!.int("n"), notes)

        let again = try ward(["keys", "rotate", "--clinic", "northside", "--dsn", db.owner, "--key-file", Self.keyFile,
                              "--batch-size", "3", "--remove-old"])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("northside: continuing the rotation to key version 2"), again.output)
        XCTAssertTrue(again.output.contains("northside: removed key version(s) 1"), again.output)
        XCTAssertEqual(try db.conn.query(count, [1]).first!.int("n"), 0)
        XCTAssertEqual(try db.conn.query(count, [2]).first!.int("n"), notes)
        XCTAssertEqual(try db.conn.query("""
            SELECT array_to_string(array_agg(k.version), ',') AS v FROM ward.data_keys k JOIN ward.tenants t ON t.id = k.tenant_id
             WHERE t.code = 'northside'
            """).first!.string("v"), "2")
        XCTAssertEqual(try db.conn.query("SELECT count(*) AS n FROM ward.data_keys WHERE version <> 1").first!.int("n"), 1,
                       "other clinics keep their keys")
    }

    func testWardRefusesAMissingWrongOrWorldReadableKeyBeforeAnythingIsWritten() throws {
        let db = try database()
        let before = try footprint(db.conn)
        let open = Self.dir + "/open-\(UUID().uuidString).key"
        XCTAssertEqual(try ward(["keys", "init", "--file", open]).status, 0)
        chmod(open, 0o644)
        let cases: [(String, String)] = [
            (Self.dir + "/none.key", "does not exist"),
            (try otherKey(), "does not match this database's keys"),
            (open, "is readable by other users; run chmod 600"),
        ]
        for (key, sentence) in cases {
            // The key is checked before the terminal is taken over, so no tty is needed here.
            let out = try ward(["--dsn", db.app, "--key-file", key])
            XCTAssertEqual(out.status, 1, out.output)
            XCTAssertTrue(out.output.contains(sentence), "\(key): \(out.output)")
        }
        // The config file's key_file is where the key is looked for when no flag names one.
        let config = Self.dir + "/config-\(UUID().uuidString).toml"
        try "key_file = \"\(Self.dir)/from-config.key\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let fromConfig = try ward(["--dsn", db.app, "--config", config])
        XCTAssertEqual(fromConfig.status, 1, fromConfig.output)
        XCTAssertTrue(fromConfig.output.contains("the master key file \(Self.dir)/from-config.key does not exist"), fromConfig.output)
        XCTAssertEqual(try footprint(db.conn), before, "no login, session or audit event was written")
        // The control: the right key opens the login screen.
        let s = try TmuxSession.start(command: TmuxSession.wardScript(["--dsn", db.app, "--key-file", Self.keyFile]))
        defer { s.close() }
        _ = try s.waitFor(text: "Log in to your clinic")
    }

    /// `ward demo --keep DIR` keeps its key beside the database; a different or damaged key
    /// there stops the next start with a sentence, before the UI.
    func testKeptDemoRefusesAWrongOrDamagedKey() throws {
        let keep = Self.dir + "/demo-\(UUID().uuidString.prefix(8))"
        let s = try TmuxSession.start(command: TmuxSession.wardScript(["demo", "--keep", keep]))
        defer { s.close() }
        _ = try s.waitFor(text: "Log in to your clinic", timeout: 60)
        s.sendKeys("F10")
        _ = try s.waitFor(text: "EXIT=0")
        XCTAssertTrue(FileManager.default.fileExists(atPath: keep + "/master.key"), "the demo's key is kept with its database")

        try FileManager.default.removeItem(atPath: keep + "/master.key")
        XCTAssertEqual(try ward(["keys", "init", "--file", keep + "/master.key"]).status, 0)
        let wrong = try ward(["demo", "--keep", keep])
        XCTAssertEqual(wrong.status, 1, wrong.output)
        XCTAssertTrue(wrong.output.contains("the master key in \(keep)/master.key does not match this database's keys"), wrong.output)

        try "not a key\n".write(toFile: keep + "/master.key", atomically: false, encoding: .utf8)
        let damaged = try ward(["demo", "--keep", keep])
        XCTAssertEqual(damaged.status, 1, damaged.output)
        XCTAssertTrue(damaged.output.contains("\(keep)/master.key is not a Ward master key file"), damaged.output)
    }

    func testRecordScreenShowsAMovedCiphertextAsUnreadable() throws {
        let db = try database()
        // Someone with write access to the database swaps José's and Zoë's allergies.
        try db.conn.query("""
            UPDATE ward.patients p SET allergies = o.allergies FROM ward.patients o
             WHERE (p.family_name, o.family_name) IN (('Álvarez', 'Ng'), ('Ng', 'Álvarez'))
            """)
        let s = try TmuxSession.start(command: TmuxSession.wardScript(["--dsn", db.app, "--key-file", Self.keyFile]))
        defer { s.close() }
        _ = try s.waitFor(text: "Log in to your clinic")
        s.typeText("northside"); s.sendKeys("Tab")
        s.typeText("fiona"); s.sendKeys("Tab")
        s.typeText("clinic-demo"); s.sendKeys("Enter")
        _ = try s.waitFor(text: "Fiona Reyes (front_desk)")
        s.sendKeys("s")
        s.typeText("jose")
        _ = try s.waitFor(text: "Álvarez, José")
        s.sendKeys("Enter")
        var screen = try s.waitFor(text: "ALLERGIES: This record cannot be read (its encryption does not match)")
        XCTAssertFalse(screen.contains { $0.contains("Latex") || $0.contains("Zoë") }, "Zoë's allergies showed on José's record")
        XCTAssertEqual(screen.count, 24)
        // The control: an untouched record still opens.
        s.sendKeys("Escape")
        s.sendKeys("C-u")
        s.typeText("mary")
        _ = try s.waitFor(text: "O'Brien, Mary")
        s.sendKeys("Enter")
        screen = try s.waitFor(text: "ALLERGIES: Aspirin")
        XCTAssertFalse(screen.contains { $0.contains("cannot be read") })
    }

    /// Shared hosts: `ward` installed setgid to a group that alone may read the key reads it
    /// at start and gives the group up at once (real, effective and saved group ids).
    func testSetgidWardReadsTheKeyThenDropsTheGroup() throws {
        let sg = Self.dir + "/setgid-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: sg, withIntermediateDirectories: true)
        chmod(sg, 0o755)
        let binary = sg + "/ward", key = sg + "/master.key"
        try FileManager.default.copyItem(atPath: TmuxSession.wardBinary, toPath: binary)
        try FileManager.default.copyItem(atPath: Self.keyFile, toPath: key)
        // The postgres group stands in for a 'ward' group: it exists here and nobody is not in it.
        let group = try XCTUnwrap(getgrnam("postgres")).pointee.gr_gid
        XCTAssertEqual(chown(binary, 0, group), 0)
        XCTAssertEqual(chown(key, 0, group), 0)
        chmod(key, 0o640)

        func runAsNobody() throws -> Spawn.Outcome {
            try Spawn.run(["runuser", "-u", "nobody", "--", "env", "WARD_KEY_FILE=" + key, binary, "keys", "check"])
        }
        // The control: without the setgid bit, nobody cannot read the key.
        chmod(binary, 0o755)
        let plain = try runAsNobody()
        XCTAssertNotEqual(plain.status, 0)
        XCTAssertTrue(plain.output.contains("cannot read the master key file \(key): Permission denied"), plain.output)

        chmod(binary, 0o2755)
        let out = try runAsNobody()
        XCTAssertEqual(out.status, 0, out.output)
        XCTAssertTrue(out.output.contains("master key \(key) is readable and well-formed"), out.output)
        let nobody = try XCTUnwrap(getpwnam("nobody")).pointee.pw_gid
        XCTAssertTrue(out.output.contains("group ids (real, effective, saved, filesystem): \(nobody) \(nobody) \(nobody) \(nobody)"),
                      "the ward group is still held after start: \(out.output)")
    }
}
