import Foundation

/// The run's clock for tests and the throwaway cluster: `WARD_TEST_NOW=<ISO 8601 instant>`
/// pins where it starts, and it then advances by the monotonic clock, so timers, idle
/// locks and expiry still work. Unset, it starts at the real now when first read.
///
/// A release build, or a `ward` running setuid or setgid, ignores the variable: whoever
/// starts such a program must not move the time it acts on.
public enum TestClock {
    /// The pinned instant the run started at, or nil when the run follows the real clock.
    public static let pinned: Date? = {
        guard honoursEnvironment(debugBuild: isDebugBuild, setID: runsSetID) else { return nil }
        return ProcessInfo.processInfo.environment["WARD_TEST_NOW"].flatMap(parse)
    }()

    /// The real instant and the monotonic reading at the run's start: the offset between
    /// the pinned and the real clock, which the throwaway cluster's ward.now() applies too.
    public static let realStart: Date = { _ = monotonicStart; return Date() }()
    private static let monotonicStart = monotonicSeconds()

    /// The run's now: the pinned instant (or the real start) plus the time since the start.
    public static func now() -> Date {
        _ = realStart
        return (pinned ?? realStart).addingTimeInterval(monotonicSeconds() - monotonicStart)
    }

    public static func monotonicSeconds() -> Double { Monotonic.seconds() }

    /// "2027-03-01T00:05Z", "2027-03-01T00:05:00Z", with fractions or an offset (+01:00).
    public static func parse(_ text: String) -> Date? {
        var t = text.trimmingCharacters(in: .whitespaces)
        // Minutes without seconds, as the issue writes the instants: add the seconds.
        if let r = t.range(of: #"T\d\d:\d\d(?=[Zz+-])"#, options: .regularExpression) {
            t.insert(contentsOf: ":00", at: r.upperBound)
        }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime],
                                                      [.withInternetDateTime, .withFractionalSeconds]] {
            let f = ISO8601DateFormatter()
            f.formatOptions = options
            if let d = f.date(from: t) { return d }
        }
        return nil
    }

    /// Whether WARD_TEST_NOW may pin the clock: only in a debug build, and never in a
    /// program that runs with another user's or group's rights.
    public static func honoursEnvironment(debugBuild: Bool, setID: Bool) -> Bool {
        debugBuild && !setID
    }

    public static var isDebugBuild: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }

    /// Started setuid or setgid. The kernel's AT_SECURE flag says so even after `ward` has
    /// dropped the group (SharedHost does at once), when the ids alone no longer tell.
    public static var runsSetID: Bool {
        getuid() != geteuid() || getgid() != getegid() || startedSecure
    }

    /// AT_SECURE (23) in /proc/self/auxv: pairs of native words, key then value.
    private static let startedSecure: Bool = {
        guard let data = FileManager.default.contents(atPath: "/proc/self/auxv") else { return false }
        let words = data.withUnsafeBytes { Array($0.bindMemory(to: UInt.self)) }
        return stride(from: 0, to: words.count - 1, by: 2).contains { words[$0] == 23 && words[$0 + 1] != 0 }
    }()
}

/// Seconds on a clock that never jumps (CLOCK_MONOTONIC), for durations and deadlines: a
/// wall clock set back or forward must not stretch or cut a wait.
public enum Monotonic {
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
