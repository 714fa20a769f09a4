// A developer command: compiled only into the debug and benchmark builds (Ward.developerCommands).
#if WARD_DEVELOPER
import ArgumentParser
import Dispatch
import Foundation
import WardCore
import WardDB
import WardClient

/// `make bench`: a throwaway cluster, synthetic data, the figures of issue 7 each next to
/// its floor or target, printed and written to BENCHMARKS.md.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Ward on synthetic data and write BENCHMARKS.md.",
        shouldDisplay: false)

    @Flag(help: "The full size: 1,000 clinics, 1M patients, 10M audit events.")
    var full = false
    @Option(help: "Clinics (default 100, or 1000 with --full).") var clinics: Int?
    @Option(help: "Patients (default 100000, or 1000000 with --full).") var patients: Int?
    @Option(help: "Samples per figure.") var samples = 200
    @Option(help: "Where to write the report.") var out = "BENCHMARKS.md"
    @Option(help: "The ward binary to drive on a pseudo-terminal (default: this one).") var ward: String?

    func run() throws {
        let nClinics = clinics ?? (full ? 1000 : 100)
        let nPatients = patients ?? (full ? 1_000_000 : 100_000)
        var report = BenchReport(command: CommandLine.arguments.joined(separator: " "))
        report.note("Data: \(nClinics) clinics, \(nPatients) patients, \(nPatients * 10) audit events requested (seed 1).")

        let cluster = try ThrowawayCluster.start()
        defer { cluster.stop() }
        try Connection(cluster.dsn()).query("CREATE DATABASE ward")
        let owner = try Connection(cluster.dsn(database: "ward"))
        try Migrator(connection: owner).migrate()

        print("seeding \(nClinics) clinics, \(nPatients) patients ...")
        let options = SyntheticSeed.Options(clinics: nClinics, patients: nPatients, seed: 1)
        let t0 = Date()
        try SyntheticSeed.load(owner, options) { step, s in
            print("  " + step.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: "%7.1f s", s))
            fflush(nil)
        }
        report.seedSeconds = Date().timeIntervalSince(t0)
        report.sizes = try owner.query("""
            SELECT (SELECT count(*) FROM ward.patients) AS patients, (SELECT count(*) FROM ward.clinic_patients) AS charts,
                   (SELECT count(*) FROM ward.appointments) AS appointments, (SELECT count(*) FROM ward.clinical_notes) AS notes,
                   (SELECT count(*) FROM ward.audit_events) AS audit_events,
                   (SELECT count(*) FROM ward.clinic_patients cp JOIN ward.tenants t ON t.id = cp.tenant_id WHERE t.code = $1) AS largest
            """, [SyntheticSeed.clinicCode(seed: 1, 1)]).first.map { r in
            ["patients", "charts", "appointments", "notes", "audit_events", "largest"].map { ($0, (try? r.int($0)) ?? 0) }
        } ?? []

        // The terminal needs a master key and its clinic's data keys; the synthetic fields stay
        // unsealed (re-sealing 1M rows is `ward keys rotate`'s job, not a benchmark's).
        let keyFile = cluster.directory + "/master.key"
        let keys = KeyAdmin(connection: owner, masterKey: try MasterKey.create(at: keyFile))
        try keys.ensureCheck()
        for target in try keys.targets(clinic: SyntheticSeed.clinicCode(seed: 1, 1)) + [.portable] {
            _ = try keys.addVersion(target, to: try keys.ring(target))
        }

        let db = try BenchDatabase(cluster: cluster, owner: owner, anchor: options.anchor, samples: samples)
        let ui = BenchUI(binary: ward ?? Bench.selfPath, appDSN: cluster.dsn(database: "ward", user: "ward_app"),
                         keyFile: keyFile,
                         clinic: SyntheticSeed.clinicCode(seed: 1, 1), user: SyntheticSeed.adminUsername(seed: 1, 1))
        // A section that fails is reported as such; the others still run (a full run is long).
        let sections: [(String, (inout BenchReport) throws -> Void)] = [
            ("login", db.login), ("patient search", db.rlsAndSearch), ("appointment day list", db.dayList),
            ("audit pages", db.auditPages), ("audit writes", db.auditWrites), ("terminal", ui.run),
        ]
        for (name, section) in sections {
            do { try section(&report) } catch {
                print("  \(name): FAILED: \(error)")
                report.note("**The \(name) section failed**: \(error)")
            }
        }

        print(report.table)
        try report.markdown.write(toFile: out, atomically: true, encoding: .utf8)
        print("wrote \(out)")
    }

    static var selfPath: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }
}

