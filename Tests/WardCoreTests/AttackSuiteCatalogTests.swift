import Foundation
import WardCore
import WardDB
import XCTest

/// The statements an attacker holding ward_app's credentials could compose beyond the api,
/// generated from the catalog (docs/adr/0012-closed-api.md): EXPLAIN with the planner
/// pushed onto the indexes, the statistics views, sequences, large objects, temporary
/// objects, the activity of other terminals and error texts. For every text, uuid and date
/// column of every table of schema ward, riverside's own value and a value that never
/// existed go through the same statement: any difference in the answer is an oracle. Run
/// with no token, a forged token and a token of each role.
///
/// The control runs the same probes on a throwaway copy given back the old grants
/// (ward_app reading what ward_api reads now, and PostgreSQL's defaults) and must catch
/// them: otherwise "0 leaks" could mean the probes test nothing.
final class AttackSuiteCatalogTests: XCTestCase {
    override class func setUp() { keepLogOutOfHome() }

    struct Probe {
        let label: String
        let sql: String
        /// Riverside's value and a value that never existed; empty for a probe with no value.
        var valueB: String? = nil
        var valueNone: String? = nil
        /// A probe whose mere success is the leak (the closed surface).
        var mustFail = false
    }

    struct Result {
        var probes = 0
        var leaks: [String] = []
    }

    func testCatalogProbesRevealNothing() throws {
        let db = try DemoDatabase.fresh()
        let result = try run(db)
        print("attack suite, catalog class: \(result.probes) probes, \(result.leaks.count) leaks")
        // A refusal counts only where the same statement runs for a role that may run it
        // (the owner): otherwise the probe would have tested nothing but a typo.
        for p in try generate(db.owner) where p.mustFail {
            if case .failed(let e) = db.owner.attempt(p.sql, session: nil) {
                XCTFail("control: \(p.label) fails for the owner too: \(e)")
            }
        }
        XCTAssertGreaterThan(result.probes, 1000, "the catalog gave fewer probes than expected")
        XCTAssertEqual(result.leaks, [], "leaks:\n" + result.leaks.prefix(40).joined(separator: "\n"))
    }

    /// The control: the old grants in a throwaway copy. The same probes must catch the
    /// EXPLAIN enumeration with no token, the statistics and the open defaults.
    func testControlOnTheOldGrantsCatchesThem() throws {
        let db = try DemoDatabase.fresh()
        try grantTheOldSurface(db.owner)
        let result = try run(db)
        print("attack suite, catalog class on the old grants (control): \(result.probes) probes, "
              + "\(result.leaks.count) catches")
        for kind in ["no token: EXPLAIN ward.staff.username", "pg_stat_user_tables", "pg_stat_activity",
                     "temporary table", "large object"] {
            XCTAssertTrue(result.leaks.contains { $0.contains(kind) }, "control: the old grants must show \(kind)")
        }
    }

    /// The enumeration of the issue, as written: fails with no token and with each role's
    /// token; the control shows the same statement reporting the hidden row on the old grants.
    func testExplainEnumerationFails() throws {
        let db = try DemoDatabase.fresh()
        let app = try Connection(db.appDSN)
        let sql = "EXPLAIN (ANALYZE) SELECT 1 FROM ward.staff WHERE username = 'victor'"
        for (label, token) in try tokens(app) {
            let o = app.attempt(sql, session: token, setup: ["SET LOCAL enable_seqscan = off"])
            XCTAssertEqual(o.error?.sqlState, "42501", "\(label): \(o.text)")
        }
        try grantTheOldSurface(db.owner)
        let old = app.attempt(sql, session: nil, setup: ["SET LOCAL enable_seqscan = off"])
        XCTAssertTrue(old.text.contains("Rows Removed by Filter: 1"), "control: the old grants leak: \(old.text)")
    }

    // MARK: - The run

