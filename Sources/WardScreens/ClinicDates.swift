import Foundation
import WardDB
import WardTerm

/// Showing and typing dates in a clinic's order. ISO 8601 (YYYY-MM-DD) is always accepted
/// when typing, whatever the clinic's order, because it cannot be misread.
extension DateOrder {
    /// The clinic's setting as stored in the database ('DMY', 'MDY', 'ISO').
    public init(setting: String?) {
        self = DateOrder(rawValue: (setting ?? "").lowercased()) ?? .iso
    }

    /// What to show a user as the expected shape of a date.
    public var pattern: String {
        switch self {
        case .dmy: return "DD/MM/YYYY"
        case .mdy: return "MM/DD/YYYY"
        case .iso: return "YYYY-MM-DD"
        }
    }

    public func format(_ d: CalendarDate) -> String {
        switch self {
        case .dmy: return String(format: "%02d/%02d/%04d", d.day, d.month, d.year)
        case .mdy: return String(format: "%02d/%02d/%04d", d.month, d.day, d.year)
        case .iso: return d.iso
        }
    }

    /// Parses a typed date: the clinic's order with `/`, `.` or `-` between the parts, or ISO.
    /// A two-digit year is refused rather than guessed.
    public func parse(_ text: String) -> Result<CalendarDate, DateInputError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return .failure(.empty) }
        let parts = t.split(whereSeparator: { "/.-".contains($0) }).map(String.init)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int($0) != nil })
        else { return .failure(.shape(pattern)) }
        let n = parts.map { Int($0)! }
        let (y, m, d): (Int, Int, Int)
        if parts[0].count == 4 {
            (y, m, d) = (n[0], n[1], n[2])
        } else if parts[2].count == 4 {
            switch self {
            case .mdy: (y, m, d) = (n[2], n[0], n[1])
            case .dmy, .iso: (y, m, d) = (n[2], n[1], n[0])
            }
            if self == .iso { return .failure(.shape(pattern)) }
        } else {
            return .failure(.shape(pattern))
        }
        guard let date = CalendarDate(year: y, month: m, day: d) else { return .failure(.noSuchDay(t)) }
        return .success(date)
    }
}

public enum DateInputError: Error, Equatable, CustomStringConvertible {
    case empty
    case shape(String)
    case noSuchDay(String)

    public var description: String {
        switch self {
        case .empty: return "Enter a date."
        case .shape(let p): return "Type the date as \(p) (or YYYY-MM-DD)."
        case .noSuchDay(let t): return "\(t) is not a day in the calendar."
        }
    }
}

/// Whole years between a birth date and a day, as people count them.
public func age(born: CalendarDate, on day: CalendarDate) -> Int {
    var years = day.year - born.year
    if (day.month, day.day) < (born.month, born.day) { years -= 1 }
    return max(0, years)
}

/// Today's date and clock times in the clinic's time zone, not the terminal's.
public struct ClinicClock: Sendable {
    public let timeZone: TimeZone

    public init(timeZoneIdentifier: String?) {
        timeZone = timeZoneIdentifier.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
    }

    private var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }

    public func today(_ now: Date = Date()) -> CalendarDate {
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// "14:05" in the clinic's zone.
    public func time(_ d: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute], from: d)
        return String(format: "%02d:%02d", c.hour!, c.minute!)
    }

    public func date(_ d: Date) -> CalendarDate {
        today(d)
    }

    /// The instant a clinic-local date and time ("09:30") denote.
    public func instant(on day: CalendarDate, at hhmm: String) -> Date? {
        let p = hhmm.split(separator: ":")
        guard p.count == 2, let h = Int(p[0]), let m = Int(p[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        var c = DateComponents()
        c.year = day.year; c.month = day.month; c.day = day.day; c.hour = h; c.minute = m
        return calendar.date(from: c)
    }
}
