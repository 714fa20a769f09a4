import ArgumentParser
import WardCore

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the master key that protects encrypted fields.",
        subcommands: [KeysInit.self])
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
