import Foundation
import WardClient
import WardDB
@testable import WardScreens
import XCTest

/// A save sent twice with the same request id (the terminal retrying after a lost answer,
/// docs/adr/0011-exactly-once-saves-by-request-id.md) lands once: the second finds the row
/// the first wrote. Each test's control sends the same save with fresh ids, which writes again.
final class SaveOnceTests: DemoDatabaseCase {
    func owner() throws -> Connection {
        let c = try XCTUnwrap(Self.clusters[ObjectIdentifier(type(of: self))], "no cluster")
        return try Connection(c.dsn(database: "ward"))
    }

    func count(_ sql: String, _ params: [any SQLValueConvertible]) throws -> Int {
        try owner().query(sql, params).first!.int("n")!
    }

    func send<T>(_ h: ScreenHarness, _ request: Request<T>) throws -> T {
        var outcome: Result<T, UserError>?
        h.app.backend.submit(request) { outcome = $0 }
        h.drain()
        return try XCTUnwrap(outcome, "no answer").get()
    }

    func testANoteSentTwiceWithTheSameIdIsWrittenOnce() throws {
        let h = try login("northside", "sam")
        let patient = try h.patient("alvarez jose")
        let save = try Api.writeNote(patient: patient, title: "Sent twice", body: "Once only.", sealer: h.app.sealer)
        let first = try send(h, save)
        XCTAssertEqual(try send(h, save), first, "the retry finds the note")
        XCTAssertEqual(try count("SELECT count(*) AS n FROM ward.clinical_notes WHERE title = $1", ["Sent twice"]), 1)

        let fresh = try Api.writeNote(patient: patient, title: "Sent twice", body: "Once only.", sealer: h.app.sealer)
        XCTAssertNotEqual(try send(h, fresh), first)
        XCTAssertEqual(try count("SELECT count(*) AS n FROM ward.clinical_notes WHERE title = $1", ["Sent twice"]), 2,
                       "control: without the same id the save writes again")
    }

    func testARegistrationSentTwiceWithTheSameIdsRegistersOnce() throws {
        let h = try login("northside", "fiona")
        let p = Api.NewPatient(familyName: "Twice", givenName: "Tomas", dateOfBirth: CalendarDate(year: 1980, month: 5, day: 6)!,
                               sex: "male", allergies: "None known")
        let version = try XCTUnwrap(try send(h, Api.consentText)).version
        let save = try Api.registerPatient(p, signature: "Tomas Twice", textVersion: version, sealer: h.app.sealer)
        let first = try send(h, save)
        XCTAssertEqual(try send(h, save), first, "the retry finds the profile and its chart")
        let twice = "SELECT count(*) AS n FROM ward.patients WHERE family_name = $1"
        XCTAssertEqual(try count(twice, ["Twice"]), 1)

        let fresh = try Api.registerPatient(p, signature: "Tomas Twice", textVersion: version, sealer: h.app.sealer)
        XCTAssertNotEqual(try send(h, fresh).patientID, first.patientID)
        XCTAssertEqual(try count(twice, ["Twice"]), 2, "control: without the same ids the patient is registered again")
    }

    /// The handle is used up by the first consent: a retry that called sign_consent again
    /// would be refused ("this look-up has expired"); with the same id it finds the consent.
    func testAConsentSentTwiceWithTheSameIdIsGivenOnce() throws {
        let h = try login("riverside", "dana")
        let match = try XCTUnwrap(try send(h, Api.findPortableProfile(
            familyName: "Ng", givenName: "Zoe", dateOfBirth: CalendarDate(year: 1991, month: 9, day: 30)!)).first)
        let version = try XCTUnwrap(try send(h, Api.consentText)).version
        let save = try Api.signConsent(handle: match.handle, signature: "Zoë Ng", textVersion: version, sealer: h.app.sealer)
        let first = try send(h, save)
        XCTAssertEqual(try send(h, save), first, "the retry finds the consent")
        let consents = """
            SELECT count(*) AS n FROM ward.profile_consents c JOIN ward.tenants t ON t.id = c.tenant_id
             WHERE c.patient_id = $1 AND t.code = 'riverside'
            """
        XCTAssertEqual(try count(consents, [first.patientID]), 1)

        let fresh = try Api.signConsent(handle: match.handle, signature: "Zoë Ng", textVersion: version, sealer: h.app.sealer)
        XCTAssertThrowsError(try send(h, fresh), "control: sign_consent itself runs again, and the handle is used up")
        XCTAssertEqual(try count(consents, [first.patientID]), 1)
    }
}
