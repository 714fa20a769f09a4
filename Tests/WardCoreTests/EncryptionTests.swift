import Crypto
import Foundation
import WardCore
import WardDB
import XCTest

/// A master key in a fresh private directory, for tests that seed the demo.
enum TestKeys {
    static func fresh() throws -> MasterKey {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ward-test-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try MasterKey.create(at: dir.appendingPathComponent("master.key").path)
    }
}

/// Encryption at rest on a real demo database: what a dump shows, what a moved ciphertext
/// does, rotation (complete, interrupted and resumed), upgrades from plaintext, wrong keys.
final class EncryptionTests: XCTestCase {
    nonisolated(unsafe) static var cluster: ThrowawayCluster?
    nonisolated(unsafe) static var master: MasterKey?

    /// Values the demo stores encrypted: none may appear in a dump.
    static let demoSecrets = ["Penicillin", "Latex", "Sulfa drugs", "Aspirin", "Peanuts", "Codeine", "Ibuprofen",
                              "History taken, examination unremarkable", "Plan: review in four weeks",
                              "José Álvarez", "Zoë Ng", "Mary O'Brien", "Liam Murphy"]

    override class func setUp() {
        guard let c = try? ThrowawayCluster.start(), let key = try? TestKeys.fresh() else { return }
        cluster = c
        master = key
        try? Connection(c.dsn()).executeScript("CREATE DATABASE crypt_template")
        if let conn = try? Connection(c.dsn(database: "crypt_template")) {
            _ = try? Migrator(connection: conn).migrate()
            _ = try? DemoSeed.load(conn, masterKey: key)
        }
    }

    override class func tearDown() { cluster?.stop() }

    /// A fresh copy of the seeded demo: its name and an owner (superuser) connection.
    func copy() throws -> (name: String, owner: Connection) {
        let c = try XCTUnwrap(Self.cluster, "no cluster")
        let name = "e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        // A database name cannot be a parameter; this one is made of hex digits.
        try Connection(c.dsn()).executeScript("CREATE DATABASE \(name) TEMPLATE crypt_template")
        return (name, try Connection(c.dsn(database: name)))
    }

    var master: MasterKey { get throws { try XCTUnwrap(Self.master) } }

    /// Every note of a clinic as the terminal reads them through the api: each chart's note
    /// headings, then each note whole ($1: the clinic's patient ids, from notePatients).
    static let clinicNotes = """
        SELECT n.note_id, (SELECT b.body FROM api.note(n.note_id) b) AS body
          FROM unnest($1::uuid[]) p (id), LATERAL api.patient_notes(p.id) n
        """

    /// The patient ids of a clinic's charts, as an array literal for clinicNotes (as the owner).
    func notePatients(_ clinic: String, _ owner: Connection) throws -> String {
        try owner.query("""
            SELECT '{' || string_agg(cp.patient_id::text, ',') || '}' AS ids
              FROM ward.clinic_patients cp JOIN ward.tenants t ON t.id = cp.tenant_id WHERE t.code = $1
            """, [clinic]).first!.string("ids")!
    }

    func tenant(_ code: String, _ c: Connection) throws -> UUID {
        try XCTUnwrap(try c.query("SELECT id FROM ward.tenants WHERE code = $1", [code]).first?.uuid("id"))
    }

    func patient(_ family: String, _ c: Connection) throws -> UUID {
        try XCTUnwrap(try c.query("SELECT id FROM ward.patients WHERE family_name = $1", [family]).first?.uuid("id"))
    }

    /// What a clinic's terminal does after login: its session's wrapped keys, unwrapped.
    func sessionRings(_ database: String, clinic: String, user: String) throws -> (Connection, String, KeyRing, KeyRing) {
        let app = try Connection(try XCTUnwrap(Self.cluster).dsn(database: database, user: "ward_app"))
        XCTAssertEqual(app.user, "ward_app")
        let token = try XCTUnwrap(try app.query("SELECT api.login($1, $2, 'clinic-demo') AS t", [clinic, user]).first?.string("t"))
        var rings: [String: KeyRing] = [:]
        try app.withSession(token) { c in
            for r in try c.query("SELECT scope, version, wrapped FROM api.session_keys()").rows {
                let scope = try r.string("scope")!
                var ring = rings[scope] ?? KeyRing(scope: scope)
                try ring.add(wrapped: try r.bytes("wrapped")!, version: try r.int("version")!, master: try master)
                rings[scope] = ring
            }
        }
        XCTAssertEqual(rings.count, 2, "one clinic's keys and the portable keys")
        let clinicRing = try XCTUnwrap(rings.first { $0.key != KeyScope.portable }?.value)
        return (app, token, clinicRing, try XCTUnwrap(rings[KeyScope.portable]))
    }

