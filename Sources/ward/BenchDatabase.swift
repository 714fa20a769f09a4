// A developer command: compiled only into the debug and benchmark builds (Ward.developerCommands).
#if WARD_DEVELOPER
import Dispatch
import Foundation
import WardCore
import WardDB
import WardClient

/// The database figures: each query the screens send, run as ward_app with a session
/// (row-level security on), next to its floor: the same SQL on the base tables with an
/// explicit tenant_id, run by the superuser that owns the bench cluster (no RLS, no guard,
/// no audit write).
final class BenchDatabase {
    let cluster: ThrowawayCluster
    let owner: Connection
    let app: Connection
    let anchor: CalendarDate
    let samples: Int
    let tenant: String
    let clinic = SyntheticSeed.clinicCode(seed: 1, 1)
    let admin = SyntheticSeed.adminUsername(seed: 1, 1)
    var token = ""

    init(cluster: ThrowawayCluster, owner: Connection, anchor: CalendarDate, samples: Int) throws {
        self.cluster = cluster
        self.owner = owner
        self.anchor = anchor
        self.samples = samples
        app = try Connection(cluster.dsn(database: "ward", user: "ward_app"))
        tenant = try owner.query("SELECT id::text AS id FROM ward.tenants WHERE code = $1", [clinic]).first!.string("id")!
    }

    func newSession() throws {
        token = try app.query("SELECT api.login($1, $2, $3) AS token", [clinic, admin, SyntheticSeed.password])
            .first!.string("token")!
    }

    /// One statement as ward_app inside a session transaction; only the statement is timed.
    func asApp(_ sql: String, _ params: [any SQLValueConvertible]) throws -> Double {
        try app.withSession(token) { c in try millis { try c.query(sql, params) } }
    }

    /// The floor: the same work on the base tables, no row-level security.
    func asFloor(_ sql: String, _ params: [any SQLValueConvertible]) throws -> Double {
        try owner.transaction { c in try millis { try c.query(sql, params) } }
    }

