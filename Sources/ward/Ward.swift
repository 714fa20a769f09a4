import ArgumentParser

@main
struct Ward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ward",
        abstract: "Ward: the clinic staff terminal on a multi-tenant PostgreSQL platform.",
        subcommands: [Migrate.self, Seed.self, Keys.self, Sandbox.self, UIPreview.self]
    )
}
