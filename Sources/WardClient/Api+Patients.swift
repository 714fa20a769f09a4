import Foundation
import WardDB

/// Registration, consent and clinical notes. Every write and read of the sensitive fields
/// (allergies, consent signatures, note bodies) goes through a builder in this file, so
/// that encrypting those fields on the client changes one place.
extension Api {
    /// A new patient as typed at the desk (already checked by the form; the database
    /// checks again). Empty optional fields are stored as "none".
    public struct NewPatient: Sendable, Equatable {
        public var familyName, givenName: String
        public var dateOfBirth: CalendarDate
        /// female, male, other or unknown.
        public var sex: String
        public var phone, email, allergies: String

        public init(familyName: String, givenName: String, dateOfBirth: CalendarDate, sex: String,
                    phone: String = "", email: String = "", allergies: String = "") {
            self.familyName = familyName; self.givenName = givenName; self.dateOfBirth = dateOfBirth
            self.sex = sex; self.phone = phone; self.email = email; self.allergies = allergies
        }
    }

    /// A profile this clinic already holds with the same names and date of birth.
    public struct Duplicate: Sendable, Equatable {
        public var id: UUID
        public var familyName, givenName, chartNo: String
        public var dateOfBirth: CalendarDate
    }

    /// Asked before registering, so the desk does not create a second profile by mistake.
    public static func likelyDuplicates(of p: NewPatient) -> Request<[Duplicate]> {
        Request("""
            SELECT patient_id, family_name, given_name, date_of_birth, chart_no
              FROM api.likely_duplicates($1, $2, $3)
            """, [p.familyName, p.givenName, p.dateOfBirth]) { r in
            try r.rows.map {
                Duplicate(id: try $0.uuid("patient_id")!, familyName: try $0.string("family_name")!,
                          givenName: try $0.string("given_name")!, chartNo: try $0.string("chart_no")!,
                          dateOfBirth: try $0.date("date_of_birth")!)
            }
        }
    }

    /// The consent text the patient reads, and its version (stored with the signature).
    public struct ConsentText: Sendable, Equatable {
        public var version, body: String
    }

    public static let consentText = Request("SELECT version, body FROM api.consent_text()") { r -> ConsentText? in
        guard let row = r.first else { return nil }
        return ConsentText(version: try row.string("version")!, body: try row.string("body")!)
    }

    /// A profile this clinic now holds, and its chart number here.
    public struct Charted: Sendable, Equatable {
        public var patientID: UUID
        public var chartNo: String
    }

    private static func charted(_ r: QueryResult) throws -> Charted {
        guard let row = r.first, let id = try row.uuid("patient_id"), let chart = try row.string("chart_no") else {
            throw DatabaseError.typeMismatch("no chart returned")
        }
        return Charted(patientID: id, chartNo: chart)
    }

    /// Creates the profile with the patient's consent (typed signature) in one transaction.
    /// The terminal chooses the new rows' ids, because the sealed allergies and signature
    /// are bound to them (docs/ENCRYPTION.md); sealing fails with a sentence, never silently.
    /// The consent's id is also the save's request id: sent again, the request finds the
    /// profile it already registered (api.register_patient checks it).
    public static func registerPatient(_ p: NewPatient, signature: String, textVersion: String,
                                       patient: UUID = UUID(), consent: UUID = UUID(),
                                       sealer: FieldSealer) throws -> Request<Charted> {
        Request("SELECT patient_id, chart_no FROM api.register_patient($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                       [p.familyName, p.givenName, p.dateOfBirth, p.sex, p.phone, p.email,
                        try sealer.seal(p.allergies, .allergies, row: patient),
                        try sealer.seal(signature, .signature, row: consent), textVersion, patient, consent],
                       isWrite: true, decode: charted)
    }

    /// A profile registered at another clinic, masked: enough for the patient at the desk
    /// to say "that is me", nothing more.
    public struct PortableMatch: Sendable, Equatable {
        /// Short-lived, for this clinic and this staff member only.
        public var handle: String
        public var maskedName, sex: String
        public var birthYear: Int
    }

    /// Exact identifiers only; audited and rate-limited by the database.
    public static func findPortableProfile(familyName: String, givenName: String,
                                           dateOfBirth: CalendarDate) -> Request<[PortableMatch]> {
        Request("SELECT handle, masked_name, birth_year, sex FROM api.find_portable_profile($1, $2, $3)",
                [familyName, givenName, dateOfBirth], isWrite: true) { r in
            try r.rows.map {
                PortableMatch(handle: try $0.string("handle")!, maskedName: try $0.string("masked_name")!,
                              sex: try $0.string("sex")!, birthYear: try $0.int("birth_year")!)
            }
        }
    }

    /// The patient's consent for a profile found elsewhere: it becomes visible here. Sent
    /// again with the same consent id, it finds the consent given (the handle is gone by then).
    public static func signConsent(handle: String, signature: String, textVersion: String, consent: UUID = UUID(),
                                   sealer: FieldSealer) throws -> Request<Charted> {
        Request("SELECT patient_id, chart_no FROM api.sign_consent($1, $2, $3, $4)",
                       [handle, try sealer.seal(signature, .signature, row: consent), textVersion, consent],
                       isWrite: true, decode: charted)
    }

    /// At the patient's request: the profile is hidden from this clinic again.
    public static func revokeConsent(patient: UUID, reason: String) -> Request<Void> {
        Request("SELECT api.revoke_consent($1, $2)", [patient, reason], isWrite: true) { _ in () }
    }

    /// One clinical note, whole.
    public struct Note: Sendable, Equatable {
        public var id: UUID
        public var signedAt: Date
        public var kind, title, author: String
        /// Opened with the clinic's key for this note's row.
        public var body: FieldSealer.Opened
        /// The note this one corrects, if any.
        public var amends: UUID?
    }

    public static func note(_ id: UUID, sealer: FieldSealer) -> Request<Note?> {
        Request("""
            SELECT note_id, signed_at, kind, title, body, author, amends_id FROM api.note($1)
            """, [id]) { r in
            guard let row = r.first else { return nil }
            return Note(id: try row.uuid("note_id")!, signedAt: try row.timestamp("signed_at")!,
                        kind: try row.string("kind")!, title: try row.string("title")!,
                        author: try row.string("author") ?? "",
                        body: sealer.open(try row.bytes("body"), .noteBody, row: try row.uuid("note_id")!),
                        amends: try row.uuid("amends_id"))
        }
    }

    /// Signs and saves a note; it can never be changed afterwards. A correction is a new
    /// note that `amends` the old one.
    ///
    /// `note` is the save's request id: sent again with the same id (after a lost connection
    /// or a failover, when the first attempt may have committed) the save finds the note it
    /// already wrote instead of writing a second one (docs/adr/0011-exactly-once-saves-by-request-id.md).
    public static func writeNote(patient: UUID, kind: String = "note", title: String, body: String,
                                 amends: UUID? = nil, note: UUID = UUID(), sealer: FieldSealer) throws -> Request<UUID> {
        Request("""
            SELECT api.write_note($1, $2, $3, $4, $5, $6) AS note_id
            """,
                       [patient, kind, title, try sealer.seal(body, .noteBody, row: note), amends, note],
                       isWrite: true) { r in
            guard let id = try r.first?.uuid("note_id") else { throw DatabaseError.typeMismatch("no note id returned") }
            return id
        }
    }
}
