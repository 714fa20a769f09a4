import Foundation

/// Where the terminal connects: `--dsn`, else the config file's `dsn`, else libpq's own
/// defaults when the environment names a server (PG* variables, a service). With none of
/// these there is nothing sensible to try, and the user is told how to connect.
public enum ConnectionTarget: Equatable {
    case dsn(String)
    case libpqDefaults
    case none

    /// The libpq variables that mean "the user has pointed libpq somewhere".
    static let libpqVariables = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE",
                                 "PGSERVICEFILE"]

    public static func resolve(flag: String?, configDSN: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> ConnectionTarget {
        if let flag, !flag.isEmpty { return .dsn(flag) }
        if let configDSN, !configDSN.isEmpty { return .dsn(configDSN) }
        if libpqVariables.contains(where: { !(environment[$0] ?? "").isEmpty }) { return .libpqDefaults }
        return .none
    }

    public var conninfo: String? {
        switch self {
        case .dsn(let s): return s
        case .libpqDefaults: return ""
        case .none: return nil
        }
    }

    public static let guidance = """
        ward: no database to connect to.

        Tell Ward where the clinic database is, in one of these ways:
          ward --dsn 'host=db.example dbname=ward user=ward_app sslmode=verify-full'
          dsn = "..." in ~/.config/ward/config.toml
          the PGHOST, PGDATABASE, PGUSER (or PGSERVICE) variables, as for psql

        To try Ward on this machine with demo clinics and a throwaway database:
          ward demo
        """
}
