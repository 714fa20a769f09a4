import Foundation
import WardDB

/// The appointment calls of the api schema: the clinicians, one clinician's schedule, and
/// the writes (book, reschedule, cancel, check in / no-show). Each write is an api function
/// that checks the session's permission itself; the exclusion constraint refuses a clash.
extension Api {
    public struct Clinician: Sendable, Equatable {
        public var id: UUID
        public var username, displayName, role: String
    }

    /// Specialists and admins of this clinic who can be booked, by name.
    public static let clinicians = Request("""
        SELECT staff_id, username, display_name, role FROM api.clinician_list()
        """) { r in
        try r.rows.map {
            Clinician(id: try $0.uuid("staff_id")!, username: try $0.string("username")!,
                      displayName: try $0.string("display_name")!, role: try $0.string("role")!)
        }
    }

    public struct AppointmentRow: Sendable, Equatable {
        public var id: UUID
        public var patientID: UUID
        /// Nil when the patient's profile is no longer shared with this clinic.
        public var familyName, givenName: String?
        public var chartNo: String
        public var clinicianID: UUID
        public var clinician: String
        public var startsAt, endsAt: Date
        public var status: String
        public var reason: String?

        /// "Ng, Zoë", as the patient search lists names (family first whatever the script).
        public var listName: String {
            guard let f = familyName, let g = givenName else { return patientName }
            return "\(f), \(g)"
        }

        public var minutes: Int { Int((endsAt.timeIntervalSince(startsAt) / 60).rounded()) }

        /// "Zoë Ng"; a patient who revoked consent is shown by chart number only.
        public var patientName: String {
            guard let f = familyName, let g = givenName else { return "chart \(chartNo) (profile not shared)" }
            return "\(g) \(f)"
        }

        /// Only open appointments can be checked in, marked no-show or cancelled; only a
        /// booked one can be moved (the api functions say the same).
        public var isOpen: Bool { status == "booked" || status == "checked_in" }
    }

    /// One clinician's appointments starting in [from, to), earliest first.
    public static func schedule(clinician: UUID, from: Date, to: Date) -> Request<[AppointmentRow]> {
        Request("""
            SELECT appointment_id, patient_id, family_name, given_name, chart_no, clinician_id,
                   clinician_name AS clinician, starts_at, ends_at, status, reason
              FROM api.schedule($1, $2, $3)
            """, [clinician, from, to]) { r in
            try r.rows.map {
                AppointmentRow(id: try $0.uuid("appointment_id")!, patientID: try $0.uuid("patient_id")!,
                               familyName: try $0.string("family_name"), givenName: try $0.string("given_name"),
                               chartNo: try $0.string("chart_no") ?? "", clinicianID: try $0.uuid("clinician_id")!,
                               clinician: try $0.string("clinician") ?? "", startsAt: try $0.timestamp("starts_at")!,
                               endsAt: try $0.timestamp("ends_at")!, status: try $0.string("status")!,
                               reason: try $0.string("reason"))
            }
        }
    }

    /// Books; a clash is refused with a sentence naming the clashing appointment (23P01,
    /// HINT field:starts_at).
    public static func bookAppointment(patient: UUID, clinician: UUID, startsAt: Date, minutes: Int,
                                       reason: String) -> Request<UUID?> {
        Request("SELECT api.book_appointment($1, $2, $3, $4, $5) AS id",
                [patient, clinician, startsAt, minutes, reason], isWrite: true) {
            try $0.first?.uuid("id")
        }
    }

    public static func rescheduleAppointment(_ id: UUID, startsAt: Date, minutes: Int) -> Request<Void> {
        Request("SELECT api.reschedule_appointment($1, $2, $3)", [id, startsAt, minutes], isWrite: true) { _ in () }
    }

    public static func cancelAppointment(_ id: UUID, reason: String) -> Request<Void> {
        Request("SELECT api.cancel_appointment($1, $2)", [id, reason], isWrite: true) { _ in () }
    }

    /// "checked_in", "no_show" or "completed".
    public static func setAppointmentStatus(_ id: UUID, to status: String) -> Request<Void> {
        Request("SELECT api.set_appointment_status($1, $2)", [id, status], isWrite: true) { _ in () }
    }
}
