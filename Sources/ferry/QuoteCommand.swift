import ArgumentParser
import FerryAPI
import FerryClient
import Foundation

/// `ferry quote`: ask a running `ferry serve` for a quote (`POST /v1/quotes`); nothing is stored or reserved.
struct QuoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Quote a payment on a running `ferry serve`: hops with fees, totals, ETA, the policy's verdict.",
        discussion: "Example: ferry quote --from 1:USDC --to 8453:USDC --amount 12.5 --receiver 0x00..aa")

    @OptionGroup var server: ServerOptions
    @OptionGroup var request: PaymentRequestOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingProblems(output) {
            let quote = try await server.client().quote(try request.request())
            if output.json { try Console.serverJSON(quote) } else { Console.line(PaymentText.quote(quote)) }
        }
    }
}
