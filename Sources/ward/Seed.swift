import ArgumentParser
import Foundation
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
    @Option(help: "Synthetic data: audit events in total (default 10 per patient).") var auditEvents: Int?
    @Option(help: "Synthetic data: the day that is today in the data, YYYY-MM-DD (default: today, UTC).")
    var anchor: String?

    func validate() throws {
        if demo == (clinics != nil || patients != nil) {
            throw ValidationError("give either --demo or --clinics N --patients P")
        }
        if !demo, clinics == nil || patients == nil {
            throw ValidationError("synthetic data needs both --clinics N and --patients P")
        }
    }

    func run() throws {
        do {
            let conn = try Connection(dsn)
            guard demo else { return try synthetic(conn) }
            switch try DemoSeed.load(conn, masterKey: try key.load()) {
            case .loaded: print("loaded the demo clinics: northside, riverside, lakeside (password \(DemoSeed.password))")
            case .alreadyLoaded: print("the demo clinics are already loaded; nothing changed")
            }
        } catch let e as DatabaseError {
            throw CLIError(e.description)
        } catch let e as KeyError {
            throw CLIError(e.description)
        } catch let e as SyntheticSeed.SeedError {
            throw CLIError(e.description)
        }
    }

    func synthetic(_ conn: Connection) throws {
        var day: CalendarDate?
        if let anchor {
            guard let d = CalendarDate(iso: anchor) else { throw CLIError("--anchor must be a date like 2026-11-23") }
            day = d
        }
        let o = SyntheticSeed.Options(clinics: clinics ?? 1, patients: patients ?? 0, seed: seed,
                                      auditEvents: auditEvents, anchor: day)
        let start = Date()
        try SyntheticSeed.load(conn, o) { step, seconds in
            print("  " + step.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%7.1f s", seconds))
        }
        print(String(format: "loaded %d clinics, %d patients, about %d audit events (seed %d) in %.1f s",
                     o.clinics, o.patients, o.auditEvents, o.seed, Date().timeIntervalSince(start)))
        print("largest clinic: \(SyntheticSeed.clinicCode(seed: seed, 1)), admin \(SyntheticSeed.adminUsername(seed: seed, 1)), password \(SyntheticSeed.password)")
        print("allergies, signatures and note bodies are stored unsealed until `ward keys rotate --dsn DSN` seals them")
    }
}