/// Milliseconds of a block, by the monotonic clock.
func millis(_ body: () throws -> Void) rethrows -> Double {
    let t = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
}

struct Figure {
    var name: String
    var target: String
    var samples: [Double]
    var unit = "ms"
    /// nil: no target (a floor or an informative line).
    var met: Bool?

    var median: Double { Self.quantile(samples, 0.5) }
    var p95: Double { Self.quantile(samples, 0.95) }

    static func quantile(_ xs: [Double], _ q: Double) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s[min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.up)) - 1))]
    }
}

struct BenchReport {
    var command: String
    var figures: [Figure] = []
    var notes: [String] = []
    var plans: [(String, String)] = []
    var seedSeconds: Double = 0
    var sizes: [(String, Int)] = []

    mutating func add(_ f: Figure) {
        figures.append(f)
        print("  " + f.name.padding(toLength: 70, withPad: " ", startingAt: 0)
              + String(format: " median %9.2f  p95 %9.2f ", f.median, f.p95) + f.unit + "  "
              + (f.met.map { $0 ? "met" : "MISSED" } ?? ""))
        fflush(nil)  // progress appears as it happens, also in a log file
    }
    mutating func note(_ s: String) { notes.append(s) }

    static func fmt(_ x: Double) -> String {
        x >= 100 ? String(format: "%.0f", x) : x >= 10 ? String(format: "%.1f", x) : String(format: "%.2f", x)
    }

    var rows: [String] {
        figures.map { f in
            "| \(f.name) | \(f.samples.count) | \(Self.fmt(f.median)) \(f.unit) | \(Self.fmt(f.p95)) \(f.unit) | \(f.target) | "
                + (f.met.map { $0 ? "met" : "**missed**" } ?? "") + " |"
        }
    }

    var table: String {
        (["| figure | n | median | p95 | target | |", "|---|---|---|---|---|---|"] + rows).joined(separator: "\n")
    }

    var markdown: String {
        var md = """
            # Ward benchmarks

            Written by `make bench` (`ward bench`, Sources/ward/Bench.swift). Re-run it rather than
            editing this file.

            - Date: \(ISO8601DateFormatter().string(from: Date()))
            - Command: `\(command)`
            - Machine: \(Machine.describe)
            - PostgreSQL: a throwaway cluster (Unix socket; `fsync` and `synchronous_commit` off, as
              for every test cluster, so write figures measure locking and hashing, not the disk).
            - Data: \(sizes.map { "\($0.1) \($0.0.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ")),
              loaded in \(String(format: "%.0f", seedSeconds)) s by `ward seed`.

            ## Figures

            \(table)

            ## Notes

            """
        md += notes.map { "- \($0)\n" }.joined()
        md += "\n## Plans (EXPLAIN ANALYZE)\n"
        for (title, plan) in plans {
            md += "\n### \(title)\n\n```\n\(plan)\n```\n"
        }
        return md
    }
}

enum Machine {
    static var describe: String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let mem = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[1]) }
            .map { String(format: "%.1f GiB RAM", Double($0) / 1048576) } ?? "unknown RAM"
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?
            .split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (nproc), \(cpu), \(mem); "
            + "load average at the end \(load) (the machine was shared with other work when the load exceeds the cores)"
    }
}
#endif
