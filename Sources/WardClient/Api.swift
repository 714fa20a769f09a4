import Foundation
import WardDB

/// The api schema's calls, as typed requests: every one calls an api function (the terminal's
/// role reads no table or view, docs/adr/0012-closed-api.md).
public enum Api {
    public static func login(clinic: String, username: String, password: String) -> Request<String?> {
        Request("SELECT api.login($1, $2, $3) AS token", [clinic, username, password], isWrite: true) {
            try $0.first?.string("token")
        }
    }

    public static let touch = Request("SELECT api.touch()", isWrite: true) { _ in () }
    public static let logout = Request("SELECT api.logout()", isWrite: true) { _ in () }

    public struct Me: Sendable {
        public var clinicCode, clinicName, timeZone, dateOrder, username, displayName, role: String
        public var impersonatedBy: String?
        public var mustChangePassword: Bool
        public var permissions: Set<String>
    }

    /// Who the session is, and what it may do, in one round trip.
    public static let whoami = Request("""
        SELECT w.*, (SELECT array_to_string(array_agg(p), ',') FROM api.my_permissions() p) AS permissions
          FROM api.whoami() w
        """) { r -> Me? in
        guard let row = r.first else { return nil }
        return Me(clinicCode: try row.string("clinic_code") ?? "", clinicName: try row.string("clinic_name") ?? "",
                  timeZone: try row.string("time_zone") ?? "UTC", dateOrder: try row.string("date_order") ?? "ISO",
                  username: try row.string("username") ?? "", displayName: try row.string("display_name") ?? "",
                  role: try row.string("role") ?? "", impersonatedBy: try row.string("impersonated_by"),
                  mustChangePassword: try row.bool("must_change_password") ?? false,
                  permissions: Set((try row.string("permissions") ?? "").split(separator: ",").map(String.init)))
    }

    public struct PatientHit: Sendable, Equatable {
        public var id: UUID
        public var familyName, givenName: String
        public var dateOfBirth: CalendarDate
        public var chartNo: String
        public var nextAppointment: Date?
    }

    public static func searchPatients(_ q: String, limit: Int = 100) -> Request<[PatientHit]> {
        Request("""
            SELECT patient_id, family_name, given_name, date_of_birth, chart_no, next_appointment
              FROM api.search_patients($1, $2)
            """, [q, limit], isWrite: true) { r in
            try r.rows.map {
                PatientHit(id: try $0.uuid("patient_id")!, familyName: try $0.string("family_name")!,
                           givenName: try $0.string("given_name")!, dateOfBirth: try $0.date("date_of_birth")!,
                           chartNo: try $0.string("chart_no")!, nextAppointment: try $0.timestamp("next_appointment"))
            }
        }
    }

    public struct Profile: Sendable {
        public var id: UUID
        public var familyName, givenName, sex, chartNo: String
        public var dateOfBirth: CalendarDate
        public var phone, email: String?
        /// Sealed in the database; opened with the session's portable key for this patient.
        public var allergies: FieldSealer.Opened
        public var consentSignedAt: Date?
    }

    /// Opening a record: audited by the database as an access.
    public static func openPatient(_ id: UUID, sealer: FieldSealer) -> Request<Profile?> {
        Request("SELECT * FROM api.open_patient($1)", [id], isWrite: true) { r in
            guard let row = r.first else { return nil }
            let pid = try row.uuid("patient_id")!
            return Profile(id: pid, familyName: try row.string("family_name")!,
                           givenName: try row.string("given_name")!, sex: try row.string("sex")!,
                           chartNo: try row.string("chart_no")!, dateOfBirth: try row.date("date_of_birth")!,
                           phone: try row.string("phone"), email: try row.string("email"),
                           allergies: sealer.open(try row.bytes("allergies"), .allergies, row: pid),
                           consentSignedAt: try row.timestamp("consent_signed_at"))
        }
    }

    public struct Visit: Sendable {
        public var startsAt: Date
        public var clinician, status: String
        public var reason: String?
    }

