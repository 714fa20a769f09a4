import Foundation
import WardCore
import WardDB
import XCTest

/// `ward verify` and `ward audit verify` on the demo database, and on copies broken the
/// ways an auditor worries about.
final class VerifyTests: XCTestCase {
    nonisolated(unsafe) static var cluster: ThrowawayCluster?

    override class func setUp() {
        guard let c = try? ThrowawayCluster.start() else { return }
        cluster = c
        // One migrated, seeded template; each test gets its own copy.
        try? Connection(c.dsn()).executeScript("CREATE DATABASE demo_template")
        if let conn = try? Connection(c.dsn(database: "demo_template")) {
            _ = try? Migrator(connection: conn).migrate()
            _ = try? DemoSeed.load(conn, masterKey: TestKeys.fresh())
        }
    }

    override class func tearDown() { cluster?.stop() }

    func copy() throws -> (String, Connection) {
        let c = try XCTUnwrap(Self.cluster, "no cluster")
        let name = "v_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        // A database name cannot be a parameter; this one is made of hex digits here.
        try Connection(c.dsn()).executeScript("CREATE DATABASE \(name) TEMPLATE demo_template")
        return (c.dsn(database: name), try Connection(c.dsn(database: name)))
    }

    func testDemoDatabasePassesEveryCheck() throws {
        let (_, conn) = try copy()
        let report = try IsolationVerifier(connection: conn).run()
        XCTAssertTrue(report.passed, report.rendered)
        XCTAssertTrue(report.rendered.contains("0 leaks"), report.rendered)
        XCTAssertTrue(report.rendered.contains("INFO  api.login(text,text,text): security definer, owner ward_auth"), report.rendered)
        XCTAssertEqual(try conn.query("SELECT count(*) AS n FROM ward.tenants WHERE code LIKE 'probe-%'").first?.int("n"), 0,
                       "the live probe left rows behind")
    }

    func testDroppedPolicyFails() throws {
        let (_, conn) = try copy()
        try conn.query("DROP POLICY tenant_isolation ON ward.appointments")
        let report = try IsolationVerifier(connection: conn).run()
        XCTAssertFalse(report.passed)
        XCTAssertTrue(report.checks.contains { $0.status == .fail && $0.subject == "ward.appointments"
                                               && $0.detail.contains("no restrictive tenant policy") }, report.rendered)
        XCTAssertTrue(report.checks.contains { $0.status == .fail && $0.detail.contains("ward.appointments shows") },
                      "the live probe must see the leak too:\n\(report.rendered)")
    }

    func testRemovedForceFails() throws {
        let (_, conn) = try copy()
        try conn.query("ALTER TABLE ward.memberships NO FORCE ROW LEVEL SECURITY")
        let report = try IsolationVerifier(connection: conn).run()
        XCTAssertFalse(report.passed)
        XCTAssertTrue(report.checks.contains { $0.status == .fail && $0.subject == "ward.memberships"
                                               && $0.detail.contains("RLS not forced") }, report.rendered)
    }

    func testPlainViewFails() throws {
        let (_, conn) = try copy()
        try conn.query("ALTER VIEW api.patient_profiles RESET (security_invoker)")
        let report = try IsolationVerifier(connection: conn).run()
        XCTAssertTrue(report.checks.contains { $0.status == .fail && $0.subject == "api.patient_profiles" }, report.rendered)
    }

    func testAuditEditIsFoundAtItsLink() throws {
        let (_, conn) = try copy()
        XCTAssertTrue(try AuditChainVerifier(connection: conn).run().allSatisfy { $0.brokenAt == nil })
        let third = try conn.query("""
            SELECT e.id FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id
             WHERE t.code = 'riverside' ORDER BY e.id OFFSET 2 LIMIT 1
            """).first!.int("id")!
        try conn.executeScript("ALTER TABLE ward.audit_events DISABLE TRIGGER audit_append_only")
        try conn.query("UPDATE ward.audit_events SET action = 'nothing.happened' WHERE id = $1", [third])
        let results = try AuditChainVerifier(connection: conn).run()
        let river = try XCTUnwrap(results.first { $0.clinic == "riverside" })
        XCTAssertEqual(river.brokenAt, third)
        XCTAssertTrue(river.problem?.contains("edited") ?? false)
        XCTAssertTrue(results.filter { $0.clinic != "riverside" }.allSatisfy { $0.brokenAt == nil })
    }

    func testDeletedEventIsFound() throws {
        let (_, conn) = try copy()
        let ids = try conn.query("""
            SELECT e.id FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id
             WHERE t.code = 'lakeside' ORDER BY e.id LIMIT 5
            """).rows.map { try $0.int("id")! }
        try conn.executeScript("ALTER TABLE ward.audit_events DISABLE TRIGGER audit_append_only")
        try conn.query("DELETE FROM ward.audit_events WHERE id = $1", [ids[3]])
        let lake = try XCTUnwrap(try AuditChainVerifier(connection: conn).run().first { $0.clinic == "lakeside" })
        XCTAssertEqual(lake.brokenAt, ids[4], "the event after the gap is the first broken link")
    }

    func testCommandsExitNonZeroOnFailure() throws {
        let (dsn, conn) = try copy()
        let ward = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/ward").path
        var out = try Spawn.run([ward, "verify", "--dsn", dsn])
        XCTAssertEqual(out.status, 0, out.output)
        XCTAssertTrue(out.output.contains(" 0 failures"), out.output)
        out = try Spawn.run([ward, "audit", "verify", "--dsn", dsn])
        XCTAssertEqual(out.status, 0, out.output)
        try conn.query("ALTER TABLE ward.clinical_notes NO FORCE ROW LEVEL SECURITY")
        out = try Spawn.run([ward, "verify", "--dsn", dsn])
        XCTAssertEqual(out.status, 1, out.output)
        XCTAssertTrue(out.output.contains("FAIL  ward.clinical_notes: RLS not forced"), out.output)
    }
}
