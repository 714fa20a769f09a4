import Foundation

/// A private PostgreSQL server in a temporary directory, for tests and `ward demo`:
/// Unix socket only (no TCP port), stopped and deleted by `stop()`, at exit, or, if this
/// process dies without cleaning up, by a watchdog that notices within half a second.
///
/// initdb refuses to run as root, so when we are root the server runs as `postgres`.
public final class ThrowawayCluster: @unchecked Sendable {
    /// The top directory; everything the cluster owns lives below it.
    public let directory: String
    public let dataDirectory: String
    public let socketDirectory: String
    /// The database superuser (trust authentication over the socket).
    public let superuser = "postgres"
    public internal(set) var postmasterPID: pid_t = 0
    public private(set) var watchdogPID: pid_t = 0
    /// Kept clusters (`ward demo --keep DIR`) are stopped but not deleted.
    public let isKept: Bool
    private var stopped = false

    nonisolated(unsafe) private static var live: [ObjectIdentifier: ThrowawayCluster] = [:]
    private static let lock = NSLock()
    nonisolated(unsafe) private static var atExitInstalled = false

    /// The libpq connection string for a database of this cluster.
    public func dsn(database: String = "postgres", user: String? = nil) -> String {
        "host=\(socketDirectory) port=5432 dbname=\(database) user=\(user ?? superuser)"
    }

