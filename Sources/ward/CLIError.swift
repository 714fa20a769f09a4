import ArgumentParser

/// A failure explained in one sentence to the person at the command line; exits 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
