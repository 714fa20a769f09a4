import Foundation

/// A value sent as a query parameter. Everything travels in PostgreSQL's text format except
/// bytea, which goes as binary so that any byte survives.
public enum SQLValue: Sendable, Equatable {
    case null
    case text(String)
    case bytes([UInt8])

    public static func int(_ v: Int) -> SQLValue { .text(String(v)) }
    public static func bool(_ v: Bool) -> SQLValue { .text(v ? "t" : "f") }
    public static func uuid(_ v: UUID) -> SQLValue { .text(v.uuidString.lowercased()) }
    /// A point in time, sent in UTC with microseconds, for `timestamptz` parameters.
    public static func timestamp(_ v: Date) -> SQLValue { .text(PGTime.format(v)) }
    /// A calendar date, for `date` parameters.
    public static func date(_ v: CalendarDate) -> SQLValue { .text(v.iso) }
}

public protocol SQLValueConvertible { var sqlValue: SQLValue { get } }
extension String: SQLValueConvertible { public var sqlValue: SQLValue { .text(self) } }
extension Substring: SQLValueConvertible { public var sqlValue: SQLValue { .text(String(self)) } }
extension Int: SQLValueConvertible { public var sqlValue: SQLValue { .int(self) } }
extension Int64: SQLValueConvertible { public var sqlValue: SQLValue { .text(String(self)) } }
extension Int32: SQLValueConvertible { public var sqlValue: SQLValue { .text(String(self)) } }
extension Bool: SQLValueConvertible { public var sqlValue: SQLValue { .bool(self) } }
extension UUID: SQLValueConvertible { public var sqlValue: SQLValue { .uuid(self) } }
extension Date: SQLValueConvertible { public var sqlValue: SQLValue { .timestamp(self) } }
extension CalendarDate: SQLValueConvertible { public var sqlValue: SQLValue { .date(self) } }
extension SQLValue: SQLValueConvertible { public var sqlValue: SQLValue { self } }
extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// A date without a time or zone (PostgreSQL `date`).
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int, month: Int, day: Int

    public init?(year: Int, month: Int, day: Int) {
        var c = DateComponents()
        c.year = year; c.month = month; c.day = day
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              let d = PGTime.utcCalendar.date(from: c),
              PGTime.utcCalendar.component(.day, from: d) == day else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var iso: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }
    public var description: String { iso }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

enum PGTime {
    static let utcCalendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    static func format(_ d: Date) -> String {
        let seconds = d.timeIntervalSince1970
        let whole = floor(seconds)
        let micros = Int(((seconds - whole) * 1_000_000).rounded())
        let c = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                           from: Date(timeIntervalSince1970: whole))
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
                      c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, micros)
    }

    /// Parses PostgreSQL's ISO output for timestamptz, e.g. `2026-11-23 12:30:00.123+00`
    /// or `... +05:30`. The session's DateStyle is pinned to ISO when connecting.
    static func parse(_ s: String) -> Date? {
        let u = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= u.count else { return nil }
            var v = 0
            for i in from..<(from + len) {
                let c = u[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        guard u.count >= 19, let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
              let h = num(11, 2), let mi = num(14, 2), let se = num(17, 2) else { return nil }
        var i = 19
        var frac = 0.0
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                frac += Double(u[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
            let sign = u[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = num(i + 1, 2) else { return nil }
            var om = 0, os = 0
            if let m = num(i + 4, 2), u[i + 3] == UInt8(ascii: ":") { om = m }
            if let s2 = num(i + 7, 2), i + 6 < u.count, u[i + 6] == UInt8(ascii: ":") { os = s2 }
            offset = sign * (oh * 3600 + om * 60 + os)
        }
        var c = DateComponents()
        c.year = y; c.month = mo; c.day = d; c.hour = h; c.minute = mi; c.second = se
        guard let base = utcCalendar.date(from: c) else { return nil }
        return base.addingTimeInterval(frac - Double(offset))
    }
}
