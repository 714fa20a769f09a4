import Foundation
import WardCore
import WardDB

/// The one place where the terminal seals and opens encrypted fields: it holds the session's
/// clinic data keys and the portable profiles' keys, unwrapped with the master key right
/// after login (StaffApp.loggedIn). Screens and write builders call `seal` for the value
/// they send and `open` for the value they read; docs/ENCRYPTION.md has the contract.
public struct FieldSealer: Sendable {
    /// What the screen shows for a value that does not open under this row's binding: it
    /// names no patient, and no other patient's data can show up through it.
    public static let unreadable = "This record cannot be read (its encryption does not match)"

    public var clinic: KeyRing?
    public var portable: KeyRing?

    public init(clinic: KeyRing? = nil, portable: KeyRing? = nil) {
        self.clinic = clinic
        self.portable = portable
    }

    /// A field as read: nothing stored, its text, or a value that would not open.
    public enum Opened: Equatable, Sendable {
        case absent
        case text(String)
        case unreadable

        public var text: String? { if case .text(let s) = self { return s } else { return nil } }
    }

    /// The session's wrapped keys (api.session_keys returns its own clinic's and the portable
    /// ones only), unwrapped. A key the master key does not open is left out, so values
    /// sealed with it read as unreadable rather than stopping the terminal.
    public static func load(_ master: MasterKey) -> Request<FieldSealer> {
        Request("SELECT scope, version, wrapped FROM api.session_keys()") { r in
            var sealer = FieldSealer()
            for row in r.rows {
                guard let scope = try row.string("scope"), let version = try row.int("version"),
                      let wrapped = try row.bytes("wrapped") else { continue }
                var ring = (scope == KeyScope.portable ? sealer.portable : sealer.clinic) ?? KeyRing(scope: scope)
                try? ring.add(wrapped: wrapped, version: version, master: master)
                if scope == KeyScope.portable { sealer.portable = ring } else { sealer.clinic = ring }
            }
            return sealer
        }
    }

    func ring(_ field: SealedField) -> KeyRing? { field.isPortable ? portable : clinic }

    /// The parameter to send for `text` in `field` of the row `row` (the id the terminal
    /// chose for a new row). Blank text is sent as NULL, so the database's own "enter ..."
    /// message still applies. Allergies and signatures are trimmed, as before encryption.
    public func seal(_ text: String?, _ field: SealedField, row: UUID) throws -> SQLValue {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return .null }
        guard let ring = ring(field), ring.current != nil else {
            throw UserError("This clinic has no encryption key yet; ask the platform administrators to run `ward keys rotate`. Nothing was saved.")
        }
        do {
            return .bytes(try ring.seal(field == .noteBody ? text! : trimmed, field, row: row))
        } catch {
            throw UserError("Ward could not encrypt this value. Nothing was saved.")
        }
    }

    /// Opens a value read from the database for the row it was read from.
    public func open(_ sealed: [UInt8]?, _ field: SealedField, row: UUID) -> Opened {
        guard let sealed else { return .absent }
        guard let ring = ring(field), let text = try? ring.open(sealed, field, row: row) else {
            Log.shared.warning("field.unreadable", ["table": field.table])
            return .unreadable
        }
        return .text(text)
    }
}