    func run(_ db: DemoDatabase.Handle) throws -> Result {
        let app = try Connection(db.appDSN)
        // Statistics exist, as on any live server.
        try db.owner.executeScript("ANALYZE")
        // Another terminal, busy, so that the activity view has something to show.
        let other = try Connection(db.appDSN)
        _ = try other.query("SELECT api.login($1, $2, $3) AS t", ["riverside", "rita", DemoSeed.password])
        let probes = try generate(db.owner)
        var r = Result()
        for (label, token) in try tokens(app) {
            for p in probes {
                let setup = ["SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off"]
                if let b = p.valueB, let none = p.valueNone {
                    r.probes += 2
                    let withB = app.attempt(p.sql, [b], session: token, setup: setup)
                    let withNone = app.attempt(p.sql, [none], session: token, setup: setup)
                    let shownB = normalised(withB.text, b), shownNone = normalised(withNone.text, none)
                    if shownB != shownNone {
                        r.leaks.append("\(label): \(p.label) answers \(shownB.debugDescription) for riverside's value, "
                                       + "\(shownNone.debugDescription) for none")
                    }
                } else {
                    r.probes += 1
                    let o = app.attempt(p.sql, session: token, setup: setup)
                    if p.mustFail, case .rows = o { r.leaks.append("\(label): \(p.label) allowed") }
                    if let s = try secretsB(db.owner).first(where: { o.text.contains($0) }) {
                        r.leaks.append("\(label): \(p.label) shows riverside's value \(s.debugDescription)")
                    }
                }
            }
        }
        return r
    }

    /// No token, a forged one, and a northside token of each role, plus the platform
    /// administrator's and an impersonation (support) session.
    func tokens(_ app: Connection) throws -> [(String, String?)] {
        var out: [(String, String?)] = [("no token", nil), ("forged token", String(repeating: "ab", count: 32))]
        for (role, user) in [("admin", "alice"), ("specialist", "sam"), ("front_desk", "fiona"), ("billing", "bruno")] {
            out.append(("\(role) token", try demoLogin(app, "northside", user)))
        }
        let olga = try demoLogin(app, "platform", "olga")
        out.append(("platform_admin token", olga))
        let support = try app.withSession(olga) {
            try $0.query("SELECT api.impersonate('northside', 'attack suite probe') AS t").first!.string("t")!
        }
        out.append(("support token", support))
        return out
    }