    func plan(_ c: Connection, _ sql: String, _ params: [any SQLValueConvertible]) throws -> String {
        try c.query("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + sql, params).rows
            .compactMap { try $0.string(0) }.joined(separator: "\n")
    }

    func appPlan(_ sql: String, _ params: [any SQLValueConvertible]) throws -> String {
        try app.withSession(token) { c in try plan(c, sql, params) }
    }

    // MARK: 6. Login

    func login(_ r: inout BenchReport) throws {
        let hash = try owner.query("SELECT substr(password_hash, 1, 7) AS p FROM ward.staff WHERE username = $1", [admin])
            .first!.string("p")!
        var times: [Double] = []
        for _ in 0..<10 { times.append(try millis { try newSession() }) }
        r.add(Figure(name: "Login, api.login (bcrypt \(hash))", target: "about 121 ms at cost 11", samples: times))
        r.note("""
            Login keeps bcrypt cost 11 (\(hash)): about a tenth of a second per attempt is unnoticed at a \
            terminal but makes each guess of an offline attack on a stolen hash cost the same; cost 12 would \
            double it to about a quarter second, cost 10 halve it. Lockout already limits online guessing.
            """)
    }

    // MARK: 1 and 2. Patient search

    static let searchSQL = """
        SELECT p.id, p.family_name, p.given_name, p.date_of_birth, p.sex, cp.chart_no, p.phone,
               (SELECT min(lower(ap.during)) FROM ward.appointments ap
                 WHERE ap.tenant_id = $1::uuid AND ap.patient_id = p.id AND ap.status = 'booked'
                   AND lower(ap.during) > now()) AS next_appointment
          FROM ward.clinic_patients cp
          JOIN ward.patients p ON p.id = cp.patient_id
          JOIN ward.profile_consents c ON c.tenant_id = cp.tenant_id AND c.patient_id = cp.patient_id
                                      AND c.revoked_at IS NULL
         WHERE cp.tenant_id = $1::uuid AND %@
         ORDER BY cp.family_key, cp.given_key, p.date_of_birth
         LIMIT 100
        """
    static let oneWord = "((cp.family_key >= $2 AND cp.family_key < ward.prefix_end($2)) OR (cp.given_key >= $2 AND cp.given_key < ward.prefix_end($2)))"
    static let twoWords = """
        ((cp.family_key >= $2 AND cp.family_key < ward.prefix_end($2) AND cp.given_key >= $3 AND cp.given_key < ward.prefix_end($3))
          OR (cp.given_key >= $2 AND cp.given_key < ward.prefix_end($2) AND cp.family_key >= $3 AND cp.family_key < ward.prefix_end($3)))
        """
    static let byDate = "cp.date_of_birth = $2::date"
    /// The event api.search_patients writes for every search: part of the work, not of RLS.
    static let searchAudit = """
        SELECT ward.write_audit($1::uuid, 'patient.search', 'search', NULL, NULL,
                                jsonb_build_object('q', $2::text, 'hits', $3::int), NULL, NULL, NULL)
        """

    func rlsAndSearch(_ r: inout BenchReport) throws {
        try newSession()
        let dates = try owner.query("""
            SELECT date_of_birth::text AS d FROM ward.clinic_patients WHERE tenant_id = $1::uuid ORDER BY patient_id LIMIT 20
            """, [tenant]).rows.map { try $0.string("d")! }
        let kinds: [(String, [String], String)] = [
            ("name prefix", ["smi", "gar", "mul", "tay", "fis", "kow", "kim", "pat", "sha", "王", "शर्", "ива"], Self.oneWord),
            ("accent-insensitive name", ["alvarez", "muller", "lefevre", "nguyen", "sahin", "wisniewski", "garcon", "dabrowski"], Self.oneWord),
            ("family and given prefixes", ["smi oli", "gar jo", "ngu van", "mul le"], Self.twoWords),
            ("date of birth", dates, Self.byDate),
        ]
        var seqScans: [String] = []
        for (kind, terms, cond) in kinds {
            var appT: [Double] = [], floorT: [Double] = [], auditedT: [Double] = []
            var folded: [String: [String]] = [:]
            for t in terms {
                let f = try owner.query("SELECT ward.fold($1) AS f", [t]).first!.string("f")!
                folded[t] = f.split(separator: " ").map(String.init)
            }
            let floorSQL = String(format: Self.searchSQL, cond)
            let budget = Budget()
            for i in 0..<samples where budget.more(appT.count) {
                let t = terms[i % terms.count]
                appT.append(try asApp(Api.searchPatients(t).sql, Api.searchPatients(t).params))
                let params: [any SQLValueConvertible] = cond == Self.byDate ? [tenant, t] : [tenant] + folded[t]!
                floorT.append(try asFloor(floorSQL, params))
                auditedT.append(try owner.transaction { c in
                    try millis {
                        let n = try c.query(floorSQL, params).rows.count
                        try c.query(Self.searchAudit, [tenant, t, n])
                    }
                })
            }
            let app = Figure(name: "Search, \(kind): ward_app, api.search_patients", target: "p95 <= 5 ms", samples: appT)
            var withTarget = app
            withTarget.met = app.p95 <= 5
            r.add(withTarget)
            r.add(Figure(name: "Search, \(kind): floor (no RLS, no audit write)", target: "", samples: floorT))
            let audited = Figure(name: "Search, \(kind): floor and the same audit write", target: "", samples: auditedT)
            r.add(audited)
            let ratio = app.median / audited.median
            r.add(Figure(name: "RLS overhead, search (\(kind)): p50 ward_app / p50 floor with its audit write",
                         target: "<= 1.05", samples: [ratio], unit: "x", met: ratio <= 1.05))
            let t = terms[0]
            let p = try plan(owner, floorSQL, cond == Self.byDate ? [tenant, t] : [tenant] + folded[t]!)
            if p.contains("Seq Scan on patients") { seqScans.append(kind) }
            r.plans.append(("Search, \(kind), \"\(t)\", in the largest clinic (the query of api.search_patients with its values, as the function plans it)", p))
        }
        r.note(seqScans.isEmpty
               ? "No search plan scans ward.patients sequentially; each is led by an index on clinic_patients (tenant_id, ...)."
               : "Sequential scans of ward.patients in the search plans for: \(seqScans.joined(separator: ", ")).")
        r.note("""
            api.search_patients is SECURITY DEFINER: its query runs without row-level security, with the clinic \
            taken from the session. Every search writes one chained audit event by design, so the ratio compares it \
            with the floor query plus that same audit write (as the owner, no session): what is left is the \
            session and permission checks and moving the session's idle clock.
            """)
    }

    // MARK: 1. Appointment day list

    // One clinician's day, as the calendar screen asks for it (api.schedule).
    static let dayListApp = """
        SELECT appointment_id, patient_id, family_name, given_name, chart_no, clinician_id, clinician_name AS clinician,
               starts_at, ends_at, status, reason
          FROM api.schedule($3::uuid, $1::timestamptz, $2::timestamptz)
        """
    static let dayListFloor = """
        SELECT a.id AS appointment_id, a.patient_id, p.family_name, p.given_name, cp.chart_no, s.display_name AS clinician,
               lower(a.during) AS starts_at, upper(a.during) AS ends_at, a.status, a.reason
          FROM ward.appointments a
          JOIN ward.clinic_patients cp ON cp.tenant_id = a.tenant_id AND cp.patient_id = a.patient_id
          LEFT JOIN ward.patients p ON p.id = a.patient_id
          LEFT JOIN ward.staff s ON s.id = a.clinician_id
         WHERE a.tenant_id = $3::uuid AND a.clinician_id = $4::uuid
           AND lower(a.during) >= $1::timestamptz AND lower(a.during) < $2::timestamptz
         ORDER BY starts_at, ends_at
         LIMIT 500
        """

    func dayList(_ r: inout BenchReport) throws {
        try newSession()
        var days: [(String, String)] = []
        var d = try owner.query("SELECT $1::date - 20 AS d", [anchor]).first!.date("d")!
        for _ in 0..<21 {
            let next = try owner.query("SELECT ($1::date + 1)::text AS d", [d]).first!.string("d")!
            days.append((d.iso + " 00:00Z", next + " 00:00Z"))
            d = CalendarDate(iso: next)!
        }
        let clinician = try owner.query("""
            SELECT clinician_id::text AS c FROM ward.appointments WHERE tenant_id = $1::uuid
             GROUP BY clinician_id ORDER BY count(*) DESC, clinician_id LIMIT 1
            """, [tenant]).first!.string("c")!
        let perDay = try owner.query("""
            SELECT round(avg(n)) AS n FROM (SELECT count(*) AS n FROM ward.appointments
             WHERE tenant_id = $1::uuid AND clinician_id = $2::uuid GROUP BY lower(during)::date) x
            """, [tenant, clinician]).first!.int("n") ?? 0
        var appT: [Double] = [], floorT: [Double] = []
        let budget = Budget()
        for i in 0..<samples where budget.more(appT.count) {
            let (a, b) = days[i % days.count]
            appT.append(try asApp(Self.dayListApp, [a, b, clinician]))
            floorT.append(try asFloor(Self.dayListFloor, [a, b, tenant, clinician]))
        }
        let app = Figure(name: "Appointment day list: ward_app, api.schedule", target: "", samples: appT)
        let floor = Figure(name: "Appointment day list: floor", target: "", samples: floorT)
        r.add(app)
        r.add(floor)
        let ratio = app.median / floor.median
        r.add(Figure(name: "RLS overhead, appointment day list: p50 ratio", target: "<= 1.05", samples: [ratio], unit: "x",
                     met: ratio <= 1.05))
        r.note("The day list reads one clinician's day: about \(perDay) appointments (the busiest clinician of the largest clinic, days with visits).")
        r.plans.append(("Appointment day list as ward_app (\(days[20].0))", try appPlan(Self.dayListApp, [days[20].0, days[20].1, clinician])))
    }

    // MARK: 1 and 3. Audit viewer pages

    static let auditFloor = """
        SELECT e.id, e.occurred_at, s.username AS actor, e.impersonated_by IS NOT NULL AS impersonated, e.action,
               e.object_type, e.object_id, e.details::text AS details
          FROM ward.audit_events e
          LEFT JOIN ward.staff s ON s.id = e.actor_id
         WHERE e.tenant_id = $4::uuid AND ($1::bigint IS NULL OR e.id < $1::bigint)
           AND ($2 = '' OR e.action LIKE $2 || '%' OR s.username = $2)
         ORDER BY e.id DESC
         LIMIT $3
        """

    func auditPages(_ r: inout BenchReport) throws {
        try newSession()
        let n = try owner.query("SELECT count(*) AS n FROM ward.audit_events WHERE tenant_id = $1::uuid", [tenant]).first!.int("n")!
        func idAt(_ offset: Int) throws -> Int {
            try owner.query("SELECT id FROM ward.audit_events WHERE tenant_id = $1::uuid ORDER BY id OFFSET $2 LIMIT 1",
                            [tenant, offset]).first!.int("id")!
        }
        let positions: [(String, Int?, String)] = [
            ("newest", nil, ""), ("middle", try idAt(n / 2), ""), ("oldest", try idAt(50), ""),
            ("newest, filtered by action", nil, "patient.read"),
        ]
        r.note("The largest clinic has \(n) of the audit events; its pages are measured.")
        var ratios: [Double] = []
        for (label, before, filter) in positions {
            let req = Api.auditPage(beforeID: before, filter: filter)
            var appT: [Double] = [], floorT: [Double] = []
            let budget = Budget()
            for _ in 0..<samples where budget.more(appT.count) {
                appT.append(try asApp(req.sql, req.params))
                floorT.append(try asFloor(Self.auditFloor, req.params + [SQLValue.text(tenant)]))
            }
            var app = Figure(name: "Audit page of 50, \(label): ward_app, api.audit_page", target: "p95 <= 5 ms", samples: appT)
            app.met = app.p95 <= 5
            let floor = Figure(name: "Audit page of 50, \(label): floor", target: "", samples: floorT)
            r.add(app)
            r.add(floor)
            ratios.append(app.median / floor.median)
            r.plans.append(("Audit page, \(label), as ward_app", try appPlan(req.sql, req.params)))
        }
        let ratio = Figure.quantile(ratios, 0.5)
        r.add(Figure(name: "RLS overhead, audit pages: median of the p50 ratios", target: "<= 1.05", samples: [ratio],
                     unit: "x", met: ratio <= 1.05))
    }

    // MARK: 4. Chained audit writes

    func auditWrites(_ r: inout BenchReport) throws {
        let write = "SELECT ward.write_audit($1::uuid, 'bench.write', 'bench', NULL, NULL, '{}'::jsonb, NULL, NULL, NULL)"
        let dsn = cluster.dsn(database: "ward")
        let tenant = self.tenant
        for writers in [1, 8] {
            let each = max(250, samples * 10 / writers)
            let failures = Failures()
            let seconds = millis {
                DispatchQueue.concurrentPerform(iterations: writers) { _ in
                    do {
                        let c = try Connection(dsn)
                        for _ in 0..<each { try c.query(write, [tenant]) }
                    } catch { failures.add("\(error)") }
                }
            } / 1000
            if let f = failures.first { throw CLIError("audit writers failed: \(f)") }
            let rate = Double(writers * each) / seconds
            r.add(Figure(name: "Chained audit writes, one clinic, \(writers) writer\(writers > 1 ? "s" : "")",
                         target: ">= 2,000/s", samples: [rate], unit: "/s", met: rate >= 2000))
        }
        try newSession()
        let status = try app.withSession(token) { c in
            try c.query("SELECT checked, broken_at FROM api.audit_chain_status(1000)").first!
        }
        r.note("After the concurrent writes the clinic's newest \(try status.int("checked") ?? 0) events still chain: "
               + ((try status.int("broken_at")) == nil ? "no broken link." : "**broken at \(try status.int("broken_at")!)**."))
    }
}

/// Sampling stops after 30 s per figure (at least 5 samples), so one slow query cannot
/// hold up a full run for hours; the table shows the samples taken.
struct Budget {
    let start = DispatchTime.now().uptimeNanoseconds
    func more(_ taken: Int) -> Bool {
        taken < 5 || DispatchTime.now().uptimeNanoseconds - start < 30_000_000_000
    }
}

/// Errors from concurrent workers, collected under a lock.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return list.first }
}
#endif
