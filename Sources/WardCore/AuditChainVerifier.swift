import WardDB

/// Recomputes every clinic's audit chain (`ward audit verify`): each event's hash must be
/// sha256(prev_hash || canonical row), each prev_hash the hash of the event before it (32
/// zero bytes for the first), and the chain head must point at the last event. The
/// canonical form is defined once, in SQL (ward.audit_canonical); this walks it in order.
public struct AuditChainVerifier {
    public struct ClinicResult: Equatable {
        public let clinic: String
        public let events: Int
        /// The first broken link: event id and what is wrong; nil when the chain is intact.
        public let brokenAt: Int?
        public let problem: String?
    }

    let c: Connection
    public init(connection: Connection) { c = connection }

    public func run() throws -> [ClinicResult] {
        var results: [ClinicResult] = []
        for t in try c.query("SELECT id::text AS id, code FROM ward.tenants ORDER BY code").rows {
            let tenant = try t.string("id")!, code = try t.string("code")!
            let row = try c.query("""
                WITH chain AS (
                    SELECT e.id, e.prev_hash, e.hash, e.hash = ward.audit_hash(e) AS content_ok,
                           lag(e.hash) OVER (ORDER BY e.id) AS before,
                           lag(e.id) OVER (ORDER BY e.id) AS before_id,
                           row_number() OVER (ORDER BY e.id) AS n
                      FROM ward.audit_events e WHERE e.tenant_id = $1::uuid
                ), bad AS (
                    SELECT id, CASE
                             WHEN NOT content_ok THEN 'hash does not match its content (edited)'
                             WHEN n = 1 AND prev_hash <> decode(repeat('00', 32), 'hex') THEN 'first event does not start the chain'
                             WHEN n > 1 AND prev_hash <> before THEN 'prev_hash does not match event ' || before_id || ' (an event was removed or reordered)'
                           END AS problem
                      FROM chain
                )
                SELECT (SELECT count(*) FROM chain) AS events,
                       (SELECT id FROM bad WHERE problem IS NOT NULL ORDER BY id LIMIT 1) AS broken_at,
                       (SELECT problem FROM bad WHERE problem IS NOT NULL ORDER BY id LIMIT 1) AS problem,
                       (SELECT h.last_hash IS NOT DISTINCT FROM (SELECT hash FROM chain ORDER BY id DESC LIMIT 1)
                          FROM ward.audit_heads h WHERE h.tenant_id = $1::uuid) AS head_ok,
                       (SELECT max(id) FROM chain) AS last_id
                """, [tenant]).first!
            let events = try row.int("events") ?? 0
            var broken = try row.int("broken_at"), problem = try row.string("problem")
            if broken == nil, events > 0, try row.bool("head_ok") == false {
                broken = try row.int("last_id")
                problem = "the chain head does not point at the last event (events were removed from the end)"
            }
            results.append(ClinicResult(clinic: code, events: events, brokenAt: broken, problem: problem))
        }
        return results
    }

    public static func render(_ results: [ClinicResult]) -> String {
        var lines = results.map { r in
            r.brokenAt.map { "FAIL  \(r.clinic): \(r.events) events, first broken link at event \($0): \(r.problem ?? "")" }
                ?? "PASS  \(r.clinic): \(r.events) events, chain intact"
        }
        lines.append("")
        lines.append("\(results.count) chains, \(results.filter { $0.brokenAt != nil }.count) broken")
        return lines.joined(separator: "\n")
    }
}
