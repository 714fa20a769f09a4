import Foundation
import WardDB

/// The isolation report for auditors (`ward verify`): catalog checks of every tenant table,
/// view, role and security-definer function, then a live probe as `ward_app` inside a
/// transaction that is rolled back. Relation names come from the catalog and are quoted
/// by PostgreSQL itself (`format('%s', regclass)`), never pasted into SQL here.
public struct IsolationVerifier {
    public enum Status: String { case pass = "PASS", fail = "FAIL", info = "INFO" }

    public struct Check {
        public let status: Status
        public let subject: String
        public let detail: String
    }

    public struct Report {
        public var checks: [Check] = []
        public var failures: Int { checks.filter { $0.status == .fail }.count }
        public var passed: Bool { failures == 0 }
        public var rendered: String {
            var lines = checks.map { "\($0.status.rawValue)  \($0.subject): \($0.detail)" }
            let counted = checks.filter { $0.status != .info }.count
            lines.append("")
            lines.append("\(counted) checks, \(failures) failures")
            return lines.joined(separator: "\n")
        }
        mutating func add(_ ok: Bool, _ subject: String, _ pass: String, _ fail: String) {
            checks.append(Check(status: ok ? .pass : .fail, subject: subject, detail: ok ? pass : fail))
        }
    }

    let c: Connection
    public init(connection: Connection) { c = connection }

    public func run() throws -> Report {
        var r = Report()
        try tenantTables(&r)
        try views(&r)
        try appRole(&r)
        try definers(&r)
        try probe(&r)
        return r
    }

    func tenantTables(_ r: inout Report) throws {
        let rows = try c.query("""
            SELECT c.oid::regclass::text AS rel, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
                   EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND NOT p.polpermissive
                              AND pg_get_expr(p.polqual, p.polrelid) LIKE '%current_tenant()%') AS restrictive,
                   EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute ia ON ia.attrelid = i.indrelid AND ia.attnum = i.indkey[0]
                            WHERE i.indrelid = c.oid AND ia.attname = 'tenant_id') AS indexed
              FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
             WHERE c.relnamespace = 'ward'::regnamespace AND c.relkind IN ('r', 'p')
             ORDER BY 1
            """).rows
        if rows.isEmpty { r.add(false, "schema ward", "", "no tenant table found: is the database migrated?") }
        for row in rows {
            let rel = try row.string("rel")!
            var missing: [String] = []
            if try row.bool("enabled") != true { missing.append("RLS not enabled") }
            if try row.bool("forced") != true { missing.append("RLS not forced") }
            if try row.bool("restrictive") != true { missing.append("no restrictive tenant policy") }
            if try row.bool("indexed") != true { missing.append("no index led by tenant_id") }
            r.add(missing.isEmpty, rel, "RLS enabled and forced, restrictive tenant policy, index led by tenant_id",
                  missing.joined(separator: ", "))
        }
        for rel in ["ward.patients", "ward.tenants", "ward.staff"] {
            let row = try c.query("""
                SELECT c.relrowsecurity AND c.relforcerowsecurity AS forced,
                       EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND NOT p.polpermissive) AS restrictive
                  FROM pg_class c WHERE c.oid = to_regclass($1)
                """, [rel]).first
            guard let row else { r.add(false, rel, "", "missing"); continue }
            r.add(try row.bool("forced") == true && row.bool("restrictive") == true, rel,
                  "platform table: RLS enabled and forced with a restrictive policy", "RLS not forced or no restrictive policy")
        }
    }

    func views(_ r: inout Report) throws {
        for row in try c.query("""
            SELECT c.oid::regclass::text AS rel,
                   coalesce(c.reloptions @> ARRAY['security_invoker=true'], false) AS invoker,
                   coalesce(c.reloptions @> ARRAY['security_barrier=true'], false) AS barrier
              FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace AND c.relkind = 'v' ORDER BY 1
            """).rows {
            let ok = try row.bool("invoker") == true && row.bool("barrier") == true
            r.add(ok, try row.string("rel")!, "runs with the caller's rights (security_invoker, security_barrier)",
                  "not security_invoker and security_barrier: it would bypass the caller's policies")
        }
    }

