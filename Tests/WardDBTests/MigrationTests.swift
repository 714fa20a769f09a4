import Foundation
import WardCore
import WardDB
import XCTest

final class MigrationTests: XCTestCase {
    func testFreshApplyThenSecondApplyIsNoOp() throws {
        let (_, _, conn) = try Fixture.freshDatabase()
        let first = try Migrator(connection: conn).migrate()
        XCTAssertEqual(first.applied, ["0001_baseline"])
        XCTAssertTrue(first.alreadyApplied.isEmpty)

        let objectsBefore = try catalogFingerprint(conn)
        let second = try Migrator(connection: conn).migrate()
        XCTAssertTrue(second.applied.isEmpty, "second run applied \(second.applied)")
        XCTAssertEqual(second.alreadyApplied, ["0001_baseline"])
        XCTAssertEqual(try catalogFingerprint(conn), objectsBefore, "second run changed the schema")

        let owner = try conn.query("""
            SELECT r.rolsuper, r.rolbypassrls, r.rolcanlogin FROM pg_roles r WHERE r.rolname = 'ward_app'
            """).first!
        XCTAssertEqual(try owner.bool("rolsuper"), false)
        XCTAssertEqual(try owner.bool("rolbypassrls"), false)
        XCTAssertEqual(try owner.bool("rolcanlogin"), true)
    }

    func testEditedMigrationIsRefused() throws {
        let (_, _, conn) = try Fixture.freshDatabase()
        let original = Migration(version: 1, name: "demo", bytes: Array("""
            CREATE SCHEMA IF NOT EXISTS mtest; CREATE TABLE mtest.t (v int);
            """.utf8))
        try Migrator(connection: conn, migrations: [original]).migrate()
        let edited = Migration(version: 1, name: "demo", bytes: Array("""
            CREATE SCHEMA IF NOT EXISTS mtest; CREATE TABLE mtest.t (v bigint);
            """.utf8))
        XCTAssertThrowsError(try Migrator(connection: conn, migrations: [edited]).migrate()) { error in
            guard case MigrationError.changedAfterApply(let label, _, _) = error else {
                return XCTFail("expected changedAfterApply, got \(error)")
            }
            XCTAssertEqual(label, "0001_demo")
            XCTAssertTrue("\(error)".contains("changed after it was applied"))
        }
    }

    func testFailedMigrationLeavesNothingBehind() throws {
        let (_, _, conn) = try Fixture.freshDatabase()
        let good = Migration(version: 1, name: "good", bytes: Array("CREATE SCHEMA mtest;".utf8))
        let bad = Migration(version: 2, name: "bad", bytes: Array("""
            CREATE TABLE mtest.half (v int); SELECT no_such_function();
            """.utf8))
        XCTAssertThrowsError(try Migrator(connection: conn, migrations: [good, bad]).migrate()) { error in
            XCTAssertTrue("\(error)".contains("0002_bad"), "\(error)")
        }
        XCTAssertEqual(try conn.query("SELECT to_regclass('mtest.half') IS NULL AS gone").first!.bool("gone"), true)
        XCTAssertEqual(try conn.query("SELECT count(*) AS n FROM ward_meta.migrations").first!.int("n"), 1)
    }

    /// A database built from another baseline (an issue edited Schema/ after it was built)
    /// is refused with a sentence, and nothing is applied.
    func testEditedBaselineIsRefusedWithASentence() throws {
        let (_, _, conn) = try Fixture.freshDatabase()
        try Migrator(connection: conn).migrate()
        let edited = Migration(version: 1, name: "baseline", sql: Schema.baseline.sql + "\nCREATE TABLE ward.extra (v int);")
        XCTAssertThrowsError(try Migrator(connection: conn, migrations: [edited]).migrate()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("another version of the baseline schema"), text)
            XCTAssertTrue(text.contains("build a new database"), text)
        }
        XCTAssertEqual(try conn.query("SELECT to_regclass('ward.extra') IS NULL AS gone").first!.bool("gone"), true)
    }

    /// A database migrated by the numbered migrations that the baseline replaced is refused.
    func testDatabaseOfTheOldMigrationsIsRefused() throws {
        let (_, _, conn) = try Fixture.freshDatabase()
        try Migrator(connection: conn, migrations: []).migrate()
        try conn.query("INSERT INTO ward_meta.migrations (version, name, checksum) VALUES (20, 'policies_once_per_statement', 'x')")
        XCTAssertThrowsError(try Migrator(connection: conn).migrate()) { error in
            XCTAssertEqual(error as? MigrationError, .unknownApplied(label: "0020_policies_once_per_statement"))
        }
    }

    /// Every file in Schema/ is in the hand-kept list, in order, once, and embedded as it is.
    func testEverySchemaFileIsListed() throws {
        let dir = Fixture.packageRoot.appendingPathComponent("Sources/WardCore/Schema")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        let listed = [Schema.roles] + Schema.files
        XCTAssertEqual(files.map { String($0.dropLast(4)) }, listed.map(\.name))
        for f in listed {
            let text = try String(contentsOf: dir.appendingPathComponent(f.name + ".sql"), encoding: .utf8)
            XCTAssertEqual(text, f.sql, "\(f.name) embedded text differs from the file")
        }
    }

    /// Every function, view and policy is defined once, in its current form: no CREATE OR
    /// REPLACE, no ALTER POLICY, no name created twice.
    func testEveryObjectIsDefinedOnce() throws {
        let sql = Schema.baseline.sql
        for pattern in ["CREATE OR REPLACE", "ALTER POLICY", "DROP FUNCTION", "DROP VIEW", "RENAME COLUMN"] {
            XCTAssertFalse(sql.uppercased().contains(pattern), "Schema/ uses \(pattern)")
        }
        let create = try NSRegularExpression(pattern: #"CREATE (FUNCTION|VIEW|TABLE) ([a-z_]+\.[a-z_]+)"#)
        let names = create.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)).map {
            String(sql[Range($0.range(at: 2), in: sql)!])
        }
        XCTAssertGreaterThan(names.count, 80, "the pattern finds the schema's objects")
        let twice = Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
        XCTAssertEqual(twice, [], "defined more than once")
        let policy = try NSRegularExpression(pattern: #"CREATE POLICY ([a-z_]+) ON ([a-z_]+\.[a-z_]+)"#)
        let policies = policy.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)).map {
            String(sql[Range($0.range(at: 1), in: sql)!]) + " on " + String(sql[Range($0.range(at: 2), in: sql)!])
        }
        XCTAssertEqual(policies.count, Set(policies).count, "a policy is defined twice")
    }

    func catalogFingerprint(_ c: Connection) throws -> [String] {
        try c.query("""
            SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text AS o
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
            UNION ALL
            SELECT n.nspname || '.' || p.proname || ':f' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
            ORDER BY 1
            """).rows.map { try $0.string("o")! }
    }
}
