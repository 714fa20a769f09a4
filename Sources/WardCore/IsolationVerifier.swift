import Foundation
import WardDB

/// The isolation report for auditors (`ward verify`): every rule of Rules/ with its result
/// (its findings below it; allowed exceptions with their reason), the security-definer
/// functions listed with their owner and search_path, then a live probe inside a
/// transaction that is rolled back: the policies as `ward_api` (the reader beneath the api
/// functions) and the closed surface as `ward_app`. Relation names come from the catalog and are
/// quoted by PostgreSQL itself (`format('%s', regclass)`), never pasted into SQL here.
public struct IsolationVerifier {
    public enum Status: String { case pass = "PASS", fail = "FAIL", info = "INFO", allow = "ALLOW" }

    public struct Check {
        public let status: Status
        public let subject: String
        public let detail: String
        /// A rule or the probe (counted in the summary); false for a finding under a rule.
        public var counted = true
    }

    public struct Report {
        public var checks: [Check] = []
        public var failures: Int { checks.filter { $0.status == .fail && $0.counted }.count }
        public var passed: Bool { failures == 0 }
        public var rendered: String {
            var lines = checks.map { "\($0.status.rawValue)\($0.status == .allow ? " " : "  ")\($0.subject): \($0.detail)" }
            let counted = checks.filter { $0.counted && $0.status != .info }.count
            let allowed = checks.filter { $0.status == .allow }.count
            lines.append("")
            lines.append("\(counted) checks, \(failures) failures, \(allowed) allowed exceptions (Rules/allowlist.txt)")
            return lines.joined(separator: "\n")
        }
        mutating func add(_ ok: Bool, _ subject: String, _ pass: String, _ fail: String) {
            checks.append(Check(status: ok ? .pass : .fail, subject: subject, detail: ok ? pass : fail))
        }
    }

    let c: Connection
    let rules: [Rule]
    let allowlist: [String: [String: String]]

    public init(connection: Connection, rules: [Rule] = Rules.all, allowlist: [String: [String: String]] = Rules.allowlist) {
        c = connection
        self.rules = rules
        self.allowlist = allowlist
    }

    public func run() throws -> Report {
        var r = Report()
        for rule in rules { try check(rule, &r) }
        try definers(&r)
        try probe(&r)
        return r
    }

    /// One rule: its line (PASS or FAIL), then each finding, allowed ones with their reason.
    func check(_ rule: Rule, _ r: inout Report) throws {
        var failing: [Check] = [], allowed: [Check] = []
        // The rule's text is one of the binary's own files (Rules/), never input.
        for row in try c.query("SELECT f.subject, f.problem FROM (\(rule.sql)) f ORDER BY 1, 2").rows {
            let subject = try row.string("subject") ?? "", problem = try row.string("problem") ?? ""
            if let why = allowlist[rule.name]?[subject] {
                allowed.append(Check(status: .allow, subject: subject, detail: "\(problem); allowed: \(why)", counted: false))
            } else {
                failing.append(Check(status: .fail, subject: subject, detail: problem, counted: false))
            }
        }
        r.checks.append(Check(status: failing.isEmpty ? .pass : .fail, subject: "rule " + rule.name, detail: rule.description))
        r.checks += failing + allowed
    }

    /// The inventory an auditor reads beside the rules: each definer function, its owner,
    /// its search_path and whether ward_app may call it.
    func definers(_ r: inout Report) throws {
        for row in try c.query("""
            SELECT p.oid::regprocedure::text AS fn, pg_get_userbyid(p.proowner) AS owner,
                   (SELECT s FROM unnest(p.proconfig) s WHERE s LIKE 'search_path=%') AS path,
                   has_function_privilege('ward_app', p.oid, 'EXECUTE') AS app
              FROM pg_proc p
             WHERE p.prosecdef AND p.pronamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
             ORDER BY 1
            """).rows {
            let fn = try row.string("fn")!, owner = try row.string("owner")!
            let path = try row.string("path") ?? "no search_path"
            let who = try row.bool("app") == true ? "executable by ward_app" : "not executable by ward_app"
            r.checks.append(Check(status: .info, subject: fn, detail: "security definer, owner \(owner), \(path), \(who)"))
        }
    }

    /// Two probe clinics, each with a patient, a session as admin. The policies, as ward_api
    /// (which reads for the api functions): with A's session no row of B may be visible, and
    /// with no valid session no row at all. The closed surface, as ward_app: every relation
    /// is refused, and a refusal counts only where the same statement runs for the owner.
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

            let all = try c.query("""
                SELECT c.oid::regclass::text AS rel, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                          AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS tenant,
                       EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'patient_id') AS has_patient,
                       has_any_column_privilege('ward_api', c.oid, 'SELECT') AS api_reads
                  FROM pg_class c
                 WHERE (c.relnamespace = 'ward'::regnamespace AND c.relkind IN ('r', 'p'))
                    OR (c.relnamespace = 'api'::regnamespace AND c.relkind = 'v')
                 ORDER BY 1
                """).rows
            // The closed surface: ward_app is refused every relation (42501), and the same
            // statement, run as the owner, works: the refusal is the grant, not a typo.
            var open: [String] = []
            for rel in all {
                let name = try rel.string("rel")!
                try c.query("SET LOCAL ROLE ward_app")
                let refused = try isRefused(c, relation: name)
                try c.query("RESET ROLE")
                let controlRuns = try !isRefused(c, relation: name)
                if !refused || !controlRuns {
                    open.append(refused ? "\(name): the control failed to read it as the owner" : "ward_app may read \(name)")
                }
            }
            r.add(open.isEmpty, "closed surface as ward_app",
                  "\(all.count) relations refused to ward_app, each read by the owner as the control",
                  open.joined(separator: "; "))

            try c.query("SET LOCAL ROLE ward_api")
            let relations = try all.filter { try $0.bool("api_reads") == true }
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
            r.add(leaks.isEmpty, "live probe as ward_api", "\(probed) probes of the \(relations.count) relations ward_api reads, 0 leaks",
                  leaks.joined(separator: "; "))
            try c.query("RESET ROLE")
            // Nothing of the probe may stay behind.
            throw Rollback()
          }
        } catch is Rollback {}
    }

    struct Rollback: Error {}

    /// Whether the current role is refused `SELECT count(*)` on `relation` (42501).
    func isRefused(_ c: Connection, relation: String) throws -> Bool {
        try c.query("SAVEPOINT probe")
        do {
            _ = try c.query("SELECT query_to_xml(format('SELECT count(*) FROM %s', $1::regclass), false, true, '') AS x",
                            [relation])
            try c.query("RELEASE SAVEPOINT probe")
            return false
        } catch let e as DatabaseError where e.sqlState == "42501" {
            try c.query("ROLLBACK TO SAVEPOINT probe")
            return true
        }
    }

    /// Rows of `relation` matching `condition`, as the current role (ward_api, which holds
    /// SELECT on every relation probed, so a refusal here is a failure, not a pass).
    func countVisible(_ c: Connection, relation: String, condition: String, value: (any SQLValueConvertible)?) throws -> Int {
        try c.query("""
            SELECT (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s WHERE ' || $2,
                    $1::regclass, $3::text), false, true, '')))[1]::text::int AS n
            """, [relation, condition, value?.sqlValue ?? .null]).first!.int("n")!
    }
}
