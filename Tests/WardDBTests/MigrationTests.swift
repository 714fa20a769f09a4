import Foundation
import WardCore
import WardDB
import XCTest

final class MigrationTests: XCTestCase {
    func testFreshApplyThenSecondApplyIsNoOp() throws {
        let (_, _, conn) = try Fixture.freshDatabase()
        let first = try Migrator(connection: conn).migrate()
        XCTAssertEqual(first.applied, Migrations.all.map(\.label))
        XCTAssertTrue(first.alreadyApplied.isEmpty)

        let objectsBefore = try catalogFingerprint(conn)
        let second = try Migrator(connection: conn).migrate()
        XCTAssertTrue(second.applied.isEmpty, "second run applied \(second.applied)")
        XCTAssertEqual(second.alreadyApplied, Migrations.all.map(\.label))
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

    /// Every file in Migrations/ must be in the hand-kept list, in order, once.
    func testEveryMigrationFileIsListed() throws {
        let dir = Fixture.packageRoot.appendingPathComponent("Sources/WardCore/Migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        XCTAssertEqual(files.map { String($0.dropLast(4)) }, Migrations.all.map(\.label))
        for m in Migrations.all {
            let text = try String(contentsOf: dir.appendingPathComponent(m.label + ".sql"), encoding: .utf8)
            XCTAssertEqual(text, m.sql, "\(m.label) embedded text differs from the file")
        }
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
