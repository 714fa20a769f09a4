import Foundation
import WardCore
import WardDB
import WardTestSupport
import XCTest

/// Every text parameter of every api function granted to ward_app (found in pg_proc, so a
/// new function is fuzzed without editing this file) gets random and hostile input, sent
/// the way the terminal sends it (one pipeline: set_config then the call, one implicit
/// transaction). An input passes when the call succeeds, or fails with an error the
/// terminal has a sentence for (UserError), or is refused before sending (a NUL byte).
/// Anything else fails: a crash, a lost connection, an error class nobody maps. At the end
/// no row of another clinic may have changed.
///
/// FUZZ_INPUTS (default 10,000; `make test-long` 100,000) and FUZZ_SEED (default fixed)
/// make a run repeatable: the summary line names the seed.
final class FuzzTests: XCTestCase {
    override class func setUp() { keepLogOutOfHome() }

    func testEveryApiTextParameter() throws {
        let env = ProcessInfo.processInfo.environment
        let total = Int(env["FUZZ_INPUTS"] ?? "") ?? 10_000
        let seed = UInt64(env["FUZZ_SEED"] ?? "") ?? 0x5741_5244
        var rng = SplitMix64(seed: seed)
        let db = try DemoDatabase.fresh()
        let app = try Connection(db.appDSN)
        let token = try demoLogin(app, "northside", "alice")
        // Commits need not wait for the disk here: the same rows, without an fsync each.
        try app.query("SET synchronous_commit = off")
        let before = try riversideFingerprint(db.owner)
        // Control: the classifier does reject an error the terminal has no sentence for.
        if case .failed(let e) = app.attempt("SELECT no_such_column FROM api.whoami()", session: token) {
            XCTAssertFalse(userErrorHasSentence(e), "control: \(e) must count as a failure")
        } else { XCTFail("control: the bad query must fail") }

        let targets = try fuzzTargets(db.owner)
        XCTAssertTrue(targets.contains { $0.function == "api.search_patients" && $0.param == 0 },
                      "control: the catalog query finds api.search_patients(q)")
        var used: [String: Int] = [:]
        var failures: [String] = []
        var sent = 0
        var i = 0
        while sent < total {
            let t = targets[i % targets.count]
            i += 1
            // A bcrypt costs ~0.1 s by design (0006): those functions get a small share.
            if Self.hashing.contains(t.function), used[t.function, default: 0] >= max(20, total / 2_000) { continue }
            used[t.function, default: 0] += 1
            sent += 1
            let input = Hostile.next(&rng)
            var values = t.defaults
            values[t.param] = input
            let outcome: Result<QueryResult, DatabaseError>
            do {
                try app.send(t.sql, values, session: token)
                outcome = .success(try app.wait())
            } catch let e as DatabaseError {
                outcome = .failure(e)
            }
            switch outcome {
            case .success: break
            case .failure(.invalidParameter) where input.containsNUL: break
            case .failure(.server(let s)) where userErrorHasSentence(.server(s)): break
            case .failure(let e):
                failures.append("\(t.function) \(t.name) = \(input.shown): \(e)")
                if e.isConnectionLost { try app.reconnect() }
            }
        }
        XCTAssertEqual(try app.query("SELECT 1 AS one").first?.int("one"), 1, "the server still answers")
        let after = try riversideFingerprint(db.owner)
        for (table, sum) in before where after[table] != sum { failures.append("riverside rows of \(table) changed") }
        print("fuzz: \(sent) inputs, \(failures.count) failures (seed \(seed), \(targets.count) text parameters)")
        XCTAssertEqual(failures.count, 0, "failures:\n" + failures.prefix(40).joined(separator: "\n"))
    }

    static let hashing: Set<String> = ["api.login", "api.change_password", "api.add_staff_member",
                                       "api.reset_staff_password"]

    struct Target {
        let function: String, name: String, param: Int, sql: String
        /// Plausible values of the attacker's own clinic for the other parameters.
        let defaults: [SQLValue]
    }

