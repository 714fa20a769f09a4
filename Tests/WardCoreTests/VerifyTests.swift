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
        // A copy starts with PostgreSQL's default database privileges: the roles file, run
        // again on it as on every database Ward migrates, sets them (docs/adr/0012).
        try Connection(c.dsn(database: name)).executeScript(Schema.roles.sql)
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

    /// One planted mistake per rule; each makes `ward verify` print that rule as FAIL and
    /// exit 1. A rule without a planted mistake here fails the first assertion.
    static let plantedMistakes: [String: String] = [
        "rls_enabled_and_forced": "ALTER TABLE ward.memberships NO FORCE ROW LEVEL SECURITY",
        "restrictive_policy": "DROP POLICY own_clinic ON ward.tenants",
        "tenant_index": "CREATE TABLE ward.extra (tenant_id uuid, v int)",
        "invoker_views": "ALTER VIEW api.clinic RESET (security_barrier)",
        "definer_views": "CREATE VIEW ward.extra_view AS SELECT 1 AS one",
        "materialized_and_foreign": "CREATE MATERIALIZED VIEW ward.extra_mv AS SELECT 1 AS one",
        "app_role": "GRANT UPDATE ON ward.audit_events TO ward_app",
        "definer_search_path": "CREATE FUNCTION ops.extra() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'",
        "definer_execute": "GRANT EXECUTE ON FUNCTION ward.write_audit(uuid, text, text, text, uuid, jsonb, uuid, uuid, uuid) TO ward_app",
        "fk_covering_index": "DROP INDEX ward.clinic_patients_patient",
        "context_per_row": "ALTER POLICY notes_select ON ward.clinical_notes USING (ward.has_permission('clinical.read'))",
        "permissive_overlap": "CREATE POLICY extra ON ward.appointments FOR SELECT USING (status = 'booked')",
        "always_true_permissive": "ALTER POLICY notes_select ON ward.clinical_notes USING (true)",
        "sensitive_columns": "GRANT SELECT (password_hash) ON ward.staff TO ward_api",
        "closed_surface": "GRANT SELECT ON api.appointments TO ward_app",
    ]

    func testEveryRuleFailsOnItsPlantedMistakeAndWardVerifyExitsNonZero() throws {
        XCTAssertEqual(Set(Self.plantedMistakes.keys), Set(Rules.all.map(\.name)), "every rule has a planted mistake")
        let ward = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/ward").path
        for rule in Rules.all {
            let (dsn, conn) = try copy()
            let before = try IsolationVerifier(connection: conn).run()
            XCTAssertTrue(before.checks.contains { $0.subject == "rule " + rule.name && $0.status == .pass },
                          "control: \(rule.name) passes before the mistake\n\(before.rendered)")
            try conn.executeScript(try XCTUnwrap(Self.plantedMistakes[rule.name]))
            let out = try Spawn.run([ward, "verify", "--dsn", dsn])
            XCTAssertEqual(out.status, 1, "\(rule.name): \(out.output)")
            XCTAssertTrue(out.output.contains("FAIL  rule \(rule.name): "), "\(rule.name):\n\(out.output)")
        }
    }

    /// The closed surface (docs/adr/0012): each way of handing ward_app more than the api
    /// functions is named by rule closed_surface, and the live probe sees a readable view.
    func testPlantedGrantsOnTheClosedSurfaceFail() throws {
        // Roles are cluster-wide: a planted role change is undone after its check.
        let planted: [(sql: String, subject: String, undo: String?)] = [
            ("GRANT USAGE ON SCHEMA ward TO ward_app; GRANT SELECT (username) ON ward.staff TO ward_app", "ward.staff", nil),
            ("GRANT USAGE ON SCHEMA ward TO ward_app", "schema ward", nil),
            ("GRANT USAGE ON SEQUENCE ward.audit_events_id_seq TO ward_app", "ward.audit_events_id_seq", nil),
            ("GRANT TEMPORARY ON DATABASE CURRENT_DATABASE_NAME TO PUBLIC", "database ", nil),
            ("GRANT SELECT ON pg_catalog.pg_stat_activity TO PUBLIC", "pg_stat_activity", nil),
            ("GRANT EXECUTE ON FUNCTION pg_catalog.lo_creat(integer) TO PUBLIC", "lo_creat(integer)", nil),
            ("CREATE FUNCTION api.extra() RETURNS int LANGUAGE sql AS 'SELECT 1'; GRANT EXECUTE ON FUNCTION api.extra() TO ward_app",
             "api.extra()", nil),
            ("GRANT ward_api TO ward_app", "role ward_app", "REVOKE ward_api FROM ward_app"),
            ("ALTER ROLE ward_api BYPASSRLS", "role ward_api", "ALTER ROLE ward_api NOBYPASSRLS"),
        ]
        for (sql, subject, undo) in planted {
            let (_, conn) = try copy()
            let database = try conn.query("SELECT current_database() AS d").first!.string("d")!
            let before = try IsolationVerifier(connection: conn).run()
            XCTAssertTrue(before.checks.contains { $0.subject == "rule closed_surface" && $0.status == .pass },
                          "control: closed_surface passes before \(sql)\n\(before.rendered)")
            // The database name was made of hex digits by copy().
            try conn.executeScript(sql.replacingOccurrences(of: "CURRENT_DATABASE_NAME", with: database))
            let report = try IsolationVerifier(connection: conn).run()
            if let undo { try conn.executeScript(undo) }
            XCTAssertTrue(report.checks.contains { $0.subject == "rule closed_surface" && $0.status == .fail }, "\(sql)\n\(report.rendered)")
            XCTAssertTrue(report.checks.contains { $0.status == .fail && !$0.counted && $0.subject.contains(subject) },
                          "\(sql): no finding about \(subject)\n\(report.rendered)")
        }
        let (_, conn) = try copy()
        try conn.executeScript("GRANT USAGE ON SCHEMA ward TO ward_app; GRANT SELECT ON ward.roles TO ward_app")
        let report = try IsolationVerifier(connection: conn).run()
        XCTAssertTrue(report.checks.contains { $0.subject == "closed surface as ward_app" && $0.status == .fail
                                               && $0.detail.contains("ward_app may read ward.roles") }, report.rendered)
    }

    /// Every exception of the allowlist names a rule and allows a finding of the demo
    /// database: an entry that allows nothing is stale and must go.
    func testEveryAllowlistEntryIsUsed() throws {
        let (_, conn) = try copy()
        let report = try IsolationVerifier(connection: conn).run()
        let names = Set(Rules.all.map(\.name))
        var entries = 0
        for (rule, subjects) in Rules.allowlist {
            XCTAssertTrue(names.contains(rule), "the allowlist names an unknown rule \(rule)")
            for subject in subjects.keys {
                entries += 1
                XCTAssertTrue(report.checks.contains { $0.status == .allow && $0.subject == subject },
                              "allowlist entry \(rule) | \(subject) allows nothing")
            }
        }
        XCTAssertEqual(report.checks.filter { $0.status == .allow }.count, entries, report.rendered)
        XCTAssertTrue(report.rendered.contains("PASS  rule rls_enabled_and_forced: "), report.rendered)
    }

    /// Each file of Rules/ is listed once, and named as its first line says.
    func testEveryRuleFileIsListed() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/WardCore/Rules")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }
        XCTAssertEqual(Set(files.map { String($0.dropLast(4)) }), Set(Rules.all.map(\.name)))
        XCTAssertEqual(files.count, Rules.all.count)
        for rule in Rules.all {
            XCTAssertFalse(rule.description.isEmpty, rule.name)
            let text = try String(contentsOf: dir.appendingPathComponent(rule.name + ".sql"), encoding: .utf8)
            XCTAssertEqual(text, rule.sql, "\(rule.name) embedded text differs from the file")
        }
    }
}
