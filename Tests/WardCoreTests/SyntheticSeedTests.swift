import Foundation
import WardCore
import WardDB
import XCTest

/// `ward seed --clinics N --patients P --seed S` on a small scale: the rows load, land in
/// valid clinics, are the same for the same seed, and pass both verifiers.
final class SyntheticSeedTests: XCTestCase {
    nonisolated(unsafe) static var cluster: ThrowawayCluster?
    static let anchor = CalendarDate(year: 2026, month: 3, day: 11)!

    override class func setUp() {
        guard let c = try? ThrowawayCluster.start() else { return }
        cluster = c
        try? Connection(c.dsn()).executeScript("CREATE DATABASE migrated")
        if let conn = try? Connection(c.dsn(database: "migrated")) { _ = try? Migrator(connection: conn).migrate() }
    }

    override class func tearDown() { cluster?.stop() }

    func freshDatabase() throws -> Connection {
        let c = try XCTUnwrap(Self.cluster, "no cluster")
        let name = "s_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        // A database name cannot be a parameter; this one is made of hex digits here.
        try Connection(c.dsn()).executeScript("CREATE DATABASE \(name) TEMPLATE migrated")
        // A copy starts with PostgreSQL's default database privileges: the roles file, run
        // again on it as on every database Ward migrates, sets them (docs/adr/0012).
        try Connection(c.dsn(database: name)).executeScript(Schema.roles.sql)
        return try Connection(c.dsn(database: name))
    }

    func seeded(seed: Int) throws -> Connection {
        let conn = try freshDatabase()
        try SyntheticSeed.load(conn, .init(clinics: 5, patients: 2000, seed: seed, auditEvents: 30000, anchor: Self.anchor))
        return conn
    }

    func count(_ c: Connection, _ sql: String, _ params: [any SQLValueConvertible] = []) throws -> Int {
        try XCTUnwrap(try c.query(sql, params).first?.int(0))
    }

    func testSmallSeedLoadsIntoValidClinicsAndPassesBothVerifiers() throws {
        let c = try seeded(seed: 7)
        XCTAssertEqual(try count(c, "SELECT count(*) FROM ward.tenants WHERE code LIKE 'syn7-%'"), 5)
        XCTAssertEqual(try count(c, "SELECT count(*) FROM ward.patients"), 2000)
        // Every tenant row belongs to one of the five synthetic clinics.
        for table in ["memberships", "clinic_patients", "profile_consents", "appointments", "clinical_notes", "audit_events",
                      "audit_heads", "chart_counters"] {
            XCTAssertEqual(try count(c, """
                SELECT count(*) FROM ward.\(table) x LEFT JOIN ward.tenants t ON t.id = x.tenant_id
                 WHERE t.code IS NULL OR (t.code NOT LIKE 'syn7-%' AND t.kind <> 'platform')
                """), 0, "ward.\(table) has rows outside the synthetic clinics")
            XCTAssertGreaterThan(try count(c, "SELECT count(*) FROM ward.\(table)"), 0, "ward.\(table) is empty")
        }
        // Every patient has a chart and a consent; sizes are skewed, largest first.
        XCTAssertEqual(try count(c, "SELECT count(*) FROM ward.patients p WHERE NOT EXISTS (SELECT 1 FROM ward.clinic_patients cp WHERE cp.patient_id = p.id)"), 0)
        XCTAssertEqual(try count(c, "SELECT count(*) FROM ward.clinic_patients cp WHERE NOT EXISTS (SELECT 1 FROM ward.profile_consents pc WHERE pc.tenant_id = cp.tenant_id AND pc.patient_id = cp.patient_id)"), 0)
        let sizes = try c.query("""
            SELECT count(cp.*) AS n FROM ward.tenants t LEFT JOIN ward.clinic_patients cp ON cp.tenant_id = t.id
             WHERE t.code LIKE 'syn7-%' GROUP BY t.code ORDER BY t.code
            """).rows.map { try $0.int("n")! }
        XCTAssertGreaterThan(sizes[0], 2 * sizes[4], "clinic sizes should be skewed: \(sizes)")
        // Names in several scripts, and the search keys folded.
        XCTAssertGreaterThan(try count(c, "SELECT count(DISTINCT family_name) FROM ward.patients WHERE family_name ~ '[^\\x01-\\x7f]'"), 10)
        XCTAssertEqual(try count(c, "SELECT count(*) FROM ward.clinic_patients cp JOIN ward.patients p ON p.id = cp.patient_id WHERE cp.family_key <> ward.fold(p.family_name)"), 0)
        // The audit history reaches the requested size.
        XCTAssertGreaterThanOrEqual(try count(c, "SELECT count(*) FROM ward.audit_events"), 29000)

        let isolation = try IsolationVerifier(connection: c).run()
        XCTAssertTrue(isolation.passed, isolation.rendered)
        let chains = try AuditChainVerifier(connection: c).run()
        for r in chains where r.clinic.hasPrefix("syn7-") {
            XCTAssertNil(r.brokenAt, "\(r.clinic): \(r.problem ?? "")")
            XCTAssertGreaterThan(r.events, 0, r.clinic)
            XCTAssertEqual(try count(c, "SELECT events FROM ward.audit_heads h JOIN ward.tenants t ON t.id = h.tenant_id WHERE t.code = $1",
                                     [r.clinic]), r.events)
        }
        // The triggers are back on after the load: a change is audited again.
        let before = try count(c, "SELECT count(*) FROM ward.audit_events")
        try c.query("UPDATE ward.patients SET phone = '+44 20 0000 0000' WHERE id = (SELECT min(id::text)::uuid FROM ward.patients)")
        XCTAssertEqual(try count(c, "SELECT count(*) FROM ward.audit_events"), before + 1)
        XCTAssertNil(try AuditChainVerifier(connection: c).run().first { $0.brokenAt != nil }, "the live writer continues the chain")
    }

    func testSameSeedGivesTheSameRowsAndAnotherSeedDoesNot() throws {
        let digest = """
            SELECT md5(concat_ws('|',
              (SELECT string_agg(concat_ws(',', id, family_name, given_name, date_of_birth, sex, phone), ';' ORDER BY id) FROM ward.patients),
              (SELECT string_agg(concat_ws(',', patient_id, chart_no, registered_at), ';' ORDER BY patient_id, chart_no) FROM ward.clinic_patients),
              (SELECT string_agg(concat_ws(',', id, patient_id, clinician_id, during, status), ';' ORDER BY id) FROM ward.appointments),
              (SELECT string_agg(concat_ws(',', id, title, body), ';' ORDER BY id) FROM ward.clinical_notes),
              (SELECT string_agg(concat_ws(',', id, encode(hash, 'hex')), ';' ORDER BY id) FROM ward.audit_events))) AS d
            """
        let a = try seeded(seed: 3).query(digest).first!.string("d")
        let b = try seeded(seed: 3).query(digest).first!.string("d")
        let other = try seeded(seed: 4).query(digest).first!.string("d")
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, other)
    }

    func testTheSameSeedTwiceInOneDatabaseIsRefused() throws {
        let c = try seeded(seed: 5)
        XCTAssertThrowsError(try SyntheticSeed.load(c, .init(clinics: 5, patients: 2000, seed: 5, anchor: Self.anchor))) {
            XCTAssertTrue("\($0)".contains("already has the synthetic clinics of seed 5"), "\($0)")
        }
    }
}
