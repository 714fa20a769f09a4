import WardClient
import Foundation
import WardDB
import WardTerm

/// What the appointment screens show and how they move: a day or a week (Monday first),
/// and the clinic-local instants that bound it. Plain values, so the navigation and the
/// typed-time rules are tested without a terminal or a database.
public struct AppointmentCalendar: Equatable, Sendable {
    public enum Mode: Equatable, Sendable { case day, week }

    public var day: CalendarDate
    public var mode: Mode = .day

    public init(day: CalendarDate, mode: Mode = .day) {
        self.day = day
        self.mode = mode
    }

    public mutating func moveDays(_ n: Int) { day = Self.add(n, to: day) }
    public mutating func moveWeeks(_ n: Int) { day = Self.add(7 * n, to: day) }

    /// The Monday of the shown day's week.
    public var weekStart: CalendarDate { Self.add(1 - Self.weekday(day), to: day) }

    /// The days shown: one, or Monday to Sunday.
    public var days: [CalendarDate] {
        mode == .day ? [day] : (0..<7).map { Self.add($0, to: weekStart) }
    }

    /// The instants [from, to) the view covers, from clinic-local midnight to midnight (so a
    /// day with a daylight-saving change is 23 or 25 hours long, as it should be).
    public func range(in clock: ClinicClock) -> (from: Date, to: Date) {
        let first = days.first!, last = days.last!
        return (clock.startOfDay(first), clock.startOfDay(Self.add(1, to: last)))
    }

    /// 1 = Monday ... 7 = Sunday.
    public static func weekday(_ d: CalendarDate) -> Int {
        let sundayFirst = utc.component(.weekday, from: midnightUTC(d))
        return (sundayFirst + 5) % 7 + 1
    }

    public static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// "Wed 02/12/2026" in the clinic's order.
    public static func shortLabel(_ d: CalendarDate, order: DateOrder) -> String {
        String(weekdayNames[weekday(d) - 1].prefix(3)) + " " + order.format(d)
    }

    public static func add(_ days: Int, to d: CalendarDate) -> CalendarDate {
        let moved = utc.date(byAdding: .day, value: days, to: midnightUTC(d))!
        let c = utc.dateComponents([.year, .month, .day], from: moved)
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    private static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    private static func midnightUTC(_ d: CalendarDate) -> Date {
        utc.date(from: DateComponents(year: d.year, month: d.month, day: d.day))!
    }
}

/// The typed parts of a booking, checked before anything is sent: each problem is one
/// sentence about one field, and nothing typed is thrown away.
public enum AppointmentInput {
    /// "9:30", "09:30", "0930" or "9.30" (24-hour clock) → "09:30"; an offset typed after
    /// it (for an hour the clocks repeat) is kept: "1:30 +01" → "01:30 +01:00".
    public static func time(_ text: String) -> Result<String, AppointmentInputError> {
        WallTime.parse(text).map(\.text)
    }

    /// Length in minutes, 5 to 480 (the api's own limits).
    public static func minutes(_ text: String) -> Result<Int, AppointmentInputError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let n = Int(t), t.allSatisfy(\.isASCII) else { return .failure(.badLength) }
        guard (5...480).contains(n) else { return .failure(.badLength) }
        return .success(n)
    }

    /// The instant a date typed in the clinic's order and a time denote, in the clinic's zone.
    public static func start(date: String, time: String, order: DateOrder,
                             clock: ClinicClock) -> Result<Date, AppointmentInputError> {
        let day: CalendarDate
        switch order.parse(date) {
        case .success(let d): day = d
        case .failure(let e): return .failure(.badDate(e))
        }
        return WallTime.parse(time).flatMap { clock.resolve($0, on: day, order: order) }
    }

    /// The clinician a typed name means: exact username or display name first, then the only
    /// one whose name or username starts with the text (case and accents ignored).
    public static func clinician(_ text: String, in list: [Api.Clinician]) -> Result<Api.Clinician, AppointmentInputError> {
        let fold = { (s: String) in s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
        let t = fold(text.trimmingCharacters(in: .whitespaces))
        if t.isEmpty { return .failure(.noClinician) }
        if let exact = list.first(where: { fold($0.username) == t || fold($0.displayName) == t }) { return .success(exact) }
        let matches = list.filter { c in
            fold(c.username).hasPrefix(t) || fold(c.displayName).split(separator: " ").contains { $0.hasPrefix(t) }
                || fold(c.displayName).hasPrefix(t)
        }
        if matches.count == 1 { return .success(matches[0]) }
        return .failure(matches.isEmpty ? .unknownClinician(text) : .ambiguousClinician(text))
    }
}

public enum AppointmentInputError: Error, Equatable, CustomStringConvertible {
    case badDate(DateInputError)
    case noTime
    case badTime(String)
    case badLength
    case noClinician
    case unknownClinician(String)
    case ambiguousClinician(String)
    case noPatient
    /// The time, the day (in the clinic's order) and the zone.
    case skippedTime(String, String, String)
    /// The same, and the offsets the time has that day, earliest first.
    case repeatedTime(String, String, String, [String])
    case wrongOffset(String, String, String, [String])

    public var description: String {
        switch self {
        case .badDate(let e): return e.description
        case .noTime: return "Enter the start time."
        case .badTime(let t): return "Type the time as HH:MM on the 24-hour clock (not “\(t)”)."
        case .badLength: return "The length is a number of minutes, 5 to 480."
        case .noClinician: return "Enter the clinician."
        case .unknownClinician(let t): return "No clinician of this clinic is called “\(t)”."
        case .ambiguousClinician(let t): return "More than one clinician matches “\(t)”; type more of the name."
        case .noPatient: return "Choose the patient from the list."
        case .skippedTime(let t, let d, let z):
            return "There is no \(t) on \(d) in \(z): the clocks go forward that night. Choose another time."
        case .repeatedTime(let t, let d, let z, let o):
            return "\(t) happens twice on \(d) in \(z) (the clocks go back): type \(t) \(o[0]) for the first "
                + "or \(t) \(o[o.count - 1]) for the second."
        case .wrongOffset(let t, let d, let z, let o):
            return "\(t) on \(d) in \(z) is at \(o.joined(separator: " or ")), not at the offset typed."
        }
    }
}
