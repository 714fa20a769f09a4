import Foundation

/// A throwaway primary and a streaming standby of it (pg_basebackup -R, Unix sockets only),
/// for failover tests: promote the standby, crash the old primary, bring the old primary back.
///
/// After `promoteStandby()` the roles have changed but the names have not: `standby` is the
/// server that takes writes, `primary` is the old one.
public final class StandbyPair: @unchecked Sendable {
    public let primary: ThrowawayCluster
    public let standby: ThrowawayCluster

    /// Starts `primary` with `prepare` run on it first (migrations, seed), then copies it into a
    /// standby that streams from it: the copy starts from the prepared data, so it is quick.
    public static func start(prepare: (ThrowawayCluster) throws -> Void = { _ in }) throws -> StandbyPair {
        let primary = try ThrowawayCluster.start()
        do {
            try prepare(primary)
            let standby = try ThrowawayCluster.startStandby(of: primary)
            return StandbyPair(primary: primary, standby: standby)
        } catch {
            primary.stop()
            throw error
        }
    }

    private init(primary: ThrowawayCluster, standby: ThrowawayCluster) {
        self.primary = primary
        self.standby = standby
    }

    public func stop() {
        standby.stop()
        primary.stop()
    }

    /// The DSN a terminal is given: both servers, and libpq keeps only one that takes writes
    /// (`target_session_attrs=read-write`), trying the hosts in the order listed.
    public func multiHostDSN(database: String = "ward", user: String = "ward_app", standbyFirst: Bool = false,
                             targetSessionAttrs: String? = "read-write") -> String {
        let hosts = standbyFirst ? [standby, primary] : [primary, standby]
        var dsn = "host=\(hosts.map(\.socketDirectory).joined(separator: ",")) port=5432,5432 dbname=\(database) user=\(user)"
        if let targetSessionAttrs { dsn += " target_session_attrs=\(targetSessionAttrs)" }
        return dsn
    }

    /// Waits until the standby shows everything the primary has committed so far: a marker
    /// row committed last (flushed to the primary's disk, `local`, since the throwaway
    /// primary otherwise commits asynchronously) becomes visible on the standby. It lives in
    /// the `postgres` database, outside Ward's schema.
    public func waitForReplay(seconds: Double = 30) throws {
        let marker = UUID().uuidString
        let writer = try Connection(primary.dsn())
        try writer.query("CREATE TABLE IF NOT EXISTS public.replay_marker (marker text)")
        try writer.transaction { c in
            try c.query("SET LOCAL synchronous_commit = local")
            try c.query("INSERT INTO public.replay_marker VALUES ($1)", [marker])
        }
        let reader = try Connection(standby.dsn())
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            // Until the table's creation is replayed, the query fails: not seen yet.
            let seen = try? reader.query("SELECT EXISTS (SELECT 1 FROM public.replay_marker WHERE marker = $1) AS seen",
                                         [marker]).first?.bool("seen")
            if seen == true { return }
            usleep(20_000)
        }
        throw SpawnError("the standby did not show the primary's last commit within \(seconds) s")
    }

    /// The old primary dies as in a crash or a power cut (`pg_ctl -m immediate stop`): its
    /// backends are killed, nothing in flight commits, and its clients see the link drop.
    public func crashPrimary() throws {
        try primary.stopServer(mode: "immediate")
    }

    /// `pg_ctl promote`: the standby leaves recovery and takes writes. Returns once it does.
    public func promoteStandby() throws {
        let bin = try ThrowawayCluster.binDirectory()
        let out = try Spawn.run(standby.asServerUser([
            bin + "/pg_ctl", "-D", standby.dataDirectory, "-w", "-t", "60", "promote",
        ]))
        guard out.status == 0 else { throw SpawnError("the standby was not promoted:\n\(out.output)") }
    }

    /// Brings the old primary back the way it must come back: as a standby of the new primary
    /// (standby.signal and primary_conninfo), so it is read-only whatever its data says.
    /// It may fail to follow the new timeline if it wrote WAL the new primary never received
    /// (then pg_rewind is needed first): it still starts, in recovery, refusing writes.
    public func rejoinOldPrimaryAsStandby() throws {
        try primary.appendSettings("primary_conninfo = 'host=\(standby.socketDirectory) port=5432 user=postgres'\n")
        try primary.writeServerFile("standby.signal", "")
        try primary.startServerAgain()
    }

    /// What an operator must never do, for the control test: the old primary restarted as
    /// it was, a second server that takes writes (split brain).
    public func restartOldPrimaryAsWriter() throws {
        try primary.startServerAgain()
    }
}

