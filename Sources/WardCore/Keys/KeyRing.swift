import Crypto
import Foundation

/// The fields Ward stores only as ciphertext, and what each one's ciphertext is bound to:
/// its table, column and row id, and the scope of the key that seals it (the portable
/// profile's key for allergies, the clinic's key for clinic records). docs/ENCRYPTION.md
/// states the same contract for the SQL side.
public enum SealedField: String, CaseIterable, Sendable {
    case allergies, signature, noteBody

    public var table: String {
        switch self {
        case .allergies: return "patients"
        case .signature: return "profile_consents"
        case .noteBody: return "clinical_notes"
        }
    }

    public var column: String {
        switch self {
        case .allergies: return "allergies"
        case .signature: return "signature"
        case .noteBody: return "body"
        }
    }

    /// Allergies belong to the portable profile; the others to one clinic.
    public var isPortable: Bool { self == .allergies }
}

/// Names of key scopes: what a wrapped key and every value sealed with it are bound to.
public enum KeyScope {
    public static let portable = "portable"
    public static func clinic(_ tenant: UUID) -> String { "clinic:" + tenant.uuidString.lowercased() }
    /// The master-key check value (ward.key_check).
    static let check = "key-check"
}

/// The unwrapped data keys of one scope: every version still in the database, so values
/// sealed before a rotation still open; new values are sealed with the newest version.
/// (SymmetricKey is an immutable value that swift-crypto does not mark Sendable.)
public struct KeyRing: @unchecked Sendable {
    public let scope: String
    public private(set) var keys: [Int: SymmetricKey] = [:]

    public init(scope: String) { self.scope = scope }

    public var current: Int? { keys.keys.max() }

    /// Adds a wrapped key read from the database; a master key that does not match throws
    /// `KeyError.wrongKey` (nothing is written before that can be known).
    public mutating func add(wrapped: [UInt8], version: Int, master: MasterKey) throws {
        keys[version] = try master.unwrap(wrapped, scope: scope, version: version)
    }

    mutating func add(_ key: SymmetricKey, version: Int) { keys[version] = key }

    public func binding(_ field: SealedField, row: UUID) -> FieldCipher.Binding {
        FieldCipher.Binding(table: field.table, column: field.column, row: row.uuidString.lowercased(), scope: scope)
    }

    public func seal(_ plaintext: String, _ field: SealedField, row: UUID) throws -> [UInt8] {
        guard let v = current, let key = keys[v] else { throw KeyError.noDataKey(scope) }
        return try FieldCipher.seal(plaintext, key: key, version: v, binding: binding(field, row: row))
    }

    /// Opens a value of this scope; one sealed for another row, column or clinic, or under a
    /// key version this ring lacks, throws `KeyError.cannotDecrypt`.
    public func open(_ sealed: [UInt8], _ field: SealedField, row: UUID) throws -> String {
        guard let v = FieldCipher.version(of: sealed), let key = keys[v] else { throw KeyError.cannotDecrypt }
        return try FieldCipher.open(sealed, key: key, binding: binding(field, row: row))
    }
}