    /// Every statement of the class, from the catalog.
    func generate(_ owner: Connection) throws -> [Probe] {
        var probes: [Probe] = []
        let columns = try owner.query("""
            SELECT format('%I.%I', n.nspname, c.relname) AS rel, quote_ident(a.attname) AS col,
                   format_type(a.atttypid, NULL) AS type
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             WHERE n.nspname = 'ward' AND c.relkind IN ('r', 'p')
               AND a.atttypid IN ('text'::regtype, 'uuid'::regtype, 'date'::regtype)
             ORDER BY 1, 2
            """).rows
        let tenantB = try owner.query("SELECT id::text AS id FROM ward.tenants WHERE code = 'riverside'").first!.string("id")!
        for row in columns {
            let rel = try row.string("rel")!, col = try row.string("col")!, type = try row.string("type")!
            guard let filters = Self.filters(rel) else { continue }
            // A value only riverside holds in this column (the catalog names come from the
            // owner's catalog and are quoted by format/quote_ident).
            guard let b = try owner.query("""
                SELECT min(t.\(col)::text) AS v FROM \(rel) t
                 WHERE \(filters.b) AND t.\(col) IS NOT NULL
                   AND t.\(col)::text NOT IN (SELECT o.\(col)::text FROM \(rel) o
                                               WHERE \(filters.others.replacingOccurrences(of: "t.", with: "o."))
                                                 AND o.\(col) IS NOT NULL)
                """, [tenantB]).first?.string("v") else { continue }
            let none = type == "uuid" ? UUID().uuidString.lowercased() : type == "date" ? "1801-02-03" : "zz-never-\(UUID().uuidString.prefix(6))"
            let label = "\(rel).\(col)".replacingOccurrences(of: "\"", with: "")
            probes.append(Probe(label: "EXPLAIN \(label)",
                                sql: "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT 1 FROM \(rel) WHERE \(col) = $1::\(type)",
                                valueB: b, valueNone: none))
            probes.append(Probe(label: "EXPLAIN range \(label)",
                                sql: "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT 1 FROM \(rel) WHERE \(col) BETWEEN $1::\(type) AND $1::\(type) ORDER BY \(col) LIMIT 1",
                                valueB: b, valueNone: none))
            probes.append(Probe(label: "error text \(label)",
                                sql: "SELECT CASE WHEN \(col) = $1::\(type) THEN 1 / 0 ELSE 0 END AS x FROM \(rel)",
                                valueB: b, valueNone: none))
            probes.append(Probe(label: "count \(label)", sql: "SELECT count(*) AS n FROM \(rel) WHERE \(col) = $1::\(type)",
                                valueB: b, valueNone: none))
        }
        for rel in try owner.query("""
            SELECT format('%I.%I', n.nspname, c.relname) AS rel, c.relkind = 'S' AS seq
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('ward', 'api', 'ward_attempts') AND c.relkind IN ('r', 'p', 'v', 'S')
             ORDER BY 1
            """).rows {
            let name = try rel.string("rel")!
            if try rel.bool("seq") == true {
                probes.append(Probe(label: "sequence \(name) last_value", sql: "SELECT last_value FROM \(name)", mustFail: true))
                probes.append(Probe(label: "sequence \(name) nextval", sql: "SELECT nextval('\(name)'::regclass)", mustFail: true))
            } else {
                probes.append(Probe(label: "SELECT * FROM \(name)", sql: "SELECT * FROM \(name)", mustFail: true))
            }
        }
        probes += [
            Probe(label: "pg_stats", sql: "SELECT most_common_vals::text, histogram_bounds::text FROM pg_stats WHERE schemaname IN ('ward', 'api')"),
            Probe(label: "pg_stat_user_tables", sql: "SELECT relname, n_live_tup, n_tup_ins FROM pg_stat_user_tables", mustFail: true),
            Probe(label: "pg_statio_user_tables", sql: "SELECT relname, heap_blks_read FROM pg_statio_user_tables", mustFail: true),
            Probe(label: "pg_stat_get_live_tuples", sql: "SELECT pg_stat_get_live_tuples('ward.patients'::regclass)", mustFail: true),
            Probe(label: "pg_stat_activity", sql: "SELECT pid, query FROM pg_stat_activity WHERE pid <> pg_backend_pid()", mustFail: true),
            Probe(label: "pg_stat_get_backend_activity", sql: "SELECT pg_stat_get_backend_activity(s) FROM pg_stat_get_backend_idset() s", mustFail: true),
            Probe(label: "temporary table", sql: "CREATE TEMP TABLE attack (x int)", mustFail: true),
            Probe(label: "large object", sql: "SELECT lo_from_bytea(0, '\\x00'::bytea)", mustFail: true),
            Probe(label: "pg_class names", sql: "SELECT relname, reltuples FROM pg_class WHERE relnamespace = 'ward'::regnamespace"),
            Probe(label: "pg_proc bodies", sql: "SELECT prosrc FROM pg_proc WHERE pronamespace IN ('ward'::regnamespace, 'api'::regnamespace)"),
        ]
        return probes
    }