extension ThrowawayCluster {
    /// A new cluster whose data is a base backup of `primary`, started as its streaming
    /// standby on its own socket directory.
    static func startStandby(of primary: ThrowawayCluster) throws -> ThrowawayCluster {
        let bin = try binDirectory()
        var template = Array((NSTemporaryDirectory() as NSString)
            .appendingPathComponent("ward-pg-XXXXXX").utf8CString)
        guard let p = mkdtemp(&template) else { throw SpawnError("cannot create a temporary directory") }
        let standby = ThrowawayCluster(directory: String(cString: p), kept: false)
        do {
            let fm = FileManager.default
            try fm.createDirectory(atPath: standby.socketDirectory, withIntermediateDirectories: true)
            try fm.createDirectory(atPath: standby.dataDirectory, withIntermediateDirectories: false)
            chmod(standby.dataDirectory, 0o700)
            if standby.runAsPostgres {
                guard let pw = getpwnam("postgres") else {
                    throw SpawnError("running as root needs the 'postgres' user (install postgresql-15)")
                }
                chmod(standby.directory, 0o755)
                chown(standby.socketDirectory, pw.pointee.pw_uid, pw.pointee.pw_gid)
                chown(standby.dataDirectory, pw.pointee.pw_uid, pw.pointee.pw_gid)
            }
            // -R writes standby.signal and primary_conninfo; -X stream copies the WAL the
            // backup needs; a fast checkpoint starts it at once.
            let out = try Spawn.run(standby.asServerUser([
                bin + "/pg_basebackup", "-D", standby.dataDirectory, "-h", primary.socketDirectory, "-p", "5432",
                "-U", primary.superuser, "-X", "stream", "-R", "-c", "fast", "--no-sync",
            ]))
            guard out.status == 0 else { throw SpawnError("pg_basebackup failed:\n\(out.output)") }
            // The copied settings name the primary's socket directory; the standby has its own.
            try standby.appendSettings("unix_socket_directories = '\(standby.socketDirectory)'\n")
            try standby.startServer(bin: bin)
        } catch {
            standby.stop()
            throw error
        }
        return standby
    }

    /// Stops the server without deleting anything (`fast` or `immediate`).
    public func stopServer(mode: String) throws {
        let bin = try Self.binDirectory()
        let out = try Spawn.run(asServerUser([
            bin + "/pg_ctl", "-D", dataDirectory, "-m", mode, "-w", "-t", "60", "stop",
        ]))
        guard out.status == 0 else { throw SpawnError("PostgreSQL did not stop:\n\(out.output)") }
        // The pid may be reused by another process once the postmaster has gone.
        postmasterPID = 0
    }

    /// Starts a server stopped by `stopServer` (the watchdog and clean-up are still in place).
    func startServerAgain() throws {
        let bin = try Self.binDirectory()
        let out = try Spawn.run(asServerUser([
            bin + "/pg_ctl", "-D", dataDirectory, "-l", dataDirectory + "/server.log", "-w", "-t", "60", "start",
        ]))
        let pidText = (try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)) ?? ""
        postmasterPID = pid_t(pidText.split(separator: "\n").first.map(String.init) ?? "") ?? 0
        guard out.status == 0, postmasterPID > 0 else {
            let log = (try? String(contentsOfFile: dataDirectory + "/server.log", encoding: .utf8)) ?? ""
            throw SpawnError("PostgreSQL did not start again:\n\(out.output)\n\(log.suffix(2000))")
        }
    }

    /// Adds lines to postgresql.conf (later lines win).
    func appendSettings(_ text: String) throws {
        let path = dataDirectory + "/postgresql.conf"
        guard let h = FileHandle(forWritingAtPath: path) else { throw SpawnError("cannot write \(path)") }
        defer { h.closeFile() }
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
    }

    /// Writes a file into the data directory, owned by the server's user.
    func writeServerFile(_ name: String, _ text: String) throws {
        let path = dataDirectory + "/" + name
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        if runAsPostgres, let pw = getpwnam("postgres") { chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) }
    }
}
