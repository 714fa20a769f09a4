import Foundation

/// Ward's log: `$XDG_STATE_HOME/ward/ward.log` (default `~/.local/state/ward/ward.log`),
/// never the screen. It records what happened to the program (start, connect, errors by
/// SQLSTATE, signals), never patient data: callers pass event names and codes, not values
/// users typed or rows they read. Rotated at 1 MiB, keeping three old files.
public final class Log: @unchecked Sendable {
    public static let shared = Log(path: Log.defaultPath())

    public let path: String
    private let lock = NSLock()
    private let maxBytes: Int
    private let keep: Int

    public init(path: String, maxBytes: Int = 1 << 20, keep: Int = 3) {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
    }

    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let s = environment["XDG_STATE_HOME"], s.hasPrefix("/") {
            base = s
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        }
        return base + "/ward/ward.log"
    }

    public enum Level: String { case info = "INFO", warning = "WARN", error = "ERROR" }

    /// Writes one line. Logging must never take the program down: failures are ignored.
    public func write(_ level: Level, _ event: String, _ fields: [String: String] = [:]) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        var line = "\(stamp) \(level.rawValue) \(Self.clean(event))"
        for key in fields.keys.sorted() { line += " \(key)=\(Self.clean(fields[key]!))" }
        line += "\n"
        lock.lock()
        defer { lock.unlock() }
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        try? fm.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                attributes: [.posixPermissions: 0o700])
        if let size = (try? fm.attributesOfItem(atPath: path))?[.size] as? Int, size >= maxBytes {
            rotate()
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        _ = line.utf8CString.withUnsafeBufferPointer { Foundation.write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }

    public func info(_ event: String, _ fields: [String: String] = [:]) { write(.info, event, fields) }
    public func warning(_ event: String, _ fields: [String: String] = [:]) { write(.warning, event, fields) }
    public func error(_ event: String, _ fields: [String: String] = [:]) { write(.error, event, fields) }

    private func rotate() {
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(keep)")
        for i in stride(from: keep - 1, through: 1, by: -1) {
            try? fm.moveItem(atPath: "\(path).\(i)", toPath: "\(path).\(i + 1)")
        }
        try? fm.moveItem(atPath: path, toPath: "\(path).1")
    }

    /// One line per event: control characters would let a value forge log lines.
    static func clean(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
    }
}
