import ArgumentParser
import FerryAPI
import FerryClient
import Foundation

/// `ferry pay`: pay through a running `ferry serve` (`POST /v1/payments`) with an idempotency key, optionally
/// following the payment to a final state.
struct PayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pay",
        abstract: "Pay through a running `ferry serve`; --wait follows the payment until it is delivered or refunded.",
        discussion: """
        Without --idempotency-key a new key is generated and printed (on stderr under --json): pay again with that \
        key to retry safely, the server returns the same payment. With --wait the exit code is 0 only when the \
        payment ends delivered (and its escrow, if any, paid to the provider).
        """)

    @OptionGroup var server: ServerOptions
    @OptionGroup var request: PaymentRequestOptions

    @Option(name: .customLong("idempotency-key"), help: ArgumentHelp("Reuse to retry without paying twice (default: a new UUID, printed).",
                                                                      valueName: "key"))
    var idempotencyKey: String?

    @Option(name: .customLong("quote-id"), help: ArgumentHelp("Pay on exactly this earlier quote (from `ferry quote`).", valueName: "id"))
    var quoteID: String?

    @Flag(help: "Confirm explicitly a payment above the policy's confirmation threshold.")
    var confirm = false

    @Option(name: .customLong("deadline-seconds"), help: "Seconds the bridge has to deliver before the lock may be refunded (server default 3600).")
    var deadlineSeconds: UInt64?

    @Flag(help: "Follow the payment's events until it finishes (a live progress line on a terminal).")
    var wait = false

    @OptionGroup var output: OutputOptions

    /// Longest idempotency key accepted (the server's limit too).
    static let maxKey = 128

    func validate() throws {
        if let key = idempotencyKey {
            guard !key.isEmpty, key.count <= Self.maxKey, key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw ValidationError("--idempotency-key must be 1...\(Self.maxKey) printable ASCII characters without spaces")
            }
        }
        if let quoteID, quoteID.isEmpty { throw ValidationError("--quote-id must not be empty") }
        if let deadlineSeconds, deadlineSeconds == 0 { throw ValidationError("--deadline-seconds must be at least 1") }
    }

    func run() async throws {
        try await reportingProblems(output) {
            var body = try request.request()
            body.quoteID = quoteID
            body.confirm = confirm ? true : nil
            body.deadlineSeconds = deadlineSeconds
            let key = idempotencyKey ?? UUID().uuidString.lowercased()
            if idempotencyKey == nil {
                let note = "idempotency key: \(key)  (retry with --idempotency-key \(key) to get the same payment)"
                if output.json { Console.err(note) } else { Console.line(note) }
            }
            let client = try server.client()
            let payment = try await client.pay(body, idempotencyKey: key)
            guard wait, !payment.finished else {
                try Self.show(payment, output)
                if payment.state == "awaiting_confirmation" { Console.err(Self.confirmationNote) }
                return
            }
            if payment.state == "awaiting_confirmation" {
                try Self.show(payment, output)
                Console.err(Self.confirmationNote)
                throw ExitCode(1)
            }
            if !output.json { Console.line(PaymentText.payment(payment) + "\n\nTimeline") }
            let final = try await PaymentFollower(client: client, mode: PaymentFollower.mode(json: output.json)).follow(payment)
            try Self.finish(final, output)
        }
    }

    static let confirmationNote = "the payment is above the policy's confirmation threshold: pay again with --confirm "
        + "(and a new --idempotency-key)"

    static func show(_ payment: APIPayment, _ output: OutputOptions) throws {
        if output.json { try Console.serverJSON(payment) } else { Console.line(PaymentText.payment(payment)) }
    }

    /// Prints the final payment; exit code 1 unless it was delivered (and its escrow, if any, paid the provider).
    static func finish(_ final: APIPayment, _ output: OutputOptions) throws {
        if output.json { try Console.serverJSON(final) } else { Console.line("\n" + PaymentText.payment(final)) }
        guard final.state == "delivered", final.escrow.map({ $0.state == "paid_to_provider" }) ?? true else {
            if !output.json { Console.err("payment \(final.id) ended \(final.state)" + (final.escrow.map { ", escrow \($0.state)" } ?? "")) }
            throw ExitCode(1)
        }
    }
}
