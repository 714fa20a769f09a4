import Foundation
import WardDB

/// Staff administration (permission staff.manage) and the caller's own password. The api
/// functions check the permission and write the audit events; these only carry the values.
extension Api {
    public struct StaffMember: Sendable, Equatable {
        public var id: UUID
        public var username, displayName, role: String
        public var disabled, mustChangePassword: Bool
    }

    /// The roles a clinic administrator may give, in the order the screen offers them.
    public static let clinicRoles = ["admin", "specialist", "front_desk", "billing"]

    /// The clinic's staff: active people first, then by name.
    public static let staffList = Request("""
        SELECT staff_id, username, display_name, role, disabled, must_change_password FROM api.staff_members()
        """) { r in
        try r.rows.map {
            StaffMember(id: try $0.uuid("staff_id")!, username: try $0.string("username")!,
                        displayName: try $0.string("display_name")!, role: try $0.string("role")!,
                        disabled: try $0.bool("disabled") ?? false,
                        mustChangePassword: try $0.bool("must_change_password") ?? false)
        }
    }

    /// A new account (with an initial password the person must change), or an existing
    /// person from another clinic by username (the password is then not used).
    public static func addStaffMember(username: String, displayName: String, role: String,
                                      initialPassword: String) -> Request<UUID?> {
        Request("SELECT api.add_staff_member($1, $2, $3, $4) AS id",
                [username, displayName, role, initialPassword], isWrite: true) {
            try $0.first?.uuid("id")
        }
    }

    public static func setStaffRole(_ staff: UUID, role: String) -> Request<Void> {
        Request("SELECT api.set_staff_role($1, $2)", [staff, role], isWrite: true) { _ in () }
    }

    /// Ends the membership here and the person's open sessions in this clinic.
    public static func disableStaff(_ staff: UUID) -> Request<Void> {
        Request("SELECT api.disable_staff($1)", [staff], isWrite: true) { _ in () }
    }

    /// The person must choose a new password at next login.
    public static func resetStaffPassword(_ staff: UUID, newPassword: String) -> Request<Void> {
        Request("SELECT api.reset_staff_password($1, $2)", [staff, newPassword], isWrite: true) { _ in () }
    }

    public static func changePassword(old: String, new: String) -> Request<Void> {
        Request("SELECT api.change_password($1, $2)", [old, new], isWrite: true) { _ in () }
    }
}
