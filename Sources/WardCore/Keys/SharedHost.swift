import Foundation

/// Shared hosts: many staff log in to one machine and run `ward`, but none of them may read
/// the master key. The binary is installed setgid to a `ward` group that alone may read the
/// key file (mode 640); at start, before parsing any argument, Ward reads the key and
/// drops the group for good (real, effective and saved group ids), so nothing the user
/// asks for later (a config file, a theme path) is read with the group's rights.
public enum SharedHost {
    /// Where a setgid `ward` reads the key: WARD_KEY_FILE, else this path. A user's own
    /// config file is not consulted: it is read only after the group is dropped.
    public static let systemKeyPath = "/etc/ward/master.key"

    /// The key read at start by a setgid binary, or why it could not be read; nil when the
    /// binary is not running setgid (the key is then read later, with the user's own rights).
    /// Written once in `start()`, before any other thread exists.
    nonisolated(unsafe) public private(set) static var preloaded: Result<MasterKey, KeyError>?

    public static var isSetgid: Bool { getegid() != getgid() }

    /// Call first thing in main: when setgid, reads the key and drops the group at once.
    public static func start(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard isSetgid else { return }
        let path = environment["WARD_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? systemKeyPath
        do {
            preloaded = .success(try MasterKey.load(from: path))
        } catch let e as KeyError {
            preloaded = .failure(e)
        } catch {
            preloaded = .failure(.unreadable(path, "\(error)"))
        }
        dropGroup()
    }

    /// Gives up the setgid group: real, effective and saved group ids all become the real
    /// one, so it cannot be taken back. Exits if that fails: running on with the group
    /// would expose the key file to whatever the user asks for next.
    static func dropGroup() {
        let gid = getgid()
        // Setting the real id makes Linux set the saved id to the new effective one as well.
        guard setregid(gid, gid) == 0, getegid() == gid else {
            FileHandle.standardError.write(Data("ward: could not drop the ward group: \(String(cString: strerror(errno)))\n".utf8))
            exit(1)
        }
    }

    /// The `Gid:` line of /proc/self/status (real, effective, saved, filesystem), for
    /// `ward keys check` and the tests.
    public static func groupIDs() -> [Int] {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Gid:") }) else { return [] }
        return line.dropFirst(4).split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }
    }
}
