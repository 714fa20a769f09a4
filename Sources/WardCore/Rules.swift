import Foundation

/// The rules an auditor signs off, written once: one SQL file per rule in Rules/, each a
/// query that returns the findings (subject, problem) and no row when the rule holds.
/// `ward verify` (IsolationVerifier) and the pgTAP catalog test (Tests/sql/catalog_rules.sql,
/// loaded by scripts/pgtap.sh) run the same files; Rules/allowlist.txt holds the
/// exceptions, each with its reason. A file missing from this list fails RulesTests.
public enum Rules {
    public static let all: [Rule] = [
        Rule(PackageResources.rls_enabled_and_forced_sql),
        Rule(PackageResources.restrictive_policy_sql),
        Rule(PackageResources.tenant_index_sql),
        Rule(PackageResources.invoker_views_sql),
        Rule(PackageResources.definer_views_sql),
        Rule(PackageResources.materialized_and_foreign_sql),
        Rule(PackageResources.app_role_sql),
        Rule(PackageResources.definer_search_path_sql),
        Rule(PackageResources.definer_execute_sql),
        Rule(PackageResources.fk_covering_index_sql),
        Rule(PackageResources.context_per_row_sql),
        Rule(PackageResources.permissive_overlap_sql),
        Rule(PackageResources.always_true_permissive_sql),
        Rule(PackageResources.sensitive_columns_sql),
        Rule(PackageResources.closed_surface_sql),
    ]

    /// rule name -> subject -> why it is allowed.
    public static let allowlist: [String: [String: String]] = {
        var out: [String: [String: String]] = [:]
        for line in String(decoding: PackageResources.allowlist_txt, as: UTF8.self).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || text.hasPrefix("#") { continue }
            let parts = text.split(separator: "|", maxSplits: 2).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3 else { continue }
            out[parts[0], default: [:]][parts[1]] = parts[2]
        }
        return out
    }()
}

public struct Rule: Sendable {
    /// From the file's first line, `-- rule: NAME` (also the file's name).
    public let name: String
    /// From its second line: what holds when the rule passes.
    public let description: String
    /// A query returning `subject` and `problem` for each finding.
    public let sql: String

    init(_ bytes: [UInt8]) {
        sql = String(decoding: bytes, as: UTF8.self)
        let lines = sql.split(separator: "\n").map(String.init)
        name = lines.first.map { String($0.dropFirst("-- rule: ".count)) } ?? "?"
        description = lines.dropFirst().first.map { String($0.dropFirst("-- ".count)) } ?? ""
    }
}
