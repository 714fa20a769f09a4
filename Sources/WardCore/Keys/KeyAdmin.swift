import Crypto
import Foundation
import WardDB

/// The owner's side of the data keys (`ward keys rotate`, the demo seed): creates key
/// versions, re-encrypts values in batches, seals plaintext the owner stored unsealed
/// columns, and removes versions nothing uses any more. Runs on an owner connection.
public final class KeyAdmin {
    /// What one set of keys protects: one clinic's records, or the portable profiles.
    public struct Target: Sendable {
        public let name: String
        public let scope: String
        let tenant: UUID?
        var fields: [SealedField] { SealedField.allCases.filter { $0.isPortable == (tenant == nil) } }

        public static let portable = Target(name: "portable profiles", scope: KeyScope.portable, tenant: nil)
        static func clinic(code: String, id: UUID) -> Target {
            Target(name: code, scope: KeyScope.clinic(id), tenant: id)
        }
    }

    public struct Summary: Equatable, Sendable {
        public var resealed = 0
        /// Values that did not open (damaged, or moved from another row): left as they are.
        public var unreadable = 0
        /// True when `maxBatches` stopped the run; running it again continues.
        public var stoppedEarly = false
        public var batches = 0
    }

    let c: Connection
    let master: MasterKey
    /// When false, everything runs in the caller's transaction (the demo seed's), which must
    /// already be acting as ward_owner.
    let ownTransactions: Bool

    public init(connection: Connection, masterKey: MasterKey, ownTransactions: Bool = true) {
        self.c = connection
        self.master = masterKey
        self.ownTransactions = ownTransactions
    }

    func step<T>(_ body: () throws -> T) throws -> T {
        guard ownTransactions else { return try body() }
        return try c.transaction { c in
            // Row-level security is forced on these tables; ward_owner bypasses it (an admin
            // login that is merely a member of ward_owner would not).
            try c.query("SET LOCAL ROLE ward_owner")
            return try body()
        }
    }

    /// Every clinic plus the portable profiles, or the one clinic named.
    public func targets(clinic: String?) throws -> [Target] {
        let rows = try step {
            try c.query("""
                SELECT code, id FROM ward.tenants WHERE kind = 'clinic' AND ($1::text IS NULL OR code = $1) ORDER BY code
                """, [clinic]).rows
        }
        if let clinic, rows.isEmpty { throw KeyAdminError("there is no clinic with the code '\(clinic)'") }
        let clinics = try rows.map { Target.clinic(code: try $0.string("code")!, id: try $0.uuid("id")!) }
        return clinic == nil ? clinics + [.portable] : clinics
    }

    /// The target's keys, every version, unwrapped: a wrong master key throws here.
    public func ring(_ t: Target) throws -> KeyRing {
        var ring = KeyRing(scope: t.scope)
        let rows = try step {
            if let tenant = t.tenant {
                return try c.query("SELECT version, wrapped FROM ward.data_keys WHERE tenant_id = $1", [tenant]).rows
            }
            return try c.query("SELECT version, wrapped FROM ward.portable_keys").rows
        }
        for r in rows { try ring.add(wrapped: try r.bytes("wrapped")!, version: try r.int("version")!, master: master) }
        return ring
    }

    /// Checks the master key against the database's check value, or stores one when the
    /// database has none yet (its first key).
    public func ensureCheck() throws {
        try step { () -> Void in
            if let check = try c.query("SELECT wrapped FROM ward.key_check").first {
                try master.verify(check: try check.bytes("wrapped")!)
            } else {
                try c.query("INSERT INTO ward.key_check (wrapped) VALUES ($1)", [SQLValue.bytes(try master.makeCheck())])
            }
        }
    }

    /// Stores a new, newest key version for the target.
    public func addVersion(_ t: Target, to ring: KeyRing) throws -> KeyRing {
        var ring = ring
        let version = (ring.current ?? 0) + 1
        let key = SymmetricKey(size: .bits256)
        let wrapped = SQLValue.bytes(try master.wrap(key, scope: t.scope, version: version))
        try step { () -> Void in
            if let tenant = t.tenant {
                try c.query("INSERT INTO ward.data_keys (tenant_id, version, wrapped) VALUES ($1, $2, $3)", [tenant, version, wrapped])
            } else {
                try c.query("INSERT INTO ward.portable_keys (version, wrapped) VALUES ($1, $2)", [version, wrapped])
            }
        }
        ring.add(key, version: version)
        return ring
    }