    func fuzzTargets(_ owner: Connection) throws -> [Target] {
        let own: [String: String] = [
            "uuid": try owner.query("""
                SELECT c.patient_id FROM ward.profile_consents c JOIN ward.tenants t ON t.id = c.tenant_id
                 WHERE t.code = 'northside' ORDER BY 1 LIMIT 1
                """).first!.string(0)!,
            "date": "1990-01-01", "timestamp with time zone": "2031-03-03 10:00:00+00",
            "integer": "30", "boolean": "true", "text": "probe",
        ]
        var targets: [Target] = []
        for r in try owner.query("""
            SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) AS name,
                   coalesce(array_to_string(p.proargnames[1:p.pronargs], ','), '') AS names,
                   (SELECT string_agg(format_type(t, NULL), ',' ORDER BY i)
                      FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i)) AS types
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'api' AND has_function_privilege('ward_app', p.oid, 'EXECUTE')
               AND 'text'::regtype = ANY (p.proargtypes::oid[]) ORDER BY 1
            """).rows {
            let name = try r.string("name")!
            let names = try r.string("names")!.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let types = try r.string("types")!.split(separator: ",").map(String.init)
            let list = types.enumerated().map { "$\($0.offset + 1)::\($0.element)" }.joined(separator: ", ")
            let defaults = types.map { SQLValue.text(own[$0] ?? "probe") }
            for (i, type) in types.enumerated() where type == "text" {
                targets.append(Target(function: name, name: i < names.count ? names[i] : "$\(i + 1)", param: i,
                                      sql: "SELECT * FROM \(name)(\(list))", defaults: defaults))
            }
        }
        return targets
    }
}

/// Inputs an attacker or an unlucky paste would produce.
enum Hostile {
    static let fixed: [String] = [
        "", " ", "'", "''", "\\", "\\\\'", "%", "_", "%_%", "' OR '1'='1", "'; DROP TABLE ward.patients; --",
        "$1", "$$; SELECT 1; $$", "\u{0}", "a\u{0}b", "\u{1b}[2J\u{1b}[H", "\u{1b}]0;owned\u{07}", "\u{1b}P+q\u{1b}\\",
        "\u{9b}31m", "\u{7f}", "\u{202e}evil", "\u{200b}", "e\u{301}\u{301}\u{301}", "NULL", "null", "\t\n\r",
        "%s%n%x", "../../etc/passwd", "<script>alert(1)</script>", "\u{FEFF}", "\u{FFFD}", "😀👨‍👩‍👧",
        "अनन्या", "Nguyễn", "山田", "northside", "riverside", "alice", "clinic-demo", "1990-01-01", "N-000001",
        String(repeating: "A", count: 10_000), String(repeating: "é", count: 10_000),
        String(repeating: "'", count: 10_000), String(repeating: "%", count: 5_000),
    ]
    static let pools: [[Character]] = [
        Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.,"),
        Array("'\"\\%_$;:()[]{}*/+-=<>|&!?#@^~`"),
        (1...31).map { Character(Unicode.Scalar(UInt8($0))) } + ["\u{7f}", "\u{85}", "\u{9b}", "\u{2028}"],
        Array("éèüößñçÅØÆłŁœ") + Array("山田花子李王") + Array("अनयशरम") + Array("🙂🚑💊"),
    ]

    /// A string, or raw bytes that are not valid UTF-8 (one input in twelve).
    static func next(_ rng: inout SplitMix64) -> SQLValue {
        switch rng.next() % 12 {
        case 0: return .text(fixed[Int(rng.next() % UInt64(fixed.count))])
        case 1:
            let bad: [[UInt8]] = [[0xC3], [0xFF, 0xFE], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF],
                                  Array("abc".utf8) + [0x80] + Array("def".utf8)]
            return .bytes(bad[Int(rng.next() % UInt64(bad.count))])
        default:
            let length: Int
            switch rng.next() % 20 {
            case 0: length = 10_000
            case 1: length = Int(rng.next() % 500)
            default: length = Int(rng.next() % 24)
            }
            var s = ""
            for _ in 0..<length {
                let pool = pools[Int(rng.next() % UInt64(pools.count))]
                s.append(pool[Int(rng.next() % UInt64(pool.count))])
            }
            return .text(s)
        }
    }
}

extension SQLValue {
    var containsNUL: Bool { if case .text(let s) = self { return s.utf8.contains(0) }; return false }

    /// The input for a failure message: escaped, and cut short.
    var shown: String {
        switch self {
        case .text(let s): return String(s.prefix(60).debugDescription) + (s.count > 60 ? "… (\(s.count) characters)" : "")
        case .bytes(let b): return "bytes " + b.map { String(format: "%02x", $0) }.joined(separator: " ")
        case .null: return "NULL"
        }
    }
}
