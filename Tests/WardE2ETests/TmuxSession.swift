import Foundation
import WardDB
import XCTest

/// Drives a program in a private tmux server, for end-to-end tests of the terminal UI:
/// what `capture-pane` returns is what a person would see.
///
///     let s = try TmuxSession.start(command: TmuxSession.wardScript(["ui-preview"]))
///     defer { s.close() }                       // or addTeardownBlock { s.close() }
///     try s.waitFor(text: "Widget gallery")
///     s.typeText("José 王小明"); s.sendKeys("F1")
///     s.resize(40, 12)
///
/// Each session has its own server (`-L ward-e2e-<random>`), an empty tmux config, a
/// fixed window size, LC_ALL=C.UTF-8 and TERM=tmux-256color for the program.
/// `close()` kills the server; it is safe to call more than once.
public final class TmuxSession {
    public let socket: String
    public let workDir: String
    public private(set) var serverPID: pid_t = 0
    private var closed = false

    private init(socket: String, workDir: String) {
        self.socket = socket
        self.workDir = workDir
    }

    deinit { close() }

    /// The ward binary: $WARD_BIN, or .build/debug/ward in the package.
    public static var wardBinary: String {
        if let b = ProcessInfo.processInfo.environment["WARD_BIN"], !b.isEmpty { return b }
        return packageRoot.appendingPathComponent(".build/debug/ward").path
    }

    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static var tmuxAvailable: Bool {
        (try? Spawn.run(["tmux", "-V"]).status) == 0
    }

    /// A shell command that runs ward with `args`, then prints `EXIT=<status>` and
    /// `ECHO=on|off` and `ICANON=on|off` (the terminal modes ward left behind), then waits,
    /// so the pane stays open for inspection.
    public static func wardScript(_ args: [String], env: [String: String] = [:]) -> String {
        let quoted = ([wardBinary] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let assigns = env.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        return """
            \(assigns.isEmpty ? "" : "env \(assigns) ")\(quoted.joined(separator: " "))
            echo "EXIT=$?"
            m=$(stty -a)
            case " $m " in *" -echo "*) echo ECHO=off;; *) echo ECHO=on;; esac
            case " $m " in *" -icanon "*) echo ICANON=off;; *) echo ICANON=on;; esac
            sleep 600
            """
    }

    /// Starts `command` (shell text, run by /bin/sh) in a new detached session.
    public static func start(command: String, width: Int = 80, height: Int = 24,
                             env: [String: String] = [:]) throws -> TmuxSession {
        let socket = "ward-e2e-\(UInt32.random(in: 0...UInt32.max))"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(socket).path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let s = TmuxSession(socket: socket, workDir: dir)
        let conf = dir + "/tmux.conf"
        try """
            set -g default-terminal "tmux-256color"
            set -g status off
            set -g escape-time 0
            """.write(toFile: conf, atomically: true, encoding: .utf8)
        let script = dir + "/run.sh"
        try command.write(toFile: script, atomically: true, encoding: .utf8)
        var args = ["-f", conf, "new-session", "-d", "-s", "main", "-x", "\(width)", "-y", "\(height)",
                    "-e", "LC_ALL=C.UTF-8", "-e", "TERM=tmux-256color"]
        // No user config file unless a test asks for one.
        var env = env
        if env["XDG_CONFIG_HOME"] == nil { env["XDG_CONFIG_HOME"] = dir + "/config" }
        for (k, v) in env.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        args += ["/bin/sh " + script]
        do {
            try s.tmux(args)
            s.serverPID = pid_t(try s.tmux(["display-message", "-p", "#{pid}"])
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        } catch {
            s.close()
            throw error
        }
        return s
    }

    /// Runs a tmux command on this session's server; returns its output.
    @discardableResult
    public func tmux(_ args: [String]) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C.UTF-8"
        env.removeValue(forKey: "TMUX")
        // The server passes its environment to the pane: the test runner's own settings
        // (swift test may set NO_COLOR) must not leak into the program under test.
        for k in ["NO_COLOR", "WARD_THEME", "WARD_THEME_DIR", "XDG_CONFIG_HOME", "COLORTERM"] { env.removeValue(forKey: k) }
        let out = try Spawn.run(["tmux", "-u", "-L", socket] + args, environment: env)
        guard out.status == 0 else {
            throw SpawnError("tmux \(args.joined(separator: " ")) failed (\(out.status)): \(out.output)")
        }
        return out.output
    }

    /// Sends keys by tmux name: "F1", "Tab", "BTab", "Escape", "Enter", "C-w", "q".
    public func sendKeys(_ keys: String...) {
        for k in keys { _ = try? tmux(["send-keys", "-t", "main", k]) }
    }

    /// Types text literally (accents, CJK, Devanagari), as a paste would arrive.
    public func typeText(_ text: String) {
        _ = try? tmux(["send-keys", "-t", "main", "-l", text])
    }

    /// The visible screen, one string per row, trailing spaces removed.
    public func capture(escapes: Bool = false) -> [String] {
        let args = ["capture-pane", "-p", "-t", "main"] + (escapes ? ["-e"] : [])
        guard let out = try? tmux(args) else { return [] }
        var lines = out.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines.map { l in
            var l = l
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }
    }

    /// Waits until some row contains `text`; throws with the screen if it never does.
    @discardableResult
    public func waitFor(text: String, timeout: Double = 10) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var screen: [String] = []
        repeat {
            screen = capture()
            if screen.contains(where: { $0.contains(text) }) { return screen }
            usleep(50_000)
        } while Date() < deadline
        throw SpawnError("timed out waiting for '\(text)'; screen:\n" + screen.map { "|\($0)" }.joined(separator: "\n"))
    }

    /// Waits until no row contains `text`.
    public func waitUntilGone(text: String, timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if !capture().contains(where: { $0.contains(text) }) { return }
            usleep(50_000)
        } while Date() < deadline
        throw SpawnError("'\(text)' is still on the screen")
    }

    public func resize(_ width: Int, _ height: Int) {
        _ = try? tmux(["resize-window", "-t", "main", "-x", "\(width)", "-y", "\(height)"])
    }

    /// The shell running in the pane.
    public var panePID: pid_t {
        pid_t((try? tmux(["display-message", "-p", "-t", "main", "#{pane_pid}"]))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    /// The program started by the pane's shell (ward), waiting for it to appear.
    public func appPID(timeout: Double = 5) throws -> pid_t {
        let shell = panePID
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            if let kids = try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8),
               let first = kids.split(separator: " ").first, let pid = pid_t(first) {
                return pid
            }
            usleep(50_000)
        } while Date() < deadline
        throw SpawnError("no program running under the pane's shell \(shell)")
    }

    /// Sends a signal to a process (the app, usually).
    public func kill(_ pid: pid_t, signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// True while `pid` exists and is not a zombie.
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0, Glibc.kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        if let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
            return state != "Z" && state != "X"
        }
        return false
    }

    /// Waits until `pid` is gone.
    public static func waitGone(_ pid: pid_t, timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isAlive(pid) {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// Kills the tmux server (and with it every process in its panes) and removes the
    /// temporary files. Safe to call more than once.
    public func close() {
        guard !closed else { return }
        closed = true
        _ = try? tmux(["kill-server"])
        if serverPID > 0 {
            if !TmuxSession.waitGone(serverPID, timeout: 3) { _ = Glibc.kill(serverPID, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: workDir)
    }
}
