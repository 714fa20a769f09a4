import Foundation
import WardDB
import XCTest

/// The operator commands (`ward clinic add|list`, `ward staff add`): the real binary against
/// a real, migrated and seeded database.
final class AdminCommandE2ETests: DemoE2ECase {
    /// Runs `ward ARGS --dsn OWNER`, with `stdin` piped in when given (else /dev/null).
    func ward(_ args: [String], stdin: String? = nil, dsn: String? = nil) throws -> Spawn.Outcome {
        let argv = [TmuxSession.wardBinary] + args + ["--dsn", try dsn ?? ownerDSN()]
        guard let stdin else { return try Spawn.run(argv) }
        var env = ProcessInfo.processInfo.environment
        env["WARD_TEST_STDIN"] = stdin
        return try Spawn.run(["bash", "-c", "printf '%s\\n' \"$WARD_TEST_STDIN\" | \"$@\"", "ward"] + argv, environment: env)
    }

    func owner() throws -> Connection { try Connection(try ownerDSN()) }

    func testClinicAddThenListShowsIt() throws {
        let add = try ward(["clinic", "add", "hillside", "Hillside Clinic", "--time-zone", "Europe/Dublin", "--date-order", "dmy"])
        XCTAssertEqual(add.status, 0, add.output)
        XCTAssertTrue(add.output.contains("added clinic hillside"), add.output)
        let list = try ward(["clinic", "list"])
        XCTAssertEqual(list.status, 0, list.output)
        let line = list.output.split(separator: "\n").first { $0.hasPrefix("hillside ") }
        XCTAssertNotNil(line, list.output)
        for needle in ["Europe/Dublin", "DMY", "Hillside Clinic"] {
            XCTAssertTrue(line?.contains(needle) ?? false, "list line lacks \(needle): \(line ?? "")")
        }
        XCTAssertTrue(list.output.contains("northside"), "the demo clinics are listed too")
    }

    func testStaffAddWithPasswordOnStdinThenLoginWorks() throws {
        let add = try ward(["staff", "add", "hana", "--clinic", "northside", "--role", "front_desk", "--name", "Hana Ito"],
                           stdin: "first-pass-4567")
        XCTAssertEqual(add.status, 0, add.output)
        XCTAssertTrue(add.output.contains("must choose a new password"), add.output)
        let app = try Connection(try appDSN())
        let wrong = try app.query("SELECT api.login('northside', 'hana', 'not-her-password') AS t").first?.string("t")
        XCTAssertNil(wrong, "a wrong password must not log in")
        let token = try XCTUnwrap(app.query("SELECT api.login('northside', 'hana', 'first-pass-4567') AS t").first?.string("t"),
                                  "the password from stdin logs in")
        let me = try app.withSession(token) { try $0.query("SELECT display_name, role, must_change_password FROM api.whoami()") }
        XCTAssertEqual(try me.first?.string("display_name"), "Hana Ito")
        XCTAssertEqual(try me.first?.bool("must_change_password"), true, "an operator's password must be changed")
        XCTAssertEqual(try me.first?.string("role"), "password_change", "and until then the session may do nothing else")
        XCTAssertEqual(try owner().query("""
            SELECT m.role FROM ward.memberships m JOIN ward.staff s ON s.id = m.staff_id WHERE s.username = 'hana'
            """).first?.string("role"), "front_desk")

        // Someone from another clinic joins without a password (none is read).
        let sam = try ward(["staff", "add", "sam", "--clinic", "lakeside", "--role", "specialist"])
        XCTAssertEqual(sam.status, 0, sam.output)
        XCTAssertTrue(sam.output.contains("existing account, password unchanged"), sam.output)
        XCTAssertNotNil(try app.query("SELECT api.login('lakeside', 'sam', 'clinic-demo') AS t").first?.string("t"))
    }

    func testPasswordAtATerminalIsNotEchoed() throws {
        let s = try TmuxSession.start(command: TmuxSession.wardScript(
            ["staff", "add", "tara", "--clinic", "lakeside", "--role", "billing", "--dsn", try ownerDSN()]))
        addTeardownBlock { s.close() }
        _ = try s.waitFor(text: "Initial password for tara:")
        s.typeText("lake-secret-9999"); s.sendKeys("Enter")
        _ = try s.waitFor(text: "Again:")
        s.typeText("lake-secret-9999"); s.sendKeys("Enter")
        let screen = try s.waitFor(text: "ICANON=")
        XCTAssertTrue(screen.contains("EXIT=0"), screen.joined(separator: "\n"))
        XCTAssertFalse(screen.contains { $0.contains("lake-secret") }, "the password was echoed")
        XCTAssertTrue(screen.contains("ECHO=on"), "echo is back on afterwards")
        let app = try Connection(try appDSN())
        XCTAssertNotNil(try app.query("SELECT api.login('lakeside', 'tara', 'lake-secret-9999') AS t").first?.string("t"))
    }