    func testDumpOfTheDemoDatabaseHoldsNoSensitivePlaintext() throws {
        let (name, _) = try copy()
        let dump = try Spawn.run(["/usr/lib/postgresql/15/bin/pg_dump", "--dbname=" + (try XCTUnwrap(Self.cluster)).dsn(database: name)])
        XCTAssertEqual(dump.status, 0, dump.output)
        // The control: the dump is real and holds the plaintext that is meant to be there.
        XCTAssertTrue(dump.output.contains("Álvarez") && dump.output.contains("Consultation"), "names and titles stay searchable")
        for secret in Self.demoSecrets {
            XCTAssertFalse(dump.output.contains(secret), "the dump shows \(secret) in plain text")
        }
    }

    func testEveryDemoValueOpensForItsOwnClinicAndRow() throws {
        let (db, owner) = try copy()
        let northPatients = try notePatients("northside", owner)
        let (app, token, north, portable) = try sessionRings(db, clinic: "northside", user: "sam")
        try app.withSession(token) { c in
            let jose = try c.query("SELECT patient_id FROM api.search_patients('alvarez')").first!.uuid("patient_id")!
            let profile = try c.query("SELECT allergies FROM api.open_patient($1)", [jose]).first!
            XCTAssertEqual(try portable.open(try profile.bytes("allergies")!, .allergies, row: jose), "Penicillin")
            let notes = try c.query(Self.clinicNotes, [northPatients]).rows
            XCTAssertFalse(notes.isEmpty)
            for n in notes {
                XCTAssertTrue(try north.open(try n.bytes("body")!, .noteBody, row: try n.uuid("note_id")!).contains("Seen at Northside"))
            }
            let consent = try c.query("SELECT consent_id, signature FROM api.patient_consents($1)", [jose]).first!
            XCTAssertEqual(try north.open(try consent.bytes("signature")!, .signature, row: try consent.uuid("consent_id")!), "José Álvarez")
        }
    }

    func testCiphertextMovedToAnotherRowOrClinicDoesNotOpen() throws {
        let (db, owner) = try copy()
        let jose = try patient("Álvarez", owner), zoe = try patient("Ng", owner)
        // Someone with write access to the database swaps two patients' allergies...
        try owner.query("""
            UPDATE ward.patients p SET allergies = o.allergies FROM ward.patients o
             WHERE (p.id, o.id) IN (($1::uuid, $2::uuid), ($2::uuid, $1::uuid))
            """, [jose, zoe])
        // ... and copies a northside note body and signature over riverside's rows.
        let north = try tenant("northside", owner), river = try tenant("riverside", owner)
        try owner.query("ALTER TABLE ward.clinical_notes DISABLE TRIGGER clinical_notes_immutable")
        try owner.query("""
            UPDATE ward.clinical_notes SET body = (SELECT body FROM ward.clinical_notes WHERE tenant_id = $1 ORDER BY id LIMIT 1)
             WHERE tenant_id = $2
            """, [north, river])
        try owner.query("""
            UPDATE ward.profile_consents SET signature = (SELECT signature FROM ward.profile_consents WHERE tenant_id = $1 AND patient_id = $3)
             WHERE tenant_id = $2 AND patient_id = $3
            """, [north, river, jose])
        // A northside note copied to another northside note: same clinic, other row.
        let northNotes = try owner.query("SELECT id, body FROM ward.clinical_notes WHERE tenant_id = $1 ORDER BY id LIMIT 2", [north]).rows
        try owner.query("UPDATE ward.clinical_notes SET body = $1 WHERE id = $2 AND tenant_id = $3",
                        [SQLValue.bytes(try northNotes[0].bytes("body")!), try northNotes[1].uuid("id")!, north])

        let (app, token, northRing, portable) = try sessionRings(db, clinic: "northside", user: "sam")
        try app.withSession(token) { c in
            for id in [jose, zoe] {
                let sealed = try c.query("SELECT allergies FROM api.open_patient($1)", [id]).first!.bytes("allergies")!
                XCTAssertThrowsError(try portable.open(sealed, .allergies, row: id)) { XCTAssertEqual($0 as? KeyError, .cannotDecrypt) }
            }
            let mary = try c.query("SELECT patient_id FROM api.search_patients('mary')").first!.uuid("patient_id")!
            let maryAllergies = try c.query("SELECT allergies FROM api.open_patient($1)", [mary]).first!.bytes("allergies")!
            XCTAssertEqual(try portable.open(maryAllergies, .allergies, row: mary), "Aspirin", "the untouched rows still open")
            let moved = try northNotes[1].uuid("id")!
            let body = try c.query("SELECT body FROM api.note($1)", [moved]).first!.bytes("body")!
            XCTAssertThrowsError(try northRing.open(body, .noteBody, row: moved), "a body copied to another note of the same clinic")
        }
        let (rapp, rtoken, riverRing, _) = try sessionRings(db, clinic: "riverside", user: "victor")
        try rapp.withSession(rtoken) { c in
            let notes = try c.query(Self.clinicNotes, [try notePatients("riverside", owner)]).rows
            XCTAssertFalse(notes.isEmpty)
            for n in notes {
                XCTAssertThrowsError(try riverRing.open(try n.bytes("body")!, .noteBody, row: try n.uuid("note_id")!),
                                     "a northside body copied into a riverside note")
            }
            let consent = try c.query("SELECT consent_id, signature FROM api.patient_consents($1)", [jose]).first!
            XCTAssertThrowsError(try riverRing.open(try consent.bytes("signature")!, .signature, row: try consent.uuid("consent_id")!))
        }
    }

