import Foundation
import WardCore
import WardDB
import XCTest

/// The cross-clinic attack suite. An attacker holds ward_app's credentials and a live
/// session of northside (alice, an admin: every permission a clinic has) and knows the ids
/// of riverside's rows (taken here as the owner beforehand). Every function granted to
/// ward_app is found in the catalog, and so is every relation: ward_app must be granted
/// none, and the policies beneath the api are attacked as ward_api (which reads for the
/// api functions) with the attacker's session, so a table or function added later is
/// attacked without anyone editing this file. The statements an attacker could compose
/// beyond the api (EXPLAIN, statistics, sequences, the catalog) are AttackSuiteCatalogTests.
///
/// A leak is: a riverside-only value (an id, a name, a chart number...) in anything the
/// attacker can read (rows or error texts); a call that behaves differently for a riverside
/// id than for an id that never existed (an existence oracle); a privilege escalation that
/// succeeds; a riverside row changed; or an error the terminal has no sentence for.
final class AttackSuiteTests: XCTestCase {
    override class func setUp() { keepLogOutOfHome() }

    struct Ground {
        var tenantB = ""
        /// Riverside-only strings: in riverside's rows and in no other clinic's.
        var secrets: Set<String> = []
        /// Riverside-only ids by kind: patient, staff, appointment, note, consent, session, tenant.
        var idsB: [String: String] = [:]
        /// Northside ids the attacker may legitimately use, by the same kinds.
        var idsA: [String: String] = [:]
        /// Tokens of riverside sessions that have ended (expired, revoked, idle).
        var staleB: [String] = []
    }

    var db: DemoDatabase.Handle!
    var app: Connection!
    var tokenA = ""
    var probes = 0
    var leaks: [String] = []

    func leak(_ what: String) { leaks.append(what) }

    func testNorthsideCannotReachRiverside() throws {
        db = try DemoDatabase.fresh()
        app = try Connection(db.appDSN)
        tokenA = try demoLogin(app, "northside", "alice")
        let ground = try groundTruth()
        XCTAssertGreaterThan(ground.secrets.count, 50, "control: riverside has values the attack must not see")
        for rel in try grantedRelations(.app) { leak("ward_app holds a privilege on \(rel)") }
        let before = try fingerprintB(ground)

        try attackRelations(ground)
        try attackFunctions(ground)
        try attackForgedSessions(ground)
        attackEscalation(ground)

        let after = try fingerprintB(ground)
        for (table, sum) in before where after[table] != sum {
            leak("riverside rows of \(table) changed during the attack")
        }
        print("attack suite: \(probes) probes, \(leaks.count) leaks")
        XCTAssertGreaterThan(probes, 500, "the catalog gave fewer probes than expected")
        XCTAssertEqual(leaks, [], "leaks:\n" + leaks.joined(separator: "\n"))
    }

    /// The control experiment: the same detector, pointed at riverside's own session, must
    /// find riverside's values. Without it, "0 leaks" could mean a blind detector.
    func testDetectorSeesRiversideFromRiverside() throws {
        db = try DemoDatabase.fresh()
        app = try Connection(db.appDSN)
        tokenA = try demoLogin(app, "riverside", "rita")
        let ground = try groundTruth()
        try attackRelations(ground)
        XCTAssertGreaterThan(leaks.count, 3, "reading as riverside must trip the detector: \(leaks.prefix(3))")
    }

    // MARK: - Ground truth, as the owner

    /// Tables of schema ward and how to pick riverside's rows out of each.
    func wardTables() throws -> [(name: String, filterB: String, filterOthers: String)] {
        try db.owner.query("""
            SELECT format('%I.%I', n.nspname, c.relname) AS rel,
                   EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                             AND NOT a.attisdropped) AS tenanted
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'ward' AND c.relkind IN ('r', 'p') ORDER BY 1
            """).rows.compactMap { r in
            let rel = try r.string("rel")!
            if try r.bool("tenanted")! { return (rel, "t.tenant_id = $1", "t.tenant_id <> $1") }
            switch rel {
            case "ward.patients":
                return (rel, "EXISTS (SELECT 1 FROM ward.profile_consents c WHERE c.patient_id = t.id AND c.tenant_id = $1)",
                        "EXISTS (SELECT 1 FROM ward.profile_consents c WHERE c.patient_id = t.id AND c.tenant_id <> $1)")
            case "ward.staff":
                return (rel, "EXISTS (SELECT 1 FROM ward.memberships m WHERE m.staff_id = t.id AND m.tenant_id = $1)",
                        "EXISTS (SELECT 1 FROM ward.memberships m WHERE m.staff_id = t.id AND m.tenant_id <> $1)")
            case "ward.tenants": return (rel, "t.id = $1", "t.id <> $1")
            default: return nil  // platform reference data (roles, consent texts): shared by design
            }
        }
    }

