import Crypto
import Foundation
import WardCore
import XCTest

final class KeyTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ward-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    func testCreateLoadAndRefuseOverwrite() throws {
        let path = dir.appendingPathComponent("master.key").path
        try MasterKey.create(at: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        let a = try MasterKey.load(from: path), b = try MasterKey.load(from: path)
        let dk = SymmetricKey(size: .bits256)
        let wrapped = try a.wrap(dk, scope: "clinic-1", version: 1)
        XCTAssertEqual(try b.unwrap(wrapped, scope: "clinic-1", version: 1), dk)
        XCTAssertThrowsError(try MasterKey.create(at: path)) { XCTAssertEqual($0 as? KeyError, .exists(path)) }
    }

    func testClearErrorsForMissingOpenMalformedAndWrongKeys() throws {
        let missing = dir.appendingPathComponent("none.key").path
        XCTAssertThrowsError(try MasterKey.load(from: missing)) { XCTAssertEqual($0 as? KeyError, .missing(missing)) }

        let open = dir.appendingPathComponent("open.key").path
        try MasterKey.create(at: open)
        chmod(open, 0o644)
        XCTAssertThrowsError(try MasterKey.load(from: open)) { XCTAssertEqual($0 as? KeyError, .tooOpen(open)) }

        let junk = dir.appendingPathComponent("junk.key").path
        FileManager.default.createFile(atPath: junk, contents: Data("hello\n".utf8), attributes: [.posixPermissions: 0o600])
        XCTAssertThrowsError(try MasterKey.load(from: junk)) { XCTAssertEqual($0 as? KeyError, .malformed(junk)) }

        let one = try MasterKey.create(at: dir.appendingPathComponent("one.key").path)
        let two = try MasterKey.create(at: dir.appendingPathComponent("two.key").path)
        let wrapped = try one.wrap(SymmetricKey(size: .bits256), scope: "s", version: 1)
        XCTAssertThrowsError(try two.unwrap(wrapped, scope: "s", version: 1)) { XCTAssertEqual($0 as? KeyError, .wrongKey(two.path)) }
        XCTAssertThrowsError(try one.unwrap(wrapped, scope: "other", version: 1), "a wrapped key is bound to its scope")
    }

    func testFieldCipherBindsValueToRowAndClinic() throws {
        let key = SymmetricKey(size: .bits256)
        let here = FieldCipher.Binding(table: "patients", column: "allergies", row: "p1", scope: "profiles")
        let sealed = try FieldCipher.seal("penicillin", key: key, version: 3, binding: here)
        XCTAssertEqual(FieldCipher.version(of: sealed), 3)
        XCTAssertEqual(try FieldCipher.open(sealed, key: key, binding: here), "penicillin")
        XCTAssertFalse(String(decoding: sealed, as: UTF8.self).contains("penicillin"))
        XCTAssertNotEqual(sealed, try FieldCipher.seal("penicillin", key: key, version: 3, binding: here), "fresh nonce")

        var elsewhere = here
        elsewhere.row = "p2"
        XCTAssertThrowsError(try FieldCipher.open(sealed, key: key, binding: elsewhere)) {
            XCTAssertEqual($0 as? KeyError, .cannotDecrypt)
        }
        elsewhere = here
        elsewhere.scope = "clinic-2"
        XCTAssertThrowsError(try FieldCipher.open(sealed, key: key, binding: elsewhere))
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        XCTAssertThrowsError(try FieldCipher.open(tampered, key: key, binding: here))
    }
}
