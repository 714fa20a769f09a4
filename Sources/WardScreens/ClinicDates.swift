import Foundation
import WardClient
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

/// The server's clock as this terminal knows it: ward.now() read at login (and again now
/// and then), carried forward by the monotonic clock, so the date and time the terminal
/// shows are the database's (pinned in tests) and never the terminal host's.
public struct ServerTime: Sendable, Equatable {
    public let read: Date
    public let monotonic: Double

    public init(read: Date, monotonic: Double = TestClock.monotonicSeconds()) {
        self.read = read
        self.monotonic = monotonic
    }

    public func now() -> Date { read.addingTimeInterval(TestClock.monotonicSeconds() - monotonic) }

    /// The server's now: one query, through the api.
    public static let request = Request("SELECT api.server_now() AS now") { try $0.first?.timestamp("now") }
}

/// Today's date and clock times in the clinic's time zone, not the terminal's.
public struct ClinicClock: Sendable {
    public let timeZone: TimeZone
    /// Where "now" comes from; until the server has been asked, this machine's clock.
    public var server: ServerTime?

    public init(timeZoneIdentifier: String?, server: ServerTime? = nil) {
        timeZone = timeZoneIdentifier.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
        self.server = server
    }

    private var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }

    public func now() -> Date { server?.now() ?? Date() }

    public func today(_ now: Date? = nil) -> CalendarDate {
        let c = calendar.dateComponents([.year, .month, .day], from: now ?? self.now())
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// "14:05" in the clinic's zone; in an hour the clocks repeat, with its offset
    /// ("01:30 +01:00"), since "01:30" alone would name two instants.
    public func time(_ d: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: d)
        let hhmm = String(format: "%02d:%02d", c.hour!, c.minute!)
        let day = CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
        return instants(on: day, hour: c.hour!, minute: c.minute!).count > 1 ? hhmm + " " + offset(d) : hhmm
    }

    /// The hour and minute alone, for the top bar.
    public func shortTime(_ d: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute], from: d)
        return String(format: "%02d:%02d", c.hour!, c.minute!)
    }

    /// "+01:00", "-05:00": the zone's offset from UTC at that instant.
    public func offset(_ d: Date) -> String { Self.offsetText(timeZone.secondsFromGMT(for: d)) }

    static func offsetText(_ seconds: Int) -> String {
        let m = abs(seconds) / 60
        return String(format: "%@%02d:%02d", seconds < 0 ? "-" : "+", m / 60, m % 60)
    }

    public func date(_ d: Date) -> CalendarDate {
        today(d)
    }

    /// The first instant of a clinic-local day (midnight, or later where midnight is skipped).
    public func startOfDay(_ day: CalendarDate) -> Date {
        let noon = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12))!
        return calendar.startOfDay(for: noon)
    }

    /// Every instant a clinic-local wall time denotes, earliest first: none in an hour the
    /// clocks skip, two in an hour they repeat. Worked out from the zone's offsets rather
    /// than Calendar.date(from:), which moves a skipped time on and picks one repeated
    /// instant silently.
    public func instants(on day: CalendarDate, hour: Int, minute: Int) -> [Date] {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        guard let wall = utc.date(from: DateComponents(year: day.year, month: day.month, day: day.day,
                                                       hour: hour, minute: minute)) else { return [] }
        let offsets = Set([-86_400.0, 0, 86_400].map { timeZone.secondsFromGMT(for: wall.addingTimeInterval($0)) })
        return offsets.map { wall.addingTimeInterval(Double(-$0)) }
            .filter { timeZone.secondsFromGMT(for: $0) == Int(wall.timeIntervalSince($0)) }
            .sorted()
    }

    /// The instant a clinic-local date and time ("09:30") denote when there is exactly one.
    public func instant(on day: CalendarDate, at hhmm: String) -> Date? {
        guard case .success(let w) = WallTime.parse(hhmm), w.offset == nil else { return nil }
        let all = instants(on: day, hour: w.hour, minute: w.minute)
        return all.count == 1 ? all[0] : nil
    }

    /// A typed time on a day: refused with a sentence when the clocks skip it, or repeat it
    /// and the user did not say which (by its offset).
    public func resolve(_ time: WallTime, on day: CalendarDate, order: DateOrder) -> Result<Date, AppointmentInputError> {
        let all = instants(on: day, hour: time.hour, minute: time.minute)
        let hhmm = time.hhmm, date = order.format(day), zone = timeZone.identifier
        if all.isEmpty { return .failure(.skippedTime(hhmm, date, zone)) }
        if let wanted = time.offset {
            guard let hit = all.first(where: { timeZone.secondsFromGMT(for: $0) == wanted }) else {
                return .failure(.wrongOffset(hhmm, date, zone, all.map(offset)))
            }
            return .success(hit)
        }
        if all.count > 1 { return .failure(.repeatedTime(hhmm, date, zone, all.map(offset))) }
        return .success(all[0])
    }
}

/// A time typed on the 24-hour clock, with the zone's offset when the user gave one
/// ("01:30 +01:00", for an hour the clocks repeat).
public struct WallTime: Equatable, Sendable {
    public var hour, minute: Int
    /// Seconds east of UTC.
    public var offset: Int?

    public var hhmm: String { String(format: "%02d:%02d", hour, minute) }
    public var text: String { offset.map { hhmm + " " + ClinicClock.offsetText($0) } ?? hhmm }

    /// "9:30", "09:30", "0930" or "9.30", then optionally "+01:00", "+01", "+0100" or "-05:00".
    public static func parse(_ text: String) -> Result<WallTime, AppointmentInputError> {
        var t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return .failure(.noTime) }
        guard t.allSatisfy(\.isASCII) else { return .failure(.badTime(t)) }
        var offset: Int?
        if let sign = t.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let digits = t[t.index(after: sign)...].filter { $0 != ":" }
            guard [2, 4].contains(digits.count), let n = Int(digits), digits.allSatisfy(\.isNumber) else {
                return .failure(.badTime(text.trimmingCharacters(in: .whitespaces)))
            }
            let (h, m) = digits.count == 2 ? (n, 0) : (n / 100, n % 100)
            guard h <= 14, m < 60 else { return .failure(.badTime(text.trimmingCharacters(in: .whitespaces))) }
            offset = (t[sign] == "-" ? -1 : 1) * (h * 3600 + m * 60)
            t = String(t[..<sign]).trimmingCharacters(in: .whitespaces)
        }
        var h: Int?, m: Int?
        let parts = t.split(omittingEmptySubsequences: false, whereSeparator: { $0 == ":" || $0 == "." })
        if parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2 {
            h = Int(parts[0]); m = Int(parts[1])
        } else if parts.count == 1, t.count == 4 {
            h = Int(t.prefix(2)); m = Int(t.suffix(2))
        }
        guard let h, let m, (0..<24).contains(h), (0..<60).contains(m)
        else { return .failure(.badTime(text.trimmingCharacters(in: .whitespaces))) }
        return .success(WallTime(hour: h, minute: m, offset: offset))
    }
}