    func testRotationReencryptsEverythingAndTheOldVersionCanBeRemoved() throws {
        let (db, owner) = try copy()
        let before = try owner.query("SELECT body FROM ward.clinical_notes ORDER BY id LIMIT 1").first!.bytes("body")!
        let admin = KeyAdmin(connection: owner, masterKey: try master)
        var rings: [KeyRing] = []
        for t in try admin.targets(clinic: nil) {
            let ring = try admin.addVersion(t, to: try admin.ring(t))
            XCTAssertEqual(ring.current, 2)
            XCTAssertGreaterThan(try admin.pending(t, version: 2), 0)
            XCTAssertThrowsError(try admin.removeOldVersions(t, ring: ring), "version 1 is still in use before re-encryption")
            let s = try admin.reseal(t, ring: ring, batchSize: 7)
            XCTAssertEqual(s.unreadable, 0)
            XCTAssertEqual(try admin.pending(t, version: 2), 0)
            XCTAssertEqual(try admin.removeOldVersions(t, ring: ring), [1])
            rings.append(ring)
        }
        XCTAssertEqual(try owner.query("""
            SELECT (SELECT count(*) FROM ward.data_keys WHERE version <> 2) + (SELECT count(*) FROM ward.portable_keys WHERE version <> 2) AS n
            """).first!.int("n"), 0, "only version 2 is left")
        let after = try owner.query("SELECT body FROM ward.clinical_notes ORDER BY id LIMIT 1").first!.bytes("body")!
        XCTAssertNotEqual(before, after)
        XCTAssertEqual(FieldCipher.version(of: after), 2)
        // A terminal logging in now has only version 2 and still reads everything.
        let (app, token, north, portable) = try sessionRings(db, clinic: "northside", user: "sam")
        XCTAssertEqual(Array(north.keys.keys), [2])
        try app.withSession(token) { c in
            for n in try c.query(Self.clinicNotes, [try notePatients("northside", owner)]).rows {
                XCTAssertTrue(try north.open(try n.bytes("body")!, .noteBody, row: try n.uuid("note_id")!).hasPrefix("Seen at"))
            }
            let jose = try c.query("SELECT patient_id FROM api.search_patients('alvarez')").first!.uuid("patient_id")!
            let sealed = try c.query("SELECT allergies FROM api.open_patient($1)", [jose]).first!.bytes("allergies")!
            XCTAssertEqual(try portable.open(sealed, .allergies, row: jose), "Penicillin")
        }
    }

    func testInterruptedRotationContinuesWhereItStopped() throws {
        let (_, owner) = try copy()
        let admin = KeyAdmin(connection: owner, masterKey: try master)
        let north = try XCTUnwrap(try admin.targets(clinic: "northside").first)
        let ring = try admin.addVersion(north, to: try admin.ring(north))
        let total = try admin.pending(north, version: 2)
        XCTAssertGreaterThan(total, 10)
        let first = try admin.reseal(north, ring: ring, batchSize: 5, maxBatches: 1)
        XCTAssertTrue(first.stoppedEarly)
        XCTAssertEqual(first.resealed, 5)
        XCTAssertEqual(try admin.pending(north, version: 2), total - 5, "one committed batch")
        XCTAssertThrowsError(try admin.removeOldVersions(north, ring: ring))
        // A new run (a new process: the ring is read again from the database) finishes the job.
        let again = try KeyAdmin(connection: owner, masterKey: try master).ring(north)
        XCTAssertEqual(again.current, 2)
        let rest = try admin.reseal(north, ring: again, batchSize: 5)
        XCTAssertFalse(rest.stoppedEarly)
        XCTAssertEqual(rest.resealed, total - 5)
        XCTAssertEqual(try admin.pending(north, version: 2), 0)
        XCTAssertEqual(try admin.removeOldVersions(north, ring: again), [1])
    }