    /// How to pick riverside's rows of a ward table, and the others' (as in AttackSuiteTests).
    static func filters(_ rel: String) -> (b: String, others: String)? {
        switch rel {
        case "ward.patients":
            return ("EXISTS (SELECT 1 FROM ward.profile_consents c WHERE c.patient_id = t.id AND c.tenant_id = $1::uuid)",
                    "NOT EXISTS (SELECT 1 FROM ward.profile_consents c WHERE c.patient_id = t.id AND c.tenant_id = $1::uuid)")
        case "ward.staff":
            return ("EXISTS (SELECT 1 FROM ward.memberships m WHERE m.staff_id = t.id AND m.tenant_id = $1::uuid)",
                    "NOT EXISTS (SELECT 1 FROM ward.memberships m WHERE m.staff_id = t.id AND m.tenant_id = $1::uuid)")
        case "ward.tenants": return ("t.id = $1::uuid", "t.id <> $1::uuid")
        case "ward.roles", "ward.permissions", "ward.role_permissions", "ward.consent_texts": return nil
        default: return ("t.tenant_id = $1::uuid", "t.tenant_id <> $1::uuid")
        }
    }

    var secrets: [String]?

    /// Riverside-only strings of the staff and patients (names, usernames), for the probes
    /// that return rows.
    func secretsB(_ owner: Connection) throws -> [String] {
        if let secrets { return secrets }
        let found = try owner.query("""
            SELECT s.username AS v FROM ward.staff s JOIN ward.memberships m ON m.staff_id = s.id
              JOIN ward.tenants t ON t.id = m.tenant_id AND t.code = 'riverside'
             WHERE NOT EXISTS (SELECT 1 FROM ward.memberships o WHERE o.staff_id = s.id AND o.tenant_id <> t.id)
            UNION
            SELECT p.family_name FROM ward.patients p JOIN ward.profile_consents c ON c.patient_id = p.id
              JOIN ward.tenants t ON t.id = c.tenant_id AND t.code = 'riverside'
             WHERE NOT EXISTS (SELECT 1 FROM ward.profile_consents o WHERE o.patient_id = p.id AND o.tenant_id <> t.id)
            """).rows.compactMap { try $0.string("v") }.filter { $0.count >= 4 }
        secrets = found
        return found
    }

    /// The answer with the typed value blanked (an echo of one's own input is no leak).
    func normalised(_ text: String, _ typed: String) -> String {
        text.replacingOccurrences(of: typed, with: "<typed>")
    }

    /// The surface before the closed api, in this throwaway database only: ward_app reads
    /// what ward_api reads (the api views, the base columns beneath them, the context
    /// functions), and PostgreSQL's defaults are back (TEMPORARY, large objects, statistics).
    func grantTheOldSurface(_ owner: Connection) throws {
        try owner.executeScript("""
            GRANT USAGE ON SCHEMA ward, ext TO ward_app;
            DO $old$
            DECLARE r record;
            BEGIN
              FOR r IN SELECT table_schema, table_name, string_agg(quote_ident(column_name), ', ') AS cols
                         FROM information_schema.column_privileges
                        WHERE grantee = 'ward_api' AND privilege_type = 'SELECT' GROUP BY 1, 2 LOOP
                EXECUTE format('GRANT SELECT (%s) ON %I.%I TO ward_app', r.cols, r.table_schema, r.table_name);
              END LOOP;
              FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p
                        WHERE p.pronamespace = 'ward'::regnamespace AND has_function_privilege('ward_api', p.oid, 'EXECUTE') LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO ward_app', r.f);
              END LOOP;
              GRANT SELECT ON ward.consents_here TO ward_app;
              EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
              FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p
                        WHERE p.pronamespace = 'pg_catalog'::regnamespace
                          AND (p.proname LIKE 'lo\\_%' OR p.proname IN ('loread', 'lowrite') OR p.proname LIKE 'pg\\_stat\\_get\\_%')
                          AND p.proname NOT IN ('lo_import', 'lo_export') LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO PUBLIC', r.f);
              END LOOP;
              FOR r IN SELECT c.oid::regclass AS v FROM pg_class c
                        WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v'
                          AND (c.relname LIKE 'pg\\_stat\\_%' OR c.relname LIKE 'pg\\_statio\\_%') LOOP
                EXECUTE format('GRANT SELECT ON %s TO PUBLIC', r.v);
              END LOOP;
            END
            $old$;
            """)
    }
}
