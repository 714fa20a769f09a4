import Crypto
import Foundation

/// The key-encryption key: 256 random bits in a file outside the database. It only ever
/// wraps the per-clinic data keys; a database dump without this file reveals no
/// encrypted field.
// SymmetricKey is an immutable value that swift-crypto does not mark Sendable.
public struct MasterKey: @unchecked Sendable {
    let key: SymmetricKey
    public let path: String

    static let header = "ward-master-key v1"

    /// Where the key file is: `WARD_KEY_FILE`, else the config's `key_file`, else
    /// `$XDG_CONFIG_HOME/ward/master.key`.
    public static func defaultPath(configValue: String? = nil,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["WARD_KEY_FILE"], !p.isEmpty { return p }
        if let configValue, !configValue.isEmpty { return configValue }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/ward/master.key"
    }

    /// Creates a new key file readable by its owner only (and by the group, with `groupReadable`).
    /// Refuses to overwrite: losing the old key would make every encrypted field unreadable.
    @discardableResult
    public static func create(at path: String, groupReadable: Bool = false) throws -> MasterKey {
        let fm = FileManager.default
        if fm.fileExists(atPath: path) { throw KeyError.exists(path) }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        let key = SymmetricKey(size: .bits256)
        let text = header + "\n" + key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, groupReadable ? 0o640 : 0o600)
        guard fd >= 0 else { throw KeyError.unwritable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            throw KeyError.unwritable(path, String(cString: strerror(errno)))
        }
        return MasterKey(key: key, path: path)
    }

    /// Reads the key file, refusing one that other users could read.
    public static func load(from path: String) throws -> MasterKey {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { throw KeyError.missing(path) }
            throw KeyError.unreadable(path, String(cString: strerror(errno)))
        }
        if st.st_mode & 0o007 != 0 { throw KeyError.tooOpen(path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw KeyError.unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = read(fd, &buf, buf.count)
        guard n > 0 else { throw KeyError.malformed(path) }
        let lines = String(decoding: buf[0..<n], as: UTF8.self).split(separator: "\n")
        guard lines.count == 2, lines[0] == header, let raw = Data(base64Encoded: String(lines[1])), raw.count == 32 else {
            throw KeyError.malformed(path)
        }
        return MasterKey(key: SymmetricKey(data: raw), path: path)
    }

    /// Seals a data key, bound to its scope and version so a wrapped key cannot be moved.
    public func wrap(_ dataKey: SymmetricKey, scope: String, version: Int) throws -> [UInt8] {
        let sealed = try AES.GCM.seal(dataKey.withUnsafeBytes { Data($0) }, using: key,
                                      authenticating: Data("ward-data-key|\(scope)|\(version)".utf8))
        return Array(sealed.combined!)
    }

    /// A new value for `ward.key_check`: proves later that a key file is this database's.
    public func makeCheck() throws -> [UInt8] {
        try wrap(SymmetricKey(size: .bits256), scope: KeyScope.check, version: 1)
    }

    /// Throws `KeyError.wrongKey` unless `check` was made with this master key.
    public func verify(check: [UInt8]) throws {
        _ = try unwrap(check, scope: KeyScope.check, version: 1)
    }

    public func unwrap(_ wrapped: [UInt8], scope: String, version: Int) throws -> SymmetricKey {
        do {
            let box = try AES.GCM.SealedBox(combined: Data(wrapped))
            let raw = try AES.GCM.open(box, using: key, authenticating: Data("ward-data-key|\(scope)|\(version)".utf8))
            return SymmetricKey(data: raw)
        } catch {
            throw KeyError.wrongKey(path)
        }
    }
}

public enum KeyError: Error, Equatable, CustomStringConvertible {
    case missing(String)
    case unreadable(String, String)
    case unwritable(String, String)
    case tooOpen(String)
    case malformed(String)
    case exists(String)
    case wrongKey(String)
    /// The database has no data key for this scope yet (the owner runs `ward keys rotate`).
    case noDataKey(String)
    /// A value that does not open under its key: damaged, or moved from another row or clinic.
    case cannotDecrypt

    public var description: String {
        switch self {
        case .missing(let p): return "the master key file \(p) does not exist; create it with `ward keys init` or set WARD_KEY_FILE"
        case .unreadable(let p, let why): return "cannot read the master key file \(p): \(why)"
        case .unwritable(let p, let why): return "cannot write the master key file \(p): \(why)"
        case .tooOpen(let p): return "the master key file \(p) is readable by other users; run chmod 600 (or 640 for a ward group) on it"
        case .malformed(let p): return "\(p) is not a Ward master key file"
        case .exists(let p): return "\(p) already exists; Ward never overwrites a master key"
        case .wrongKey(let p): return "the master key in \(p) does not match this database's keys"
        case .noDataKey(let scope): return "there is no data key for \(scope) yet; the platform owner creates it with `ward keys rotate --dsn OWNER_DSN`"
        case .cannotDecrypt: return "this record cannot be read: its encrypted value does not belong here"
        }
    }
}
