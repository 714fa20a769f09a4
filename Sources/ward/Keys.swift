import ArgumentParser
import Foundation
import WardCore
import WardDB

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the master key and the data keys that protect encrypted fields.",
        subcommands: [KeysInit.self, KeysRotate.self, KeysCheck.self])
}

/// `--key-file`, shared by every command that needs the master key.
struct KeyFileOption: ParsableArguments {
    @Option(help: "The master key file (default: WARD_KEY_FILE, the config's key_file, or ~/.config/ward/master.key).")
    var keyFile: String?

    /// The master key, or a one-sentence error. A setgid binary already read it at start.
    func load(configValue: String? = nil) throws -> MasterKey {
        do {
            if let preloaded = SharedHost.preloaded { return try preloaded.get() }
            return try MasterKey.load(from: keyFile ?? MasterKey.defaultPath(configValue: configValue))
        } catch let e as KeyError {
            throw CLIError(e.description)
        }
    }
}

struct KeysInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the master key file (never overwrites an existing one).",
        discussion: """
            The file holds 256 random bits, readable by its owner only (or by its group too with \
            --group-readable, for a shared host where only a 'ward' group may read it). Keep it \
            outside the database and out of database backups.
            """)

    @Option(help: "Where to create the key (default: WARD_KEY_FILE or ~/.config/ward/master.key).")
    var file: String?

    @Flag(help: "Let the file's group read it (mode 640) instead of the owner alone (600).")
    var groupReadable = false

    func run() throws {
        let path = file ?? MasterKey.defaultPath()
        do {
            try MasterKey.create(at: path, groupReadable: groupReadable)
        } catch let e as KeyError {
            throw CLIError(e.description)
        }
        print("created master key \(path)")
    }
}

struct KeysRotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Give clinics (and the portable profiles) a new data key version and re-encrypt their values.",
        discussion: """
            Connects as the owner. For each clinic (or only --clinic CODE) and, without --clinic, \
            the portable profiles: stores a new data key version wrapped by the master key, then \
            re-encrypts every value in batches, one transaction each, printing progress. An \
            interrupted rotation (or one stopped by --max-batches) continues where it stopped \
            when run again. The first run on a database creates the first keys and seals any \
            plaintext left by an upgrade. With --remove-old, wrapped keys of versions no value \
            uses any more are deleted afterwards. A wrong or missing master key stops it before \
            anything is written. Terminals seal with the new version from their next login.
            """)

    @Option(help: "libpq connection string or URI of the owner (an administrator).")
    var dsn: String = ""

    @Option(help: "Only this clinic's key (the portable profiles' key is rotated without --clinic).")
    var clinic: String?

    @OptionGroup var key: KeyFileOption

    @Option(help: "Values re-encrypted per transaction.")
    var batchSize = 500

    @Option(help: "Stop after this many batches; run again to continue.")
    var maxBatches: Int?

    @Flag(help: "Afterwards, delete wrapped keys of versions that no value uses any more.")
    var removeOld = false

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if let m = maxBatches, m < 1 { throw ValidationError("--max-batches must be at least 1") }
    }

    func run() throws {
        let master = try key.load()
        do {
            let admin = KeyAdmin(connection: try Connection(dsn), masterKey: master)
            let targets = try admin.targets(clinic: clinic)
            // Every existing key is unwrapped before anything is written: a wrong master key
            // stops here.
            let rings = try targets.map { try admin.ring($0) }
            try admin.ensureCheck()
            var budget = maxBatches
            for (t, old) in zip(targets, rings) {
                var ring = old
                if let v = ring.current, try admin.pending(t, version: v) > 0 {
                    print("\(t.name): continuing the rotation to key version \(v)")
                } else {
                    ring = try admin.addVersion(t, to: ring)
                    print("\(t.name): new key version \(ring.current!)")
                }
                let total = try admin.pending(t, version: ring.current!)
                let s = try admin.reseal(t, ring: ring, batchSize: batchSize, maxBatches: budget) { done in
                    print("\(t.name): \(done)/\(total) values re-encrypted")
                    fflush(nil)  // progress shows as it happens, also in a log file
                }
                if s.unreadable > 0 {
                    print("\(t.name): \(s.unreadable) value(s) could not be opened (damaged, or moved from another row) and were left as they are")
                }
                if s.stoppedEarly {
                    print("stopped after \(maxBatches!) batch(es); run the same command again to continue")
                    throw ExitCode(3)
                }
                budget = budget.map { $0 - s.batches }
                if removeOld {
                    let removed = try admin.removeOldVersions(t, ring: ring)
                    if !removed.isEmpty {
                        print("\(t.name): removed key version(s) \(removed.map(String.init).joined(separator: ", "))")
                    }
                }
            }
        } catch let e as KeyError {
            throw CLIError(e.description)
        } catch let e as KeyAdminError {
            throw CLIError(e.description)
        } catch let e as DatabaseError {
            throw CLIError(e.description)
        }
    }
}

struct KeysCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that the master key can be read (and, with --dsn, that it is this database's).",
        discussion: """
            Also prints the process's group ids: a setgid `ward` shows the same group four \
            times, because it dropped the ward group right after reading the key.
            """)

    @Option(help: "libpq connection string or URI (ward_app is enough).")
    var dsn: String?

    @OptionGroup var key: KeyFileOption

    func run() throws {
        let master = try key.load()
        if let dsn {
            do {
                try MasterKeyCheck.verify(master, connection: try Connection(dsn))
            } catch let e as KeyError {
                throw CLIError(e.description)
            } catch let e as DatabaseError {
                throw CLIError(e.description)
            }
            print("master key \(master.path) matches this database")
        } else {
            print("master key \(master.path) is readable and well-formed")
        }
        print("group ids (real, effective, saved, filesystem): \(SharedHost.groupIDs().map(String.init).joined(separator: " "))")
    }
}
