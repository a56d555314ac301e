import ArgumentParser

@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Cross-chain payments for software agents.",
        subcommands: [RouteCommand.self])
}
