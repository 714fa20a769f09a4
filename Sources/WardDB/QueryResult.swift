import CLibPQ
import Foundation

/// The rows of one statement, copied out of libpq so the result can outlive it.
public struct QueryResult: Sendable {
    public let columns: [String]
    public let rows: [Row]
    /// The number of rows an INSERT, UPDATE or DELETE touched.
    public let affectedRows: Int

    init(_ res: OpaquePointer) {
        let nf = Int(PQnfields(res)), nt = Int(PQntuples(res))
        var cols: [String] = []
        cols.reserveCapacity(nf)
        for f in 0..<nf { cols.append(String(cString: PQfname(res, Int32(f)))) }
        var rows: [Row] = []
        rows.reserveCapacity(nt)
        let index = Row.Index(cols)
        for t in 0..<nt {
            var values: [String?] = []
            values.reserveCapacity(nf)
            for f in 0..<nf {
                if PQgetisnull(res, Int32(t), Int32(f)) == 1 {
                    values.append(nil)
                } else {
                    let len = Int(PQgetlength(res, Int32(t), Int32(f)))
                    let p = PQgetvalue(res, Int32(t), Int32(f))!
                    values.append(p.withMemoryRebound(to: UInt8.self, capacity: len) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
                    })
                }
            }
            rows.append(Row(index: index, values: values))
        }
        self.columns = cols
        self.rows = rows
        self.affectedRows = Int(String(cString: PQcmdTuples(res))) ?? 0
    }

    public var first: Row? { rows.first }
}

/// One row in text format, read by column name or position with typed accessors.
/// Asking for the wrong type throws rather than guessing.
public struct Row: Sendable {
    final class Index: Sendable {
        let names: [String]
        let positions: [String: Int]
        init(_ names: [String]) {
            self.names = names
            var p: [String: Int] = [:]
            for (i, n) in names.enumerated() where p[n] == nil { p[n] = i }
            positions = p
        }
    }
    let index: Index
    public let values: [String?]

    public var count: Int { values.count }

    func raw(_ column: String) throws -> String? {
        guard let i = index.positions[column] else {
            throw DatabaseError.typeMismatch("no column named \(column)")
        }
        return values[i]
    }
    func raw(_ i: Int) throws -> String? {
        guard values.indices.contains(i) else {
            throw DatabaseError.typeMismatch("no column at position \(i)")
        }
        return values[i]
    }

    public func isNull(_ c: String) throws -> Bool { try raw(c) == nil }
    public func isNull(_ i: Int) throws -> Bool { try raw(i) == nil }

    public func string(_ c: String) throws -> String? { try raw(c) }
    public func string(_ i: Int) throws -> String? { try raw(i) }

    public func int(_ c: String) throws -> Int? { try Self.int(raw(c), c) }
    public func int(_ i: Int) throws -> Int? { try Self.int(raw(i), "\(i)") }
    public func bool(_ c: String) throws -> Bool? { try Self.bool(raw(c), c) }
    public func bool(_ i: Int) throws -> Bool? { try Self.bool(raw(i), "\(i)") }
    public func date(_ c: String) throws -> CalendarDate? { try Self.date(raw(c), c) }
    public func date(_ i: Int) throws -> CalendarDate? { try Self.date(raw(i), "\(i)") }
    public func timestamp(_ c: String) throws -> Date? { try Self.timestamp(raw(c), c) }
    public func timestamp(_ i: Int) throws -> Date? { try Self.timestamp(raw(i), "\(i)") }
    public func uuid(_ c: String) throws -> UUID? { try Self.uuid(raw(c), c) }
    public func uuid(_ i: Int) throws -> UUID? { try Self.uuid(raw(i), "\(i)") }
    public func bytes(_ c: String) throws -> [UInt8]? { try Self.bytes(raw(c), c) }
    public func bytes(_ i: Int) throws -> [UInt8]? { try Self.bytes(raw(i), "\(i)") }

    static func mismatch(_ v: String, _ type: String, _ col: String) -> DatabaseError {
        .typeMismatch("column \(col): \(v.prefix(40)) is not a \(type)")
    }
    static func int(_ v: String?, _ col: String) throws -> Int? {
        guard let v else { return nil }
        guard let i = Int(v) else { throw mismatch(v, "integer", col) }
        return i
    }
    static func bool(_ v: String?, _ col: String) throws -> Bool? {
        guard let v else { return nil }
        switch v { case "t": return true; case "f": return false
        default: throw mismatch(v, "boolean", col) }
    }
    static func date(_ v: String?, _ col: String) throws -> CalendarDate? {
        guard let v else { return nil }
        guard let d = CalendarDate(iso: v) else { throw mismatch(v, "date", col) }
        return d
    }
    static func timestamp(_ v: String?, _ col: String) throws -> Date? {
        guard let v else { return nil }
        guard let d = PGTime.parse(v) else { throw mismatch(v, "timestamp", col) }
        return d
    }
    static func uuid(_ v: String?, _ col: String) throws -> UUID? {
        guard let v else { return nil }
        guard let u = UUID(uuidString: v) else { throw mismatch(v, "uuid", col) }
        return u
    }
    /// bytea arrives in the hex text format: `\x` followed by two digits a byte.
    static func bytes(_ v: String?, _ col: String) throws -> [UInt8]? {
        guard let v else { return nil }
        let u = Array(v.utf8)
        guard u.count >= 2, u[0] == UInt8(ascii: "\\"), u[1] == UInt8(ascii: "x"), u.count % 2 == 0
        else { throw mismatch(v, "bytea", col) }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity((u.count - 2) / 2)
        var i = 2
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { throw mismatch(v, "bytea", col) }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
