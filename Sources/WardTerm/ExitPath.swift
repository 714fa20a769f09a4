import CNcursesw
import Glibc

/// Every way out restores the terminal and runs the cleanup hooks once: a normal quit
/// or an error (UI.run's defer), a signal (the event loop reads the self-pipe and exits
/// outside the signal handler), and `exit()` from anywhere else (atexit).
public enum ExitPath {
    nonisolated(unsafe) private static var hooks: [() -> Void] = []
    nonisolated(unsafe) private static var ran = false
    nonisolated(unsafe) static var pipeRead: Int32 = -1
    nonisolated(unsafe) static var pipeWrite: Int32 = -1
    nonisolated(unsafe) private static var installed = false

    /// Registers a cleanup (stop the throwaway cluster, close the connection). Hooks run
    /// after the terminal is restored, in reverse order of registration, once.
    public static func addCleanup(_ hook: @escaping () -> Void) {
        hooks.append(hook)
    }

    /// Restores the terminal and runs the hooks (idempotent).
    public static func cleanUp() {
        Terminal.restore()
        guard !ran else { return }
        ran = true
        for h in hooks.reversed() { h() }
        hooks.removeAll()
    }

    /// Catches SIGINT, SIGTERM and SIGHUP into a pipe the event loop polls. The handler
    /// only writes one byte: restoring the terminal is not safe inside a handler.
    static func installSignalHandlers() {
        guard !installed else { return }
        installed = true
        var fds: [Int32] = [0, 0]
        if pipe(&fds) == 0 {
            pipeRead = fds[0]; pipeWrite = fds[1]
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { s in
                var b = UInt8(truncatingIfNeeded: s)
                _ = write(ExitPath.pipeWrite, &b, 1)
            }
        }
        atexit { ExitPath.cleanUp() }
    }

    /// The signal waiting in the pipe, if any.
    static func pendingSignal() -> Int32? {
        var b: UInt8 = 0
        return read(pipeRead, &b, 1) == 1 ? Int32(b) : nil
    }

    /// Leaves because of a signal: exit status 128 + signal. With the terminal gone
    /// (SIGHUP from a dropped SSH link) endwin or a hook could block on the dead tty;
    /// the alarm makes sure the process still ends.
    static func exitForSignal(_ sig: Int32) -> Never {
        signal(SIGALRM, SIG_DFL)
        alarm(5)
        cleanUp()
        exit(128 + sig)
    }
}