    /// Creates (or, for a kept directory that already holds one, reuses) a cluster and starts it.
    /// Its databases read `pinnedAt` (by default the run's WARD_TEST_NOW) as ward.now() at
    /// the run's start, advancing from there (pinClock).
    public static func start(keep: String? = nil, pinnedAt: Date? = TestClock.pinned) throws -> ThrowawayCluster {
        let bin = try binDirectory()
        let dir: String
        if let keep {
            try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            dir = URL(fileURLWithPath: keep).standardizedFileURL.path
        } else {
            var template = Array((NSTemporaryDirectory() as NSString)
                .appendingPathComponent("ward-pg-XXXXXX").utf8CString)
            guard let p = mkdtemp(&template) else { throw SpawnError("cannot create a temporary directory") }
            dir = String(cString: p)
        }
        let cluster = ThrowawayCluster(directory: dir, kept: keep != nil)
        do {
            try cluster.initialise(bin: bin)
            try cluster.startServer(bin: bin)
            if let pinnedAt { try cluster.pinClock(at: pinnedAt) }
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    init(directory: String, kept: Bool) {
        self.directory = directory
        self.dataDirectory = directory + "/data"
        // Unix socket paths are limited to about 100 bytes: keep this one short.
        self.socketDirectory = directory + "/sock"
        self.isKept = kept
    }

    deinit { stop() }

    /// Stops the server (fast shutdown, then kill) and deletes the directory unless kept.
    /// Safe to call more than once.
    public func stop() {
        Self.lock.lock()
        let first = !stopped
        stopped = true
        Self.live[ObjectIdentifier(self)] = nil
        Self.lock.unlock()
        guard first else { return }
        if bouncerPID > 0 {
            kill(bouncerPID, SIGINT)
            if !Self.waitGone(bouncerPID, pidFile: directory + "/bouncer/pgbouncer.pid", seconds: 5) {
                kill(bouncerPID, SIGKILL)
            }
        }
        if postmasterPID > 0 {
            kill(postmasterPID, SIGINT)
            if !Self.waitGone(postmasterPID, pidFile: dataDirectory + "/postmaster.pid", seconds: 10) {
                kill(postmasterPID, SIGKILL)
                _ = Self.waitGone(postmasterPID, pidFile: nil, seconds: 5)
            }
        }
        if !isKept { try? FileManager.default.removeItem(atPath: directory) }
        if watchdogPID > 0 {
            kill(watchdogPID, SIGKILL)
            _ = Spawn.waitFor(watchdogPID)
            watchdogPID = 0
        }
    }

    /// Restarts the server, as an operator or a crash would: `fast` ends every connection with
    /// an error first, `immediate` kills the backends at once (crash recovery follows).
    /// Clients lose their connections and must reconnect; the data survives.
    public func restart(mode: String = "fast") throws {
        let bin = try Self.binDirectory()
        let out = try Spawn.run(asServerUser([
            bin + "/pg_ctl", "-D", dataDirectory, "-l", dataDirectory + "/server.log",
            "-m", mode, "-w", "-t", "60", "restart",
        ]))
        let pidText = (try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)) ?? ""
        postmasterPID = pid_t(pidText.split(separator: "\n").first.map(String.init) ?? "") ?? 0
        guard out.status == 0, postmasterPID > 0 else {
            throw SpawnError("PostgreSQL did not restart:\n\(out.output)")
        }
    }

    /// Stops every cluster this process started (for signal handlers and exit paths).
    public static func stopAll() {
        lock.lock()
        let all = Array(live.values)
        lock.unlock()
        for c in all { c.stop() }
    }

    // MARK: - Steps

    var runAsPostgres: Bool { geteuid() == 0 }

    func asServerUser(_ argv: [String]) -> [String] {
        runAsPostgres ? ["runuser", "-u", "postgres", "--"] + argv : argv
    }

    private func initialise(bin: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        if runAsPostgres {
            guard let pw = getpwnam("postgres") else {
                throw SpawnError("running as root needs the 'postgres' user (install postgresql-15)")
            }
            chmod(directory, 0o755)
            chown(socketDirectory, pw.pointee.pw_uid, pw.pointee.pw_gid)
            if !fm.fileExists(atPath: dataDirectory) {
                try fm.createDirectory(atPath: dataDirectory, withIntermediateDirectories: false)
                chown(dataDirectory, pw.pointee.pw_uid, pw.pointee.pw_gid)
                chmod(dataDirectory, 0o700)
            }
        }
        if fm.fileExists(atPath: dataDirectory + "/PG_VERSION") { return }
        let out = try Spawn.run(asServerUser([
            bin + "/initdb", "-D", dataDirectory, "-U", superuser, "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        ]))
        guard out.status == 0 else { throw SpawnError("initdb failed:\n\(out.output)") }
        // Settings for a private, disposable server: no TCP, our own socket, speed over durability.
        let conf = """

            # ward throwaway cluster
            listen_addresses = ''
            unix_socket_directories = '\(socketDirectory)'
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            max_connections = 200
            log_min_messages = warning

            """
        let confPath = dataDirectory + "/postgresql.conf"
        guard let h = FileHandle(forWritingAtPath: confPath) else { throw SpawnError("cannot write \(confPath)") }
        h.seekToEndOfFile()
        h.write(conf.data(using: .utf8)!)
        h.closeFile()
    }

    func startServer(bin: String) throws {
        let out = try Spawn.run(asServerUser([
            bin + "/pg_ctl", "-D", dataDirectory, "-l", dataDirectory + "/server.log",
            "-w", "-t", "60", "start",
        ]))
        let pidText = (try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)) ?? ""
        postmasterPID = pid_t(pidText.split(separator: "\n").first.map(String.init) ?? "") ?? 0
        guard out.status == 0, postmasterPID > 0 else {
            let log = (try? String(contentsOfFile: dataDirectory + "/server.log", encoding: .utf8)) ?? ""
            throw SpawnError("PostgreSQL did not start:\n\(out.output)\n\(log)")
        }
        Self.lock.lock()
        Self.live[ObjectIdentifier(self)] = self
        if !Self.atExitInstalled {
            Self.atExitInstalled = true
            atexit { ThrowawayCluster.stopAll() }
        }
        Self.lock.unlock()
        startWatchdog()
    }

    /// A detached shell that outlives us only to stop the server and delete the directory
    /// if we die without doing it ourselves (SIGKILL, crash, a test runner killed mid-test).
    private func startWatchdog() {
        let removal = isKept ? "" : "rm -rf \"$2\""
        let script = """
            # A dead parent may stay a zombie when nobody reaps it (pid 1 in a container).
            alive() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" != Z ]; }
            while alive "$1" && [ -d "$2" ]; do sleep 0.5; done
            [ -d "$2" ] || exit 0
            for f in "$2"/bouncer/pgbouncer.pid "$2"/data/postmaster.pid; do
              [ -r "$f" ] || continue
              p=$(head -n 1 "$f"); kill -INT "$p" 2>/dev/null
              i=0; while [ -e "$f" ] && alive "$p" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
              kill -KILL "$p" 2>/dev/null
            done
            \(removal)
            """
        watchdogPID = (try? Spawn.start(
            ["/bin/sh", "-c", script, "ward-watchdog", String(getpid()), directory],
            newSession: true)) ?? 0
    }

    // MARK: - The pinned clock

    /// Makes every database created from now on read the run's pinned clock through
    /// ward.now(): an event trigger in template1 (copied into each new database) replaces
    /// ward.now(), as superuser, the moment a migration creates it, with the pinned instant
    /// plus the time since the run started. PostgreSQL's own clock keeps running (its
    /// timeouts and deadlock detection need it); nothing ward_app may set moves the time.
    public func pinClock(at pinned: Date) throws {
        let c = try Connection(dsn(database: "template1"))
        defer { c.close() }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // The instants are parameters; format(%L) quotes them into the function bodies.
        let ddl = try c.query(Self.pinClockTemplate, [iso.string(from: pinned), iso.string(from: TestClock.realStart)])
        try c.executeScript(try ddl.first!.string("ddl")!)
    }

    private static let pinClockTemplate = """
        SELECT pg_catalog.format($f$
            CREATE SCHEMA IF NOT EXISTS ward_harness;
            REVOKE ALL ON SCHEMA ward_harness FROM PUBLIC;
            CREATE OR REPLACE FUNCTION ward_harness.pin_now() RETURNS event_trigger
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $body$
            DECLARE
                pinned_body text := %L;
            BEGIN
                IF EXISTS (SELECT FROM pg_event_trigger_ddl_commands() c
                            WHERE c.object_type = 'function' AND c.object_identity = 'ward.now()')
                   AND (SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE n.nspname = 'ward' AND p.proname = 'now' AND p.pronargs = 0)
                       IS DISTINCT FROM pinned_body THEN
                    EXECUTE 'CREATE OR REPLACE FUNCTION ward.now() RETURNS timestamptz '
                         || 'LANGUAGE sql STABLE PARALLEL SAFE AS ' || quote_literal(pinned_body);
                END IF;
            END
            $body$;
            REVOKE ALL ON FUNCTION ward_harness.pin_now() FROM PUBLIC;
            DROP EVENT TRIGGER IF EXISTS ward_harness_pin_now;
            CREATE EVENT TRIGGER ward_harness_pin_now ON ddl_command_end
                WHEN TAG IN ('CREATE FUNCTION') EXECUTE FUNCTION ward_harness.pin_now();
            $f$,
            pg_catalog.format(' SELECT %L::pg_catalog.timestamptz OPERATOR(pg_catalog.+) '
                              '(pg_catalog.now() OPERATOR(pg_catalog.-) %L::pg_catalog.timestamptz) ',
                              $1::pg_catalog.timestamptz, $2::pg_catalog.timestamptz)) AS ddl
        """

    // MARK: - PgBouncer

    /// Starts PgBouncer in front of this cluster, on a Unix socket in the cluster's
    /// directory, in transaction pooling mode with at most `poolSize` server connections
    /// per user and database. Returns a DSN for `database` through the pooler.
    public func startBouncer(database: String, poolSize: Int) throws -> String {
        let dir = directory + "/bouncer"
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Trust authentication still needs each user in the auth file.
        try "\"postgres\" \"\"\n\"ward_app\" \"\"\n\"ward_owner\" \"\"\n"
            .write(toFile: dir + "/users.txt", atomically: true, encoding: .utf8)
        try """
            [databases]
            * = host=\(socketDirectory) port=5432
            [pgbouncer]
            listen_addr =
            listen_port = 6432
            unix_socket_dir = \(dir)
            auth_type = trust
            auth_file = \(dir)/users.txt
            pool_mode = transaction
            default_pool_size = \(poolSize)
            max_client_conn = 500
            logfile = \(dir)/pgbouncer.log
            pidfile = \(dir)/pgbouncer.pid
            ignore_startup_parameters = extra_float_digits

            """.write(toFile: dir + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        if runAsPostgres, let pw = getpwnam("postgres") {
            for f in ["", "/users.txt", "/pgbouncer.ini"] { chown(dir + f, pw.pointee.pw_uid, pw.pointee.pw_gid) }
        }
        let out = try Spawn.run(asServerUser(["pgbouncer", "-d", dir + "/pgbouncer.ini"]))
        // The daemon writes its socket and its pid file at slightly different moments.
        let deadline = Monotonic.seconds() + 10
        repeat {
            let pidText = (try? String(contentsOfFile: dir + "/pgbouncer.pid", encoding: .utf8)) ?? ""
            bouncerPID = pid_t(pidText.split(separator: "\n").first.map(String.init) ?? "") ?? 0
            if bouncerPID > 0 && fm.fileExists(atPath: dir + "/.s.PGSQL.6432") { break }
            usleep(20_000)
        } while Monotonic.seconds() < deadline
        guard out.status == 0, bouncerPID > 0, fm.fileExists(atPath: dir + "/.s.PGSQL.6432") else {
            let log = (try? String(contentsOfFile: dir + "/pgbouncer.log", encoding: .utf8)) ?? ""
            throw SpawnError("PgBouncer did not start (apt-get install pgbouncer):\n\(out.output)\n\(log)")
        }
        return "host=\(dir) port=6432 dbname=\(database) user=\(superuser)"
    }

    public private(set) var bouncerPID: pid_t = 0

    // MARK: - Helpers

    /// Where initdb and pg_ctl live: `WARD_PG_BINDIR`, `pg_config --bindir`, or the newest
    /// /usr/lib/postgresql/N/bin.
    static func binDirectory() throws -> String {
        let fm = FileManager.default
        if let d = ProcessInfo.processInfo.environment["WARD_PG_BINDIR"], fm.fileExists(atPath: d + "/initdb") {
            return d
        }
        if let out = try? Spawn.run(["pg_config", "--bindir"]), out.status == 0 {
            let d = out.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if fm.fileExists(atPath: d + "/initdb") { return d }
        }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for v in versions where fm.fileExists(atPath: "/usr/lib/postgresql/\(v)/bin/initdb") {
            return "/usr/lib/postgresql/\(v)/bin"
        }
        throw SpawnError("PostgreSQL server programs (initdb, pg_ctl) not found: install postgresql-15")
    }

    /// True once the process has exited (or is a zombie nobody reaps) and its pid file is gone.
    static func waitGone(_ pid: pid_t, pidFile: String?, seconds: Double) -> Bool {
        let deadline = Monotonic.seconds() + seconds
        while Monotonic.seconds() < deadline {
            let fileGone = pidFile.map { !FileManager.default.fileExists(atPath: $0) } ?? true
            if fileGone && !isRunning(pid) { return true }
            usleep(20_000)
        }
        return false
    }

    public static func isRunning(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return false }
        // A zombie has exited; in a container nobody may reap it.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(close, offsetBy: 2)]
            return state != "Z" && state != "X"
        }
        return true
    }
}