    /// The WHERE clause for values of `f` that are not yet sealed under version $1 (UTF-8
    /// plaintext the owner stored unsealed, as the seeds do, or an older version); $2 is the
    /// clinic for clinic fields.
    /// Only identifiers from SealedField are spliced in; values travel as parameters.
    // Table and column names come from SealedField's fixed cases, never from input; every
    // value goes as a parameter.
    func pendingSQL(_ f: SealedField) -> String {
        let tenant = f.isPortable ? "" : "tenant_id = $2 AND "
        return "\(tenant)\(f.column) IS NOT NULL AND ward.sealed_version(\(f.column)) IS DISTINCT FROM $1"
    }

    func params(_ t: Target, _ version: Int) -> [any SQLValueConvertible] {
        t.tenant.map { [version, $0] } ?? [version]
    }

    /// How many of the target's values are not under `version` yet.
    public func pending(_ t: Target, version: Int) throws -> Int {
        try step {
            try t.fields.reduce(0) { n, f in
                n + (try c.query("SELECT count(*) AS n FROM ward.\(f.table) WHERE \(pendingSQL(f))",
                                 params(t, version)).first!.int("n")!)
            }
        }
    }

    /// Re-encrypts the target's values under the ring's newest version, `batchSize` rows per
    /// transaction, so an interruption loses at most one batch and a new run continues.
    public func reseal(_ t: Target, ring: KeyRing, batchSize: Int = 500, maxBatches: Int? = nil,
                       progress: (Int) -> Void = { _ in }) throws -> Summary {
        guard let version = ring.current else { throw KeyError.noDataKey(t.scope) }
        var summary = Summary()
        for f in t.fields {
            var after: UUID?
            while true {
                if let maxBatches, summary.batches >= maxBatches { summary.stoppedEarly = true; return summary }
                // The keyset and limit come after the WHERE clause's own parameters.
                let n = t.tenant == nil ? 2 : 3
                let rows = try step { () -> [Row] in
                    let rows = try c.query("""
                        SELECT id, \(f.column) AS value, ward.is_sealed(\(f.column)) AS is_sealed FROM ward.\(f.table)
                         WHERE \(pendingSQL(f)) AND ($\(n)::uuid IS NULL OR id > $\(n)::uuid)
                         ORDER BY id LIMIT $\(n + 1) FOR UPDATE
                        """, params(t, version) + [after, batchSize]).rows
                    for r in rows {
                        let id = try r.uuid("id")!
                        let plain: String
                        let value = try r.bytes("value")!
                        if try r.bool("is_sealed") != true {
                            plain = String(decoding: value, as: UTF8.self)
                        } else {
                            guard let text = try? ring.open(value, f, row: id) else {
                                summary.unreadable += 1
                                continue
                            }
                            plain = text
                        }
                        let tenant = t.tenant == nil ? "" : " AND tenant_id = $3"
                        try c.query("UPDATE ward.\(f.table) SET \(f.column) = $1 WHERE id = $2\(tenant)",
                                    [SQLValue.bytes(try ring.seal(plain, f, row: id)), id] + (t.tenant.map { [$0] } ?? []))
                        summary.resealed += 1
                    }
                    return rows
                }
                summary.batches += 1
                progress(summary.resealed)
                guard rows.count == batchSize, let last = rows.last else { break }
                after = try last.uuid("id")
            }
        }
        return summary
    }

    /// Deletes the target's wrapped keys older than the newest, once no value needs them.
    public func removeOldVersions(_ t: Target, ring: KeyRing) throws -> [Int] {
        guard let version = ring.current else { return [] }
        let left = try pending(t, version: version)
        if left > 0 {
            throw KeyAdminError("\(t.name): \(left) value(s) are not under key version \(version) yet; run `ward keys rotate` again first")
        }
        return try step {
            let sql = t.tenant == nil
                ? "DELETE FROM ward.portable_keys WHERE version < $1 RETURNING version"
                : "DELETE FROM ward.data_keys WHERE version < $1 AND tenant_id = $2 RETURNING version"
            return try c.query(sql, params(t, version)).rows.map { try $0.int("version")! }.sorted()
        }
    }
}

/// The check any connection can make before login: is this key file this database's?
public enum MasterKeyCheck {
    public static func verify(_ master: MasterKey, connection c: Connection) throws {
        guard let check = try c.query("SELECT api.master_key_check() AS wrapped").first?.bytes("wrapped") else {
            throw KeyError.noDataKey("this database")
        }
        try master.verify(check: check)
    }
}

public struct KeyAdminError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