    public static func appointments(of patient: UUID) -> Request<[Visit]> {
        Request("""
            SELECT starts_at, clinician, status, reason FROM api.patient_appointments($1)
            """, [patient]) { r in
            try r.rows.map {
                Visit(startsAt: try $0.timestamp("starts_at")!, clinician: try $0.string("clinician") ?? "",
                      status: try $0.string("status")!, reason: try $0.string("reason"))
            }
        }
    }

    public struct NoteHeading: Sendable {
        public var id: UUID
        public var signedAt: Date
        public var kind, title, author: String
        /// The note this one corrects, if any.
        public var amends: UUID?
    }

    public static func notes(of patient: UUID) -> Request<[NoteHeading]> {
        Request("""
            SELECT note_id, signed_at, kind, title, author, amends_id FROM api.patient_notes($1)
            """, [patient]) { r in
            try r.rows.map {
                NoteHeading(id: try $0.uuid("note_id")!, signedAt: try $0.timestamp("signed_at")!,
                            kind: try $0.string("kind")!, title: try $0.string("title")!,
                            author: try $0.string("author") ?? "", amends: try $0.uuid("amends_id"))
            }
        }
    }

    public struct Consent: Sendable {
        public var id: UUID
        public var signedAt: Date
        public var signedBy: String
        /// What the patient typed, sealed with the clinic's key for this consent's row.
        public var signature: FieldSealer.Opened
        public var textVersion: String
        public var revokedAt: Date?
    }

    /// The clinic's consents of one patient, newest first.
    public static func consents(of patient: UUID, sealer: FieldSealer) -> Request<[Consent]> {
        Request("""
            SELECT consent_id, signed_at, signed_by, signature, text_version, revoked_at FROM api.patient_consents($1)
            """, [patient]) { r in
            try r.rows.map {
                let id = try $0.uuid("consent_id")!
                return Consent(id: id, signedAt: try $0.timestamp("signed_at")!, signedBy: try $0.string("signed_by") ?? "",
                               signature: sealer.open(try $0.bytes("signature"), .signature, row: id),
                               textVersion: try $0.string("text_version")!, revokedAt: try $0.timestamp("revoked_at"))
            }
        }
    }
}

extension Api {
    public struct AuditEvent: Sendable {
        public var id: Int
        public var occurredAt: Date
        public var actor: String?
        public var impersonated: Bool
        public var action: String
        public var objectType, objectId: String?
        public var details: String
    }

    /// One page of the clinic's audit log, newest first, after `beforeID` (keyset paging:
    /// as fast on the millionth page as on the first; see migration 0017). `filter` matches
    /// action or actor.
    public static func auditPage(beforeID: Int?, filter: String, limit: Int = 50) -> Request<[AuditEvent]> {
        Request("""
            SELECT id, occurred_at, actor, impersonated, action, object_type, object_id, details::text AS details
              FROM api.audit_page($1::bigint, $2, $3)
            """, [beforeID.map(SQLValue.int) ?? .null, filter, limit]) { r in
            try r.rows.map {
                AuditEvent(id: try $0.int("id")!, occurredAt: try $0.timestamp("occurred_at")!, actor: try $0.string("actor"),
                           impersonated: try $0.bool("impersonated") ?? false, action: try $0.string("action")!,
                           objectType: try $0.string("object_type"), objectId: try $0.string("object_id"),
                           details: try $0.string("details") ?? "{}")
            }
        }
    }

    /// Whether the newest events of this clinic's chain still verify.
    public static let auditChainStatus = Request("SELECT checked, broken_at FROM api.audit_chain_status(1000)") { r in
        (checked: try r.first?.int("checked") ?? 0, brokenAt: try r.first?.int("broken_at"))
    }
}

extension Api {
    /// A platform administrator's scoped session in one clinic; the reason goes into that
    /// clinic's audit log.
    public static func impersonate(clinic: String, reason: String) -> Request<String?> {
        Request("SELECT api.impersonate($1, $2) AS token", [clinic, reason], isWrite: true) {
            try $0.first?.string("token")
        }
    }
}
