import ArgumentParser
import WardCore
import WardDB

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the demo clinics, or synthetic data at scale.",
        discussion: "Connects as an administrator (the owner or a superuser) to a migrated database.")

    @Option(help: "libpq connection string or URI of an administrator.")
    var dsn: String = ""

    @Flag(help: "Load the demo clinics, staff and patients (password clinic-demo).")
    var demo = false

    @OptionGroup var key: KeyFileOption

    @Option(help: "Synthetic data: number of clinics.") var clinics: Int?
    @Option(help: "Synthetic data: number of patients.") var patients: Int?
    @Option(help: "Synthetic data: random seed.") var seed: Int = 1

    func validate() throws {
        if demo == (clinics != nil || patients != nil) {
            throw ValidationError("give either --demo or --clinics N --patients P")
        }
    }

    func run() throws {
        guard demo else {
            throw CLIError("synthetic data (--clinics, --patients) is not built yet; use --demo")
        }
        let masterKey = try key.load()
        do {
            let conn = try Connection(dsn)
            switch try DemoSeed.load(conn, masterKey: masterKey) {
            case .loaded: print("loaded the demo clinics: northside, riverside, lakeside (password \(DemoSeed.password))")
            case .alreadyLoaded: print("the demo clinics are already loaded; nothing changed")
            }
        } catch let e as DatabaseError {
            throw CLIError(e.description)
        } catch let e as KeyError {
            throw CLIError(e.description)
        }
    }
}
