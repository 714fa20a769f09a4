import Foundation

/// Runs a program and waits for it, with every descriptor above stderr closed in the child.
/// Foundation's Process can wait for ever when the child starts a daemon (pg_ctl) that
/// inherits the descriptor Process watches; spawning ourselves avoids that.
public enum Spawn {
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs `argv` with output (stdout and stderr together) captured into a file and returned.
    public static func run(_ argv: [String], environment: [String: String]? = nil) throws -> Outcome {
        let logURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("ward-spawn-\(getpid())-\(UUID().uuidString).log")
        defer { unlink(logURL.path) }
        let fd = open(logURL.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SpawnError("cannot create \(logURL.path)") }
        let pid: pid_t
        do {
            pid = try start(argv, stdoutFD: fd, environment: environment)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        let status = waitFor(pid)
        let out = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        return Outcome(status: status, output: out)
    }

    /// Starts `argv` without waiting. stdin is /dev/null unless `passStdin`; stdout and stderr
    /// go to `stdoutFD`, are inherited when it is 1, or go to /dev/null when it is -1.
    public static func start(_ argv: [String], stdoutFD: Int32 = -1,
                             environment: [String: String]? = nil, newSession: Bool = false,
                             passStdin: Bool = false) throws -> pid_t {
        guard let program = argv.first else { throw SpawnError("nothing to run") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if !passStdin { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        if stdoutFD == 1 {
            // Inherit stdout and stderr as they are.
        } else if stdoutFD >= 0 {
            posix_spawn_file_actions_adddup2(&actions, stdoutFD, 1)
            posix_spawn_file_actions_adddup2(&actions, stdoutFD, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        for fd in openDescriptors() where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= Int16(0x80) /* POSIX_SPAWN_SETSID */ }
        posix_spawnattr_setflags(&attr, flags)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var cArgs = argv.map { strdup($0) } + [nil]
        var cEnv = env.map { strdup($0) } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, program, &actions, &attr, &cArgs, &cEnv)
        guard rc == 0 else { throw SpawnError("cannot run \(program): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Waits for a child and returns its exit status (128 + signal when killed).
    public static func waitFor(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }

    static func openDescriptors() -> [Int32] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else {
            return Array(3..<256)
        }
        return names.compactMap { Int32($0) }
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