    func appRole(_ r: inout Report) throws {
        guard let role = try c.query("""
            SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
                   (SELECT count(*) FROM pg_class WHERE relowner = 'ward_app'::regrole)
                 + (SELECT count(*) FROM pg_proc WHERE proowner = 'ward_app'::regrole)
                 + (SELECT count(*) FROM pg_namespace WHERE nspowner = 'ward_app'::regrole) AS owned,
                   pg_has_role('ward_app', 'ward_owner', 'MEMBER') OR pg_has_role('ward_app', 'ward_auth', 'MEMBER') AS member,
                   has_table_privilege('ward_app', 'ward.audit_events', 'UPDATE')
                   OR has_table_privilege('ward_app', 'ward.audit_events', 'DELETE')
                   OR has_table_privilege('ward_app', 'ward.audit_events', 'TRUNCATE') AS audit_write,
                   has_table_privilege('ward_app', 'ward.profile_consents', 'INSERT') AS consent_insert
              FROM pg_roles WHERE rolname = 'ward_app'
            """).first else {
            r.add(false, "role ward_app", "", "missing")
            return
        }
        r.add(try role.bool("rolsuper") == false, "role ward_app", "not a superuser", "is a SUPERUSER")
        r.add(try role.bool("rolbypassrls") == false, "role ward_app", "cannot bypass row-level security", "has BYPASSRLS")
        r.add(try role.bool("rolcreaterole") == false && role.bool("rolcreatedb") == false, "role ward_app",
              "cannot create roles or databases", "has CREATEROLE or CREATEDB")
        r.add(try role.int("owned") == 0, "role ward_app", "owns nothing", "owns objects (owners bypass grants)")
        r.add(try role.bool("member") == false, "role ward_app", "is not a member of ward_owner or ward_auth",
              "is a member of ward_owner or ward_auth")
        r.add(try role.bool("audit_write") == false, "ward.audit_events", "ward_app cannot update, delete or truncate it",
              "ward_app may change the audit log")
        r.add(try role.bool("consent_insert") == false, "ward.profile_consents", "ward_app cannot insert consent directly",
              "ward_app may grant itself patients")
    }

    func definers(_ r: inout Report) throws {
        for row in try c.query("""
            SELECT p.oid::regprocedure::text AS fn, pg_get_userbyid(p.proowner) AS owner,
                   (SELECT s FROM unnest(p.proconfig) s WHERE s LIKE 'search_path=%') AS path
              FROM pg_proc p WHERE p.prosecdef AND p.pronamespace IN ('ward'::regnamespace, 'api'::regnamespace)
             ORDER BY 1
            """).rows {
            let fn = try row.string("fn")!, owner = try row.string("owner")!
            if let path = try row.string("path") {
                r.checks.append(Check(status: .info, subject: fn, detail: "security definer, owner \(owner), \(path)"))
            } else {
                r.add(false, fn, "", "security definer without a pinned search_path")
            }
        }
    }

