import WardDB

/// A digest of each tenant table's riverside rows, as the owner sees them. The fuzzers never
/// work as riverside, so any change here is a row that should not have changed.
public func riversideFingerprint(_ owner: Connection) throws -> [String: String] {
    var sums: [String: String] = [:]
    for r in try owner.query("""
        SELECT format('%I.%I', n.nspname, c.relname) AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'ward' AND c.relkind = 'r'
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
        """).rows {
        let rel = try r.string("rel")!
        sums[rel] = try owner.query("""
            SELECT md5(coalesce(string_agg(to_jsonb(t)::text, ',' ORDER BY to_jsonb(t)::text), '')) AS m
              FROM \(rel) t WHERE t.tenant_id = (SELECT id FROM ward.tenants WHERE code = 'riverside')
            """).first!.string("m")!
    }
    return sums
}

/// A small seeded generator (SplitMix64): the same seed gives the same inputs everywhere.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