    func testRefusalsAreOneSentenceAndExitNonZero() throws {
        let cases: [(args: [String], stdin: String?, sentence: String)] = [
            (["clinic", "add", "northside", "Again"], nil, "there is already a clinic with the code northside"),
            (["clinic", "add", "dale", "Dale", "--time-zone", "Mars/Olympus"], nil, "unknown time zone Mars/Olympus"),
            (["clinic", "add", "X!", "Bad"], nil, "a clinic code is 2 to 40"),
            (["staff", "add", "hugo", "--clinic", "nowhere", "--role", "admin"], "long-enough-pw-1", "there is no clinic with the code nowhere"),
            (["staff", "add", "hugo", "--clinic", "northside", "--role", "owner"], "long-enough-pw-1", "unknown role owner"),
            (["staff", "add", "hugo", "--clinic", "northside", "--role", "admin"], "short", "the initial password is too weak"),
            (["staff", "add", "fiona", "--clinic", "northside", "--role", "admin"], nil, "fiona is already a member of northside"),
            (["staff", "add", "olga", "--clinic", "northside", "--role", "admin"], nil, "platform and clinic accounts are kept apart"),
        ]
        for c in cases {
            let out = try ward(c.args, stdin: c.stdin)
            XCTAssertEqual(out.status, 1, "ward \(c.args): \(out.output)")
            XCTAssertTrue(out.output.contains(c.sentence), "ward \(c.args) said: \(out.output)")
            XCTAssertFalse(out.output.contains("ERROR ") || out.output.contains("SQLSTATE"), "raw SQL error: \(out.output)")
        }
        XCTAssertEqual(try owner().query("SELECT count(*) AS n FROM ward.staff WHERE username = 'hugo'").first?.int("n"), 0,
                       "nothing was created by a refused command")
        let badOrder = try ward(["clinic", "add", "dale", "Dale", "--date-order", "ymd"])
        XCTAssertNotEqual(badOrder.status, 0, badOrder.output)
    }

    func testWardAppCannotRunOperatorCommands() throws {
        let out = try ward(["clinic", "list"], dsn: try appDSN())
        XCTAssertEqual(out.status, 1, out.output)
        XCTAssertTrue(out.output.contains("this needs the owner's connection"), out.output)
    }

    func testEveryOperatorCommandIsAudited() throws {
        XCTAssertEqual(try ward(["clinic", "add", "brookside", "Brookside"]).status, 0)
        XCTAssertEqual(try ward(["staff", "add", "bea", "--clinic", "brookside", "--role", "admin"], stdin: "brookside-first-1").status, 0)
        XCTAssertEqual(try ward(["clinic", "list"]).status, 0)
        let c = try owner()
        let platform = try c.query("""
            SELECT e.action FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id
             WHERE t.kind = 'platform' AND e.details ->> 'operator' = current_user
               AND (e.details ->> 'code' = 'brookside' OR e.details ->> 'clinic' = 'brookside' OR e.action = 'clinic.list')
            """).rows.compactMap { try $0.string("action") }
        for action in ["clinic.add", "staff.add", "clinic.list"] {
            XCTAssertTrue(platform.contains(action), "\(action) missing from the platform chain: \(platform)")
        }
        let clinic = try c.query("""
            SELECT e.action FROM ward.audit_events e JOIN ward.tenants t ON t.id = e.tenant_id WHERE t.code = 'brookside'
            """).rows.compactMap { try $0.string("action") }
        XCTAssertEqual(clinic, ["staff.add"], "the clinic's own chain shows who joined it")
        let verify = try ward(["audit", "verify"])
        XCTAssertEqual(verify.status, 0, "the chains still verify: \(verify.output)")
    }

    func testCompletionsGenerate() throws {
        for shell in ["bash", "zsh", "fish"] {
            let out = try Spawn.run([TmuxSession.wardBinary, "--generate-completion-script", shell])
            XCTAssertEqual(out.status, 0, out.output)
            XCTAssertTrue(out.output.contains("clinic") && out.output.contains("front_desk"), "\(shell) completion lacks the new commands")
        }
    }
}