    /// Two probe clinics, each with a patient, a session as admin; as ward_app with A's
    /// session no row of B may be visible, and with no valid session no row at all.
    func probe(_ r: inout Report) throws {
        let suffix = String(UUID().uuidString.lowercased().prefix(8))
        do {
          try c.transaction { c in
            let a = try c.query("INSERT INTO ward.tenants (code, name) VALUES ($1, 'probe A') RETURNING id::text AS id",
                                ["probe-a-" + suffix]).first!.string("id")!
            let b = try c.query("INSERT INTO ward.tenants (code, name) VALUES ($1, 'probe B') RETURNING id::text AS id",
                                ["probe-b-" + suffix]).first!.string("id")!
            let staff = try c.query("""
                INSERT INTO ward.staff (username, display_name, password_hash) VALUES ($1, 'probe', 'x') RETURNING id::text AS id
                """, ["probe-" + suffix]).first!.string("id")!
            try c.query("INSERT INTO ward.memberships (tenant_id, staff_id, role) VALUES ($1, $3, 'admin'), ($2, $3, 'admin')",
                        [a, b, staff])
            let patient = try c.query("""
                INSERT INTO ward.patients (family_name, given_name, date_of_birth, sex) VALUES ('Probe', 'B', '2000-01-01', 'unknown')
                RETURNING id::text AS id
                """).first!.string("id")!
            try c.query("""
                INSERT INTO ward.profile_consents (tenant_id, patient_id, signed_by, signature, text_version, text_sha256)
                SELECT $1, $2, $3, 'Probe B', version, sha256 FROM ward.consent_texts LIMIT 1
                """, [b, patient, staff])
            try c.query("INSERT INTO ward.clinic_patients (tenant_id, patient_id, chart_no) VALUES ($1, $2, 'PROBE-1')", [b, patient])
            let tokenA = try c.query("SELECT ward.open_session($1, $2, 'admin') AS t", [a, staff]).first!.string("t")!

            try c.query("SET LOCAL ROLE ward_app")
            let relations = try c.query("""
                SELECT c.oid::regclass::text AS rel, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                          AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS tenant,
                       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'patient_id') AS has_patient
                  FROM pg_class c
                 WHERE (c.relnamespace = 'ward'::regnamespace AND c.relkind IN ('r', 'p'))
                    OR (c.relnamespace = 'api'::regnamespace AND c.relkind = 'v')
                 ORDER BY 1
                """).rows
            var leaks: [String] = [], probed = 0
            for rel in relations {
                let name = try rel.string("rel")!
                var filters: [(String, [any SQLValueConvertible])] = []
                if try rel.bool("tenant") == true { filters.append(("tenant_id <> %L::uuid", [a])) }
                if try rel.bool("has_patient") == true { filters.append(("patient_id = %L::uuid", [patient])) }
                for token in [tokenA, "", "forged-" + suffix] {
                    try c.query("SELECT set_config('ward.session', $1, true)", [token])
                    let conditions = token == tokenA ? filters.map(\.0) : ["true"]
                    let values = token == tokenA ? filters.flatMap { $0.1 } : []
                    for (i, condition) in conditions.enumerated() {
                        probed += 1
                        let leaked = try countVisible(c, relation: name, condition: condition,
                                                      value: values.indices.contains(i) ? values[i] : nil)
                        if leaked > 0 {
                            leaks.append("\(name) shows \(leaked) row(s) with \(token == tokenA ? "clinic A's session (\(condition))" : "no valid session")")
                        }
                    }
                }
            }
            r.add(leaks.isEmpty, "live probe as ward_app", "\(probed) probes of \(relations.count) relations, 0 leaks",
                  leaks.joined(separator: "; "))
            try c.query("RESET ROLE")
            // Nothing of the probe may stay behind.
            throw Rollback()
          }
        } catch is Rollback {}
    }

    struct Rollback: Error {}

    /// Rows of `relation` matching `condition`, as the current role; a relation the role
    /// may not read at all counts as nothing visible.
    func countVisible(_ c: Connection, relation: String, condition: String, value: (any SQLValueConvertible)?) throws -> Int {
        try c.query("SAVEPOINT probe")
        do {
            let n = try c.query("""
                SELECT (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s WHERE ' || $2,
                        $1::regclass, $3::text), false, true, '')))[1]::text::int AS n
                """, [relation, condition, value?.sqlValue ?? .null]).first!.int("n")!
            try c.query("RELEASE SAVEPOINT probe")
            return n
        } catch let e as DatabaseError where e.sqlState == "42501" {
            try c.query("ROLLBACK TO SAVEPOINT probe")
            return 0
        }
    }
}
