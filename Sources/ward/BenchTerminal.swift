// A developer command: compiled only into the debug and benchmark builds (Ward.developerCommands).
#if WARD_DEVELOPER
import Foundation
import WardCore
import WardTerm
#if canImport(Glibc)
import Glibc
#endif

/// The real `ward` binary on a pseudo-terminal of our own (80x24), so that every byte it
/// writes to the terminal is counted and timed; no tmux or other screen in between.
final class PtyProcess {
    let master: Int32
    let pid: pid_t
    let started = DispatchTime.now()
    /// Everything the program wrote so far.
    private(set) var output: [UInt8] = []

    init(_ argv: [String], environment: [String: String]) throws {
        var m: Int32 = 0, slave: Int32 = 0
        var ws = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&m, &slave, nil, nil, &ws) == 0, let name = ttyname(slave) else {
            throw CLIError("cannot open a pseudo-terminal")
        }
        master = m
        let slavePath = String(cString: name)
        defer { close(slave) }
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_addclose(&fa, master)
        posix_spawn_file_actions_addclose(&fa, slave)
        // A new session: the first terminal it opens becomes its controlling terminal.
        posix_spawn_file_actions_addopen(&fa, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&fa, 0, 1)
        posix_spawn_file_actions_adddup2(&fa, 0, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, 0x80)  // POSIX_SPAWN_SETSID (glibc 2.26+; the header hides the name)

        var env = environment
        env["LINES"] = "24"
        env["COLUMNS"] = "80"
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var p: pid_t = 0
        let rc = posix_spawn(&p, argv[0], &fa, &attr, cArgs, cEnv)
        guard rc == 0 else { throw CLIError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        pid = p
    }

    func send(_ s: String) {
        let bytes = Array(s.utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Reads what arrives until `silence` seconds pass without output (or `limit` in all).
    /// Returns the arrival time (nanoseconds since `since`) of the first and last byte, and
    /// the byte count.
    func readBurst(since: DispatchTime, silence: Double, limit: Double = 5) -> (first: Double?, last: Double?, bytes: Int) {
        var first: Double?, last: Double?, count = 0
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(limit * 1e9)
        var buf = [UInt8](repeating: 0, count: 65536)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let r = poll(&pfd, 1, Int32(silence * 1000))
            if r <= 0 { break }
            let n = read(master, &buf, buf.count)
            if n <= 0 { break }
            let t = Double(DispatchTime.now().uptimeNanoseconds - since.uptimeNanoseconds) / 1e6
            if first == nil { first = t }
            last = t
            count += n
            output.append(contentsOf: buf[0..<n])
        }
        return (first, last, count)
    }

    /// Waits until `text` has appeared in the output; returns the milliseconds since start.
    func waitFor(_ text: String, limit: Double = 30) throws -> Double {
        let needle = Array(text.utf8)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(limit * 1e9)
        var buf = [UInt8](repeating: 0, count: 65536)
        while !contains(needle) {
            guard DispatchTime.now().uptimeNanoseconds < deadline else {
                throw CLIError("the terminal never showed \"\(text)\"; it showed:\n" + visibleText)
            }
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 100) > 0 {
                let n = read(master, &buf, buf.count)
                if n <= 0 { throw CLIError("ward ended before showing \"\(text)\":\n" + visibleText) }
                output.append(contentsOf: buf[0..<n])
            }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
    }

    private func contains(_ needle: [UInt8]) -> Bool {
        guard output.count >= needle.count else { return false }
        return output.withUnsafeBufferPointer { hay in
            var i = max(0, hay.count - needle.count - 65536 * 4)
            while i + needle.count <= hay.count {
                if hay[i] == needle[0], Array(hay[i..<i + needle.count]) == needle { return true }
                i += 1
            }
            return false
        }
    }

    /// The output with escape sequences removed, for error messages.
    var visibleText: String {
        String(decoding: output.suffix(4000), as: UTF8.self)
            .replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: " ", options: .regularExpression)
    }

    /// Resident set size of the process in KiB, and how much of it is anonymous memory (what
    /// the program allocated) and how much mapped files (shared with every other process that
    /// maps the same binary and libraries).
    var memoryKiB: (total: Int, anonymous: Int, file: Int) {
        let s = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        func kib(_ key: String) -> Int {
            s.split(separator: "\n").first { $0.hasPrefix(key + ":") }
                .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) } ?? 0
        }
        return (kib("VmRSS"), kib("RssAnon"), kib("RssFile") + kib("RssShmem"))
    }

    /// Ends the program (SIGTERM, as a closed SSH link would) and reaps it.
    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid { close(master); return }
            _ = readBurst(since: .now(), silence: 0.05, limit: 0.1)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        close(master)
    }
}

/// Figure 5: the terminal, measured on the real binary under PtyProcess.
struct BenchUI {
    let binary: String
    let appDSN: String
    let keyFile: String
    let clinic: String
    let user: String

    var environment: [String: String] {
        var env: [String: String] = [:]
        for k in ["PATH", "HOME", "USER"] { env[k] = ProcessInfo.processInfo.environment[k] }
        env["TERM"] = "xterm-256color"
        env["LC_ALL"] = "C.UTF-8"
        return env
    }

