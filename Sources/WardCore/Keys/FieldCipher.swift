import Crypto
import Foundation

/// Encrypts one sensitive field value with a data key (AES-256-GCM, a fresh nonce each time).
/// The associated data names the table, column, row and clinic, so a ciphertext copied to
/// another row or clinic fails to open instead of showing another patient's data.
///
/// Layout: "W1" | key version (4 bytes, big-endian) | nonce (12) | ciphertext | tag (16).
public struct FieldCipher {
    public struct Binding: Equatable, Sendable {
        public var table: String, column: String, row: String, scope: String
        public init(table: String, column: String, row: String, scope: String) {
            self.table = table; self.column = column; self.row = row; self.scope = scope
        }
        var associatedData: Data { Data("ward-field|\(table)|\(column)|\(row)|\(scope)".utf8) }
    }

    static let magic: [UInt8] = [0x57, 0x31]  // "W1"

    public static func seal(_ plaintext: String, key: SymmetricKey, version: Int, binding: Binding) throws -> [UInt8] {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: binding.associatedData)
        let v = UInt32(version)
        return magic + [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
            + Array(box.combined!)
    }

    /// The key version a sealed value needs (rotation reads it to find what to re-encrypt).
    public static func version(of sealed: [UInt8]) -> Int? {
        guard sealed.count > 6 + 12 + 16, Array(sealed[0..<2]) == magic else { return nil }
        return Int(sealed[2]) << 24 | Int(sealed[3]) << 16 | Int(sealed[4]) << 8 | Int(sealed[5])
    }

    public static func open(_ sealed: [UInt8], key: SymmetricKey, binding: Binding) throws -> String {
        guard version(of: sealed) != nil else { throw KeyError.cannotDecrypt }
        do {
            let box = try AES.GCM.SealedBox(combined: Data(sealed[6...]))
            let plain = try AES.GCM.open(box, using: key, authenticating: binding.associatedData)
            guard let s = String(data: plain, encoding: .utf8) else { throw KeyError.cannotDecrypt }
            return s
        } catch {
            throw KeyError.cannotDecrypt
        }
    }
}
