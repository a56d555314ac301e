import ArgumentParser
import FerryAPI
import FerryClient
import Foundation

/// `ferry status`: a payment and its timeline (`GET /v1/payments/{id}` and its event stream).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a payment and its timeline; --follow waits for it to finish.")

    @OptionGroup var server: ServerOptions

    @Argument(help: ArgumentHelp("The payment id (pay_...), as `ferry pay` printed it.", valueName: "payment-id"))
    var paymentID: String

    @Flag(help: "Follow the payment's events until it finishes (a live progress line on a terminal).")
    var follow = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard !paymentID.isEmpty, paymentID.count <= 200, !paymentID.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw ValidationError("PAYMENT_ID must be a payment id like pay_..., not \"\(paymentID)\"")
        }
    }

    func run() async throws {
        try await reportingProblems(output) {
            let client = try server.client()
            let payment = try await client.payment(paymentID)
            if follow && !payment.finished {
                if !output.json { Console.line(PaymentText.payment(payment) + "\n\nTimeline") }
                let final = try await PaymentFollower(client: client, mode: PaymentFollower.mode(json: output.json)).follow(payment)
                try PayCommand.finish(final, output)
                return
            }
            if output.json {
                try Console.serverJSON(payment)
                return
            }
            let (events, final) = try await PaymentFollower(client: client, mode: .lines).timeline(paymentID)
            Console.line(PaymentText.payment(final ?? payment))
            Console.line("\nTimeline\n" + PaymentText.timeline(events))
        }
    }
}