    func run(_ r: inout BenchReport) throws {
        var starts: [Double] = []
        for _ in 0..<10 {
            let p = try PtyProcess([binary, "--dsn", appDSN, "--key-file", keyFile], environment: environment)
            starts.append(try p.waitFor("Password"))
            p.stop()
        }
        var start = Figure(name: "Terminal: start to login screen", target: "<= 50 ms", samples: starts)
        start.met = start.median <= 50
        r.add(start)

        let p = try PtyProcess([binary, "--dsn", appDSN, "--key-file", keyFile], environment: environment)
        defer { p.stop() }
        _ = try p.waitFor("Password")
        p.send(clinic + "\t" + user + "\t" + SyntheticSeed.password + "\r")
        _ = try p.waitFor("(admin)")
        _ = p.readBurst(since: .now(), silence: 0.3)
        p.send("s")
        _ = try p.waitFor("Dates")
        _ = p.readBurst(since: .now(), silence: 0.3)

        // Each keystroke: the echo, then the results.
        var bytes: [Double] = [], echo: [Double] = [], painted: [Double] = []
        for word in ["smith", "garcia", "muller", "nguyen", "kim", "patel", "wang"] {
            for ch in word {
                let t = DispatchTime.now()
                p.send(String(ch))
                let b = p.readBurst(since: t, silence: 0.5)
                bytes.append(Double(b.bytes))
                if let f = b.first { echo.append(f) }
                if let l = b.last { painted.append(l) }
            }
            p.send("\u{15}")  // Ctrl-U clears the field
            _ = p.readBurst(since: .now(), silence: 0.5)
        }
        // Esc alone: ncurses first waits ESCDELAY for the rest of a sequence that never comes.
        var escapes: [Double] = []
        for _ in 0..<10 {  // from the search screen back to the menu, and in again
            _ = p.readBurst(since: .now(), silence: 0.3)
            let t = DispatchTime.now()
            p.send("\u{1B}")
            if let f = p.readBurst(since: t, silence: 0.5).first { escapes.append(f) }
            p.send("s")
        }
        _ = p.readBurst(since: .now(), silence: 0.3)
        var esc = Figure(name: "Terminal: Esc alone to the screen answering (ESCDELAY \(Terminal.escapeDelay) ms)",
                         target: "<= 200 ms", samples: escapes)
        esc.met = esc.p95 <= 200
        r.add(esc)
        // A 64 KB bracketed paste into a clinical note: from the paste sent to the last byte
        // of the redraw (the note then shows its end, the cursor after it).
        p.send("smith")
        _ = p.readBurst(since: .now(), silence: 0.5)
        p.send("\r")
        _ = try p.waitFor("Write note")
        _ = p.readBurst(since: .now(), silence: 0.5)
        var letter = ""
        var line = 0
        while letter.utf8.count < 65_536 - 40 { line += 1; letter += "Line \(line) of the referral letter, pasted.\n" }
        var pastes: [Double] = []
        for _ in 0..<5 {
            p.send("w")
            _ = p.readBurst(since: .now(), silence: 0.5)
            p.send("Pasted\t\t")
            _ = p.readBurst(since: .now(), silence: 0.3)
            let t = DispatchTime.now()
            p.send("\u{1B}[200~" + letter + "\u{1B}[201~")
            if let last = p.readBurst(since: t, silence: 0.5).last { pastes.append(last) }
            p.send("\u{1B}")  // leave the editor: it asks, and `y` discards the note
            _ = p.readBurst(since: .now(), silence: 0.5)
            p.send("y")
            _ = p.readBurst(since: .now(), silence: 0.5)
        }
        var paste = Figure(name: "Terminal: 64 KB bracketed paste into a note, to painted", target: "<= 200 ms",
                           samples: pastes)
        paste.met = paste.p95 <= 200
        r.add(paste)
        var perKey = Figure(name: "Terminal: bytes written per search keystroke (80x24)", target: "<= 1,536 B",
                            samples: bytes, unit: "B")
        perKey.met = perKey.p95 <= 1536
        r.add(perKey)
        var echoF = Figure(name: "Terminal: keystroke to echo painted", target: "", samples: echo)
        echoF.met = nil
        r.add(echoF)
        var paint = Figure(name: "Terminal: keystroke to painted results", target: "p95 <= 15 ms", samples: painted)
        paint.met = paint.p95 <= 15
        r.add(paint)
        let rss = p.memoryKiB
        r.add(Figure(name: "Terminal: RSS after the search session", target: "<= 20 MB",
                     samples: [Double(rss.total) / 1024], unit: "MiB", met: Double(rss.total) / 1024 <= 20))
        r.add(Figure(name: "Terminal: of which anonymous (heap, stacks)", target: "",
                     samples: [Double(rss.anonymous) / 1024], unit: "MiB"))
        r.add(Figure(name: "Terminal: of which mapped files (the binary, Swift runtime, libraries)", target: "",
                     samples: [Double(rss.file) / 1024], unit: "MiB"))

        var demo: [Double] = []
        for _ in 0..<3 {
            let d = try PtyProcess([binary, "demo"], environment: environment)
            demo.append(try d.waitFor("Password", limit: 120))
            d.stop()
        }
        r.add(Figure(name: "`ward demo`: start to login screen (cluster, migrations, demo data)", target: "", samples: demo))
        r.note("""
            Keystroke figures: \(bytes.count) keystrokes typing seven surnames in the patient search of the largest \
            clinic, each followed by 0.5 s of quiet; the echo is the first byte after the key, the painted \
            results the last. The search screen searches as soon as a batch of keys has been read \
            (PatientSearchScreen: no debounce; one search in flight, the latest text searched next).
            """)
    }
}
#endif
