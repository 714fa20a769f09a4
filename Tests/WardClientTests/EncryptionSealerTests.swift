import Foundation
import WardCore
import WardDB
import WardClient
import XCTest

/// The sealing contract of docs/ENCRYPTION.md, through the same requests the screens send:
/// what FieldSealer seals for a new row comes back through the api readers, and a value
/// moved to another row reads as the one "cannot be read" sentence.
final class EncryptionSealerTests: XCTestCase {
    nonisolated(unsafe) static var cluster: ThrowawayCluster?
    nonisolated(unsafe) static var master: MasterKey?

    override class func setUp() {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ward-sealer-\(UUID().uuidString)")
        guard let c = try? ThrowawayCluster.start(),
              (try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)) != nil,
              let key = try? MasterKey.create(at: dir.appendingPathComponent("master.key").path) else { return }
        cluster = c
        master = key
        try? Connection(c.dsn()).executeScript("CREATE DATABASE ward")
        if let owner = try? Connection(c.dsn(database: "ward")) {
            _ = try? Migrator(connection: owner).migrate()
            _ = try? DemoSeed.load(owner, masterKey: key)
        }
    }

    override class func tearDown() { cluster?.stop() }

    /// A logged-in clinic session and its sealer, as StaffApp has them after login.
    struct Session {
        let conn: Connection, token: String, sealer: FieldSealer

        func run<T>(_ r: Request<T>) throws -> T {
            try r.decode(try conn.withSession(token) { try $0.query(r.sql, r.params) })
        }
    }

    func login(_ clinic: String, _ user: String) throws -> Session {
        let c = try XCTUnwrap(Self.cluster, "no cluster")
        let conn = try Connection(c.dsn(database: "ward", user: "ward_app"))
        let token = try XCTUnwrap(try conn.query("SELECT api.login($1, $2, 'clinic-demo') AS t", [clinic, user]).first?.string("t"))
        let s = Session(conn: conn, token: token, sealer: FieldSealer())
        return Session(conn: conn, token: token, sealer: try s.run(FieldSealer.load(try XCTUnwrap(Self.master))))
    }

    func find(_ q: String, _ s: Session) throws -> UUID {
        try XCTUnwrap(try s.run(Api.searchPatients(q)).first?.id)
    }

    func testRegisterAndNoteRoundTripThroughTheReaders() throws {
        let desk = try login("northside", "fiona")
        let patient = UUID(), consent = UUID()
        let registered = try desk.run(Request("""
            SELECT * FROM api.register_patient($1, $2, $3, $4, $5, $6, $7, $8, 'v1', $9, $10)
            """, ["Quill", "Ada", "1990-02-03", "female", "", "",
                  try desk.sealer.seal("  Bee stings  ", .allergies, row: patient),
                  try desk.sealer.seal("Ada Quill", .signature, row: consent), patient, consent],
            isWrite: true) { try $0.first!.uuid("patient_id")! })
        XCTAssertEqual(registered, patient, "the row has the id its values are bound to")
        XCTAssertEqual(try desk.run(Api.openPatient(patient, sealer: desk.sealer))?.allergies, .text("Bee stings"))
        XCTAssertEqual(try desk.run(Api.consents(of: patient, sealer: desk.sealer)).map(\.signature), [.text("Ada Quill")])

        let doctor = try login("northside", "sam")
        let note = UUID()
        _ = try doctor.run(Request("SELECT api.write_note($1, 'note', 'Review', $2, NULL, $3) AS id",
                                   [patient, try doctor.sealer.seal("Stung twice this summer.\n", .noteBody, row: note), note],
                                   isWrite: true) { _ in () })
        XCTAssertEqual(try doctor.run(Api.notes(of: patient)).map(\.id), [note])
        XCTAssertEqual(try doctor.run(Api.note(note, sealer: doctor.sealer))?.body, .text("Stung twice this summer.\n"))

        // Sealed for one row, stored under another: the reader says it cannot be read.
        let sealedFor = UUID(), storedAs = UUID()
        _ = try doctor.run(Request("SELECT api.write_note($1, 'note', 'Mismatch', $2, NULL, $3) AS id",
                                   [patient, try doctor.sealer.seal("Wrong row", .noteBody, row: sealedFor), storedAs],
                                   isWrite: true) { _ in () })
        XCTAssertEqual(try doctor.run(Api.note(storedAs, sealer: doctor.sealer))?.body, .unreadable)
    }

    func testBlankValuesKeepTheDatabasesOwnSentences() throws {
        let desk = try login("riverside", "dana")
        XCTAssertEqual(try desk.sealer.seal("   ", .allergies, row: UUID()), .null)
        let patient = UUID()
        XCTAssertThrowsError(try desk.conn.withSession(desk.token) { c in
            try c.query("SELECT * FROM api.register_patient($1, $2, $3, $4, NULL, NULL, NULL, $5, 'v1', $6, $7)",
                        ["Blank", "Sig", "1990-01-01", "male", try desk.sealer.seal(" ", .signature, row: UUID()), patient, UUID()])
        }) { e in
            let u = UserError(e as! DatabaseError)
            XCTAssertEqual(u.message, "The patient must type their full name as signature.")
            XCTAssertEqual(u.field, "signature")
        }
    }

    func testAllergiesMovedToAnotherPatientReadAsTheSentence() throws {
        let c = try XCTUnwrap(Self.cluster)
        let owner = try Connection(c.dsn(database: "ward"))
        let desk = try login("northside", "fiona")
        let brown = try find("brown", desk), mary = try find("mary", desk)
        XCTAssertEqual(try desk.run(Api.openPatient(brown, sealer: desk.sealer))?.allergies, .text("Codeine"), "the control")
        // Someone with write access to the database copies Mary's sealed allergies onto Emma Brown.
        try owner.query("UPDATE ward.patients SET allergies = (SELECT allergies FROM ward.patients WHERE id = $1) WHERE id = $2",
                        [mary, brown])
        let opened = try XCTUnwrap(try desk.run(Api.openPatient(brown, sealer: desk.sealer)))
        XCTAssertEqual(opened.allergies, .unreadable)
        XCTAssertNil(opened.allergies.text, "Mary's allergies must not show on Emma's record")
        XCTAssertEqual(FieldSealer.unreadable, "This record cannot be read (its encryption does not match)")
        XCTAssertEqual(try desk.run(Api.openPatient(mary, sealer: desk.sealer))?.allergies, .text("Aspirin"))
    }
}
