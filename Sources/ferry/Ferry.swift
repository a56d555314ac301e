import ArgumentParser

@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Cross-chain payments for software agents.",
        discussion: "Run `ferry demo` for a guided tour; `ferry help <command>` for details.",
        subcommands: [
            DemoCommand.self, ServeCommand.self, QuoteCommand.self, PayCommand.self, StatusCommand.self,
            KeysCommand.self, TransferCommand.self, RouteCommand.self, DevnetCommand.self, RelayerCommand.self, BenchCommand.self,
        ])
}