    func testWrongMasterKeyIsRefusedBeforeAnythingIsWritten() throws {
        let (_, owner) = try copy()
        let wrong = try TestKeys.fresh()
        let admin = KeyAdmin(connection: owner, masterKey: wrong)
        let count = "SELECT (SELECT count(*) FROM ward.data_keys) + (SELECT count(*) FROM ward.portable_keys) AS n"
        let keysBefore = try owner.query(count).first!.int("n")
        let check = try owner.query("SELECT wrapped FROM ward.key_check").first!.bytes("wrapped")
        for t in try admin.targets(clinic: nil) {
            XCTAssertThrowsError(try admin.ring(t)) { XCTAssertEqual($0 as? KeyError, .wrongKey(wrong.path)) }
        }
        XCTAssertThrowsError(try admin.ensureCheck()) { XCTAssertEqual($0 as? KeyError, .wrongKey(wrong.path)) }
        XCTAssertThrowsError(try MasterKeyCheck.verify(wrong, connection: owner))
        XCTAssertNoThrow(try MasterKeyCheck.verify(try master, connection: owner), "the control: the right key passes")
        XCTAssertEqual(try owner.query(count).first!.int("n"), keysBefore)
        XCTAssertEqual(try owner.query("SELECT wrapped FROM ward.key_check").first!.bytes("wrapped"), check)
    }

    /// Plaintext the owner stored unsealed (as the seeds do, since SQL holds no key) is sealed
    /// by the first `ward keys rotate`; afterwards a dump shows none of it.
    func testPlaintextStoredByTheOwnerIsSealedByTheFirstRotation() throws {
        let c = try XCTUnwrap(Self.cluster)
        let name = "up_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        try Connection(c.dsn()).executeScript("CREATE DATABASE \(name)")
        let owner = try Connection(c.dsn(database: name))
        try Migrator(connection: owner).migrate()
        let tenant = try owner.query("INSERT INTO ward.tenants (code, name) VALUES ('old', 'Old Clinic') RETURNING id").first!.uuid("id")!
        let staff = try owner.query("INSERT INTO ward.staff (username, display_name, password_hash) VALUES ('doc', 'Doc', 'x') RETURNING id").first!.uuid("id")!
        let pid = try owner.query("""
            INSERT INTO ward.patients (family_name, given_name, date_of_birth, sex, allergies)
            VALUES ('Old', 'Patient', '1950-01-01', 'female', convert_to('Old penicillin allergy', 'UTF8')) RETURNING id
            """).first!.uuid("id")!
        let consent = try owner.query("""
            INSERT INTO ward.profile_consents (tenant_id, patient_id, signed_by, signature, text_version, text_sha256)
            SELECT $1, $2, $3, convert_to('Patient Old', 'UTF8'), version, sha256 FROM ward.consent_texts LIMIT 1 RETURNING id
            """, [tenant, pid, staff]).first!.uuid("id")!
        try owner.query("INSERT INTO ward.clinic_patients (tenant_id, patient_id, chart_no) VALUES ($1, $2, 'O-1')", [tenant, pid])
        let note = try owner.query("""
            INSERT INTO ward.clinical_notes (tenant_id, patient_id, title, body, author_id)
            VALUES ($1, $2, 'Old note', convert_to('Old secret note text', 'UTF8'), $3) RETURNING id
            """, [tenant, pid, staff]).first!.uuid("id")!

        let admin = KeyAdmin(connection: owner, masterKey: try master)
        try admin.ensureCheck()
        for t in try admin.targets(clinic: nil) {
            var ring = try admin.ring(t)
            XCTAssertNil(ring.current)
            ring = try admin.addVersion(t, to: ring)
            _ = try admin.reseal(t, ring: ring)
            XCTAssertEqual(try admin.pending(t, version: 1), 0)
            if t.name == "old" {
                let row = try owner.query("SELECT body FROM ward.clinical_notes WHERE id = $1", [note]).first!
                XCTAssertEqual(try ring.open(try row.bytes("body")!, .noteBody, row: note), "Old secret note text")
                let sig = try owner.query("SELECT signature FROM ward.profile_consents WHERE id = $1", [consent]).first!.bytes("signature")!
                XCTAssertEqual(try ring.open(sig, .signature, row: consent), "Patient Old")
            } else if t.scope == KeyScope.portable {
                let a = try owner.query("SELECT allergies FROM ward.patients WHERE id = $1", [pid]).first!.bytes("allergies")!
                XCTAssertEqual(try ring.open(a, .allergies, row: pid), "Old penicillin allergy")
            }
        }
        let dump = try Spawn.run(["/usr/lib/postgresql/15/bin/pg_dump", "--dbname=" + c.dsn(database: name)])
        XCTAssertEqual(dump.status, 0, dump.output)
        for secret in ["Old penicillin allergy", "Patient Old", "Old secret note text"] {
            XCTAssertFalse(dump.output.contains(secret), "\(secret) is still in plain text after the rotation")
        }
    }
}