    func groundTruth() throws -> Ground {
        var g = Ground()
        g.staleB = try staleRiversideSessions()
        g.tenantB = try db.owner.query("SELECT id FROM ward.tenants WHERE code = 'riverside'").first!.string("id")!
        var inB: Set<String> = [], elsewhere: Set<String> = []
        for (rel, filterB, filterOthers) in try wardTables() {
            for (filter, into) in [(filterB, true), (filterOthers, false)] {
                let values = try db.owner.query("""
                    SELECT DISTINCT v #>> '{}' AS s FROM \(rel) t, jsonb_path_query(to_jsonb(t), 'strict $.**') v
                     WHERE jsonb_typeof(v) = 'string' AND \(filter)
                    """, [g.tenantB]).rows.compactMap { try $0.string("s") }
                if into { inB.formUnion(values) } else { elsewhere.formUnion(values) }
            }
        }
        // Long enough to be specific, and not a date or a time (those repeat by chance).
        g.secrets = inB.subtracting(elsewhere).filter {
            $0.count >= 4 && $0.range(of: #"^\d{4}-\d{2}-\d{2}"#, options: .regularExpression) == nil
        }
        func one(_ sql: String, _ tenant: String) throws -> String {
            try db.owner.query(sql, [tenant]).first!.string(0)!
        }
        let tenantA = try db.owner.query("SELECT id FROM ward.tenants WHERE code = 'northside'").first!.string("id")!
        for (tenant, only) in [(g.tenantB, true), (tenantA, false)] {
            // "Only here": a patient or staff member with no tie to any other clinic.
            var ids: [String: String] = [:]
            ids["patient"] = try one("""
                SELECT c.patient_id FROM ward.profile_consents c WHERE c.tenant_id = $1 AND c.revoked_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM ward.profile_consents o WHERE o.patient_id = c.patient_id AND o.tenant_id <> $1)
                 ORDER BY 1 LIMIT 1
                """, tenant)
            ids["staff"] = try one("""
                SELECT m.staff_id FROM ward.memberships m WHERE m.tenant_id = $1
                   AND NOT EXISTS (SELECT 1 FROM ward.memberships o WHERE o.staff_id = m.staff_id AND o.tenant_id <> $1)
                 ORDER BY m.role = 'billing' DESC, 1 LIMIT 1
                """, tenant)
            ids["appointment"] = try one("SELECT id FROM ward.appointments WHERE tenant_id = $1 AND status = 'booked' ORDER BY 1 LIMIT 1", tenant)
            ids["note"] = try one("SELECT id FROM ward.clinical_notes WHERE tenant_id = $1 ORDER BY 1 LIMIT 1", tenant)
            ids["consent"] = try one("SELECT id FROM ward.profile_consents WHERE tenant_id = $1 ORDER BY 1 LIMIT 1", tenant)
            ids["tenant"] = tenant
            if only { g.idsB = ids } else { g.idsA = ids }
        }
        // A clinician of northside for the attacker's own, legitimate arguments.
        g.idsA["clinician"] = try one("""
            SELECT m.staff_id FROM ward.memberships m JOIN ward.staff s ON s.id = m.staff_id
             WHERE m.tenant_id = $1 AND s.username = 'alice'
            """, tenantA)
        return g
    }

    /// A digest of riverside's rows in every ward table, as the owner sees them.
    func fingerprintB(_ g: Ground) throws -> [String: String] {
        var sums: [String: String] = [:]
        for (rel, filterB, _) in try wardTables() {
            sums[rel] = try db.owner.query("""
                SELECT md5(coalesce(string_agg(to_jsonb(t)::text, ',' ORDER BY to_jsonb(t)::text), '')) AS m
                  FROM \(rel) t WHERE \(filterB)
                """, [g.tenantB]).first!.string("m")!
        }
        return sums
    }

    // MARK: - Scanning what the attacker reads

    /// Counts a probe and reports riverside-only values in what it returned. The values the
    /// attacker typed in are removed first (an echo of one's own input is no leak).
    /// Errors of api calls must have a sentence for the user; raw SQL the terminal never
    /// sends (the attacker's own statements) may fail any way it likes.
    func scan(_ label: String, _ outcome: Outcome, _ g: Ground, typed: [String] = [], apiCall: Bool = false) {
        probes += 1
        var text = outcome.text
        for t in typed where !t.isEmpty { text = text.replacingOccurrences(of: t, with: "<typed>") }
        if let s = g.secrets.first(where: { text.contains($0) }) {
            leak("\(label): shows riverside's value \(s.debugDescription)")
        }
        if apiCall, let e = outcome.error, !userErrorHasSentence(e) {
            leak("\(label): error without a sentence for the user: \(e)")
        }
    }

    // MARK: - Relations

    /// The relations `role` holds any privilege on. The relation attacks run as ward_api
    /// (the reader beneath the api functions), on the superuser's connection.
    func grantedRelations(_ role: ReaderRole = .api) throws -> [String] {
        try db.owner.query("""
            SELECT format('%I.%I', n.nspname, c.relname) AS rel
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
               AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
               AND (has_table_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
                    OR has_any_column_privilege($1, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))
             ORDER BY 1
            """, [role.rawValue]).rows.map { try $0.string("rel")! }
    }

    func columns(_ rel: String, privilege: String = "SELECT") throws -> [(name: String, type: String)] {
        try db.owner.query("""
            SELECT quote_ident(a.attname) AS name, format_type(a.atttypid, a.atttypmod) AS type
              FROM pg_attribute a
             WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
               AND has_column_privilege('ward_api', a.attrelid, a.attnum, $2)
             ORDER BY a.attnum
            """, [rel, privilege]).rows.map { (try $0.string("name")!, try $0.string("type")!) }
    }

    func attackRelations(_ g: Ground) throws {
        let relations = try grantedRelations()
        XCTAssertTrue(relations.contains("api.patient_profiles") && relations.contains("ward.patients"),
                      "control: the catalog query finds the views and the tables: \(relations)")
        let idsB = Array(Set(g.idsB.values)).sorted()
        let arrayB = "{" + idsB.joined(separator: ",") + "}"
        for rel in relations {
            let cols = try columns(rel)
            if !cols.isEmpty {
                // Read everything the policies let through.
                let list = cols.map(\.name).joined(separator: ", ")
                scan("SELECT * FROM \(rel)", db.owner.attempt("SELECT \(list) FROM \(rel)", session: tokenA, role: .api), g)
                // Ask for riverside's ids by value, column by column.
                for c in cols where c.type == "uuid" {
                    let o = db.owner.attempt("SELECT count(*) AS n FROM \(rel) WHERE \(c.name) = ANY($1::uuid[])",
                                             [arrayB], session: tokenA, role: .api)
                    scan("\(rel).\(c.name) = riverside ids", o, g, typed: idsB)
                    if case .rows(let r) = o, (try? r.first?.int("n")) != 0 {
                        leak("\(rel).\(c.name): \(String(describing: try? r.first?.int("n"))) riverside rows found by id")
                    }
                }
            }
            // Writes aimed at riverside: each must fail or touch nothing.
            let anyCol = cols.first?.name ?? "tenant_id"
            let target = cols.contains { $0.name == "tenant_id" } ? "tenant_id = $1::uuid" : "\(anyCol) IS NOT NULL AND $1::uuid IS NOT NULL"
            for sql in ["UPDATE \(rel) SET \(anyCol) = \(anyCol) WHERE \(target)",
                        "DELETE FROM \(rel) WHERE \(target)"] {
                let o = db.owner.attempt(sql, [g.tenantB], session: tokenA, role: .api)
                scan(sql, o, g, typed: [g.tenantB])
                if case .rows(let r) = o, r.affectedRows > 0 { leak("\(sql): changed \(r.affectedRows) rows") }
            }
            for sql in ["INSERT INTO \(rel) (tenant_id) VALUES ($1::uuid)", "INSERT INTO \(rel) DEFAULT VALUES",
                        "TRUNCATE \(rel)", "ALTER TABLE \(rel) DISABLE ROW LEVEL SECURITY",
                        "ALTER TABLE \(rel) NO FORCE ROW LEVEL SECURITY", "DROP POLICY tenant_isolation ON \(rel)",
                        "CREATE POLICY open ON \(rel) USING (true)", "LOCK TABLE \(rel) IN ACCESS EXCLUSIVE MODE"] {
                let params: [any SQLValueConvertible] = sql.contains("$1") ? [g.tenantB] : []
                let o = db.owner.attempt(sql, params, session: tokenA, role: .api)
                scan(sql, o, g, typed: [g.tenantB])
                if case .rows = o { leak("\(sql): allowed") }
            }
        }
    }

    // MARK: - Functions

    struct Function {
        let signature: String, name: String, schema: String
        let args: [(name: String, type: String)]
        let definer: Bool
        /// IMMUTABLE: the answer depends on the arguments alone (ward.fold...), so it can
        /// only echo what the caller typed.
        let immutable: Bool
    }

    func grantedFunctions() throws -> [Function] {
        try db.owner.query("""
            SELECT p.oid::regprocedure::text AS sig, quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS name,
                   n.nspname AS schema, p.prosecdef AS definer, p.provolatile = 'i' AS immutable,
                   coalesce(array_to_string(p.proargnames[1:p.pronargs], ','), '') AS names,
                   coalesce((SELECT string_agg(format_type(t, NULL), ',' ORDER BY i)
                               FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)), '') AS types
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind = 'f'
               AND has_function_privilege('ward_app', p.oid, 'EXECUTE')
             ORDER BY 1
            """).rows.map { r in
            let names = try r.string("names")!.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let types = try r.string("types")!.split(separator: ",").map(String.init)
            let args = types.enumerated().map { (i, t) in (i < names.count && !names[i].isEmpty ? names[i] : "arg\(i + 1)", t) }
            return Function(signature: try r.string("sig")!, name: try r.string("name")!,
                            schema: try r.string("schema")!, args: args,
                            definer: try r.bool("definer")!, immutable: try r.bool("immutable")!)
        }
    }

    /// A harmless, valid-looking value of the attacker's own clinic for a parameter.
    func ownValue(_ name: String, _ type: String, _ g: Ground) -> String {
        switch type {
        case "uuid":
            switch name {
            case "patient": return g.idsA["patient"]!
            case "clinician": return g.idsA["clinician"]!
            case "appointment": return g.idsA["appointment"]!
            case "amends", "note": return g.idsA["note"]!
            default: return g.idsA["staff"]!
            }
        case "date": return "1990-01-01"
        case "timestamp with time zone": return "2031-03-03 10:00:00+00"
        case "integer", "bigint", "smallint": return "30"
        case "boolean": return "true"
        default:
            switch name {
            case "role": return "billing"
            case "kind": return "note"
            case "new_status": return "arrived"
            default: return "attack probe"
            }
        }
    }

    func call(_ f: Function, _ values: [String], session: String?, commit: Bool = true) -> Outcome {
        let list = f.args.enumerated().map { "$\($0.offset + 1)::\($0.element.type)" }.joined(separator: ", ")
        // Committed: a call that changed riverside's rows must show in the fingerprint.
        return app.attempt("SELECT * FROM \(f.name)(\(list))", values, session: session, commit: commit)
    }

    /// The outcome with the probed id blanked: for comparing a riverside id with a made-up one.
    func normalised(_ o: Outcome, _ id: String) -> String {
        if case .rows(let r) = o { return "rows:\(r.rows.count)" }
        return o.text.replacingOccurrences(of: id, with: "<id>")
    }

    func attackFunctions(_ g: Ground) throws {
        let functions = try grantedFunctions()
        XCTAssertTrue(functions.contains { $0.name == "api.open_patient" }, "control: the catalog finds api functions")
        for f in functions {
            // Outside api and ward only extension code (pgcrypto, unaccent...): it must run
            // with the caller's rights, so it reaches no table the caller could not.
            if f.schema != "api" && f.schema != "ward" {
                probes += 1
                if f.definer { leak("\(f.signature) is SECURITY DEFINER outside api and ward") }
                continue
            }
            if f.name == "api.login" || f.name == "api.logout" { continue }  // attacked in AuthTimingTests
            let own = f.args.map { ownValue($0.name, $0.type, g) }
            scan("\(f.signature) with northside's own values", call(f, own, session: tokenA), g, typed: own, apiCall: true)
            // Each uuid parameter in turn: every kind of riverside id, against an id that never existed.
            for (i, a) in f.args.enumerated() where a.type == "uuid" {
                for (kind, idB) in g.idsB.sorted(by: { $0.key < $1.key }) {
                    var withB = own, withNone = own
                    withB[i] = idB
                    withNone[i] = UUID().uuidString.lowercased()
                    let b = call(f, withB, session: tokenA)
                    let none = call(f, withNone, session: tokenA)
                    scan("\(f.signature) \(a.name) = riverside \(kind)", b, g, typed: withB, apiCall: true)
                    if normalised(b, idB) != normalised(none, withNone[i]) {
                        leak("\(f.signature) \(a.name) = riverside \(kind): answers \(normalised(b, idB).debugDescription) "
                             + "but \(normalised(none, withNone[i]).debugDescription) for an unknown id")
                    }
                }
            }
            // Text parameters holding riverside's own words (names, chart numbers, usernames).
            // Not committed: a note titled with riverside's words is the attacker's own text.
            for (i, a) in f.args.enumerated() where a.type == "text" && !f.immutable {
                let words = g.secrets.filter { $0.range(of: #"^[\p{L}][\p{L} '.-]+$"#, options: .regularExpression) != nil }
                for secret in words.sorted().prefix(8) {
                    var values = own
                    values[i] = secret
                    scan("\(f.signature) \(a.name) = riverside text", call(f, values, session: tokenA, commit: false), g,
                         typed: values, apiCall: true)
                }
            }
        }
    }

    // MARK: - Forged and stale sessions

    /// Platform data that needs no session: the consent text a patient reads, the
    /// master-key check value (ciphertext; the terminal tests its key with it), and the
    /// clock (ward.now(): in production PostgreSQL's own now(), which any role reads).
    let publicByDesign: Set<String> = ["api.consent_text", "api.master_key_check", "api.server_now", "ward.consent_texts",
                                       "ward.roles", "ward.role_permissions"]

    /// Riverside sessions that have ended: one expired, one logged out, one idle too long.
    func staleRiversideSessions() throws -> [String] {
        let expired = try demoLogin(app, "riverside", "rita")
        let revoked = try demoLogin(app, "riverside", "rita")
        let idle = try demoLogin(app, "riverside", "rita")
        try db.owner.query("UPDATE ward.sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = sha256(convert_to($1, 'UTF8'))", [expired])
        try db.owner.query("UPDATE ward.sessions SET last_seen_at = now() - interval '2 hours' WHERE token_hash = sha256(convert_to($1, 'UTF8'))", [idle])
        _ = try app.withSession(revoked) { try $0.query("SELECT api.logout()") }
        return [expired, revoked, idle]
    }

    func attackForgedSessions(_ g: Ground) throws {
        let (expired, revoked, idle) = (g.staleB[0], g.staleB[1], g.staleB[2])
        let forged: [(String, String?)] = [
            ("no token", nil), ("empty", ""), ("garbage", "x' OR 1=1 --"), ("spaces", "   "),
            ("random 256 bits", String(repeating: "ab", count: 32)), ("riverside expired", expired),
            ("riverside revoked", revoked), ("riverside idle", idle), ("riverside revoked, upper case", revoked.uppercased()),
            ("northside token truncated", String(tokenA.dropLast())), ("northside token plus a space", tokenA + " "),
            ("riverside tenant id as token", g.tenantB), ("a hash as token", "\\x" + String(repeating: "0", count: 64)),
        ]
        let relations = try grantedRelations()
        let functions = try grantedFunctions().filter { $0.schema == "api" && $0.name != "api.login" }
        for (label, token) in forged {
            for rel in relations {
                let cols = try columns(rel)
                guard !cols.isEmpty else { continue }
                let o = db.owner.attempt("SELECT \(cols.map(\.name).joined(separator: ", ")) FROM \(rel)", session: token,
                                         role: .api)
                scan("\(label): SELECT FROM \(rel)", o, g, typed: [token ?? ""])
                if case .rows(let r) = o, !r.rows.isEmpty, !publicByDesign.contains(rel) {
                    leak("\(label): \(rel) shows \(r.rows.count) rows")
                }
            }
            for f in functions {
                let own = f.args.map { ownValue($0.name, $0.type, g) }
                let o = call(f, own, session: token)
                scan("\(label): \(f.signature)", o, g, typed: own + [token ?? ""], apiCall: true)
                if case .rows(let r) = o, !publicByDesign.contains(f.name),
                   r.rows.contains(where: { $0.values.contains { $0 != nil && $0 != "" } }) {
                    leak("\(label): \(f.signature) answered \(r.rows.count) rows")
                }
            }
        }
    }

    // MARK: - Escalation

    func attackEscalation(_ g: Ground) {
        let statements = [
            "SET ROLE ward_owner", "SET ROLE ward_auth", "SET ROLE postgres", "SET LOCAL ROLE ward_owner",
            "SET SESSION AUTHORIZATION ward_owner", "SET SESSION AUTHORIZATION postgres",
            "SELECT set_config('role', 'ward_owner', true)",
            "SET row_security = off; SELECT * FROM ward.patients",
            "COPY ward.sessions TO '/tmp/ward-attack-copy'", "COPY ward.patients FROM '/etc/hostname'",
            "COPY (SELECT 1) TO PROGRAM 'true'",
            "CREATE FUNCTION api.attack() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE FUNCTION ward.attack() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE FUNCTION public.attack() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE VIEW public.attack AS SELECT * FROM ward.patients",
            "CREATE VIEW api.attack AS SELECT * FROM ward.patients",
            "CREATE TABLE public.attack (x int)", "CREATE SCHEMA attack",
            "ALTER ROLE ward_app BYPASSRLS", "GRANT ward_auth TO ward_app", "GRANT ward_owner TO ward_app",
            "ALTER FUNCTION ward.current_tenant() OWNER TO ward_app",
            "CREATE OR REPLACE FUNCTION ward.current_tenant() RETURNS uuid LANGUAGE sql AS 'SELECT NULL::uuid'",
            "SELECT pg_read_file('/etc/passwd')", "SELECT lo_import('/etc/passwd')",
            "SELECT * FROM ward_attempts.attack", "SELECT ward.recover_login_audit()",
            "SELECT ward.write_audit(NULL, 'x', 'x', NULL, NULL, NULL, NULL, NULL, NULL)",
            "SELECT ward.open_session(NULL, NULL, 'admin')",
            "UPDATE ward.sessions SET tenant_id = tenant_id", "SELECT token_hash FROM ward.sessions",
            "SELECT password_hash FROM ward.staff",
            "ALTER SYSTEM SET row_security = off", "LOAD 'plpgsql'", "CREATE EXTENSION dblink",
        ]
        for sql in statements {
            let o: Outcome
            if sql.contains(";") {
                // Two statements: the simple protocol, as a hand-written client would send them.
                do {
                    try app.query("BEGIN")
                    defer { _ = try? app.query("ROLLBACK") }
                    try app.query("SELECT set_config('ward.session', $1, true)", [tokenA])
                    try app.executeScript(sql)
                    o = .rows(try app.query("SELECT 'allowed' AS x"))
                } catch let e as DatabaseError { o = .failed(e) } catch { o = .failed(.misuse("\(error)")) }
            } else {
                o = app.attempt(sql, session: tokenA)
            }
            scan(sql, o, g)
            if case .rows = o { leak("\(sql): allowed") }
        }
        // Temporary objects are refused (TEMPORARY is revoked from PUBLIC, docs/adr/0012);
        // the owner's connection, as the control, may create the same view.
        for rel in ["ward.patients", "ward.clinical_notes", "ward.appointments", "ward.audit_events"] {
            let sql = "CREATE TEMP VIEW peek WITH (security_barrier = false) AS SELECT * FROM \(rel)"
            let o = app.attempt(sql, session: tokenA)
            scan("temporary view over \(rel)", o, g)
            if case .rows = o { leak("\(sql): allowed") }
            if case .failed(let e) = db.owner.attempt(sql, session: tokenA) {
                XCTFail("control: the owner could not create a temporary view over \(rel): \(e)")
            }
        }
    }
}
