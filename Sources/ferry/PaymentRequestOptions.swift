import ArgumentParser
import FerryAPI
import Foundation

/// The fields of a `POST /v1/quotes` body (shared with `POST /v1/payments`) as options.
struct PaymentRequestOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Asset leaving the agent's wallet, CHAIN:ASSET with a chain id (1:USDC).", valueName: "chain:asset"))
    var from: String

    @Option(help: ArgumentHelp("Asset the receiver gets, CHAIN:ASSET (8453:USDC).", valueName: "chain:asset"))
    var to: String

    @Option(help: ArgumentHelp("Exact amount delivered, decimal in whole units of --to (12.5).", valueName: "decimal"))
    var amount: String

    @Option(help: ArgumentHelp("Who is paid, 0x + 40 hex digits. Optional with --service (the provider is paid via escrow).",
                               valueName: "0x.."))
    var receiver: String?

    @Option(help: ArgumentHelp("Escrow: the provider's service id (gpu-inference-a100); needs --provider and --delivery-seconds.",
                               valueName: "id"))
    var service: String?

    @Option(help: ArgumentHelp("Escrow: where the provider is paid on the destination chain, 0x hex.", valueName: "0x.."))
    var provider: String?

    @Option(name: .customLong("delivery-seconds"), help: "Escrow: seconds after funding by which delivery must be confirmed.")
    var deliverySeconds: UInt64?

    @Option(help: ArgumentHelp("Escrow: result_hash (commit --result-hash) or provider_receipt (--provider-key signs).",
                               valueName: "kind"))
    var verification: String = "result_hash"

    @Option(name: .customLong("result-hash"), help: ArgumentHelp("Escrow: keccak-256 of the expected result, 0x + 64 hex.", valueName: "0x.."))
    var resultHash: String?

    @Option(name: .customLong("provider-key"), help: ArgumentHelp("Escrow: the provider's receipt-signing address.", valueName: "0x.."))
    var providerKey: String?

    static let verifications = ["result_hash", "provider_receipt"]

    var isEscrow: Bool {
        service != nil || provider != nil || deliverySeconds != nil || resultHash != nil || providerKey != nil
    }

    func validate() throws {
        _ = try Self.asset(from, "--from")
        _ = try Self.asset(to, "--to")
        guard Self.isDecimal(amount) else {
            throw ValidationError("--amount must be a positive decimal in whole units like 12.5, not \"\(amount)\"")
        }
        if let receiver { try Self.hex(receiver, bytes: 20, "--receiver") }
        if isEscrow {
            guard service?.isEmpty == false, let provider, deliverySeconds != nil else {
                throw ValidationError("an escrow payment needs --service, --provider and --delivery-seconds")
            }
            try Self.hex(provider, bytes: 20, "--provider")
            guard Self.verifications.contains(verification) else {
                throw ValidationError("--verification must be result_hash or provider_receipt, not \"\(verification)\"")
            }
            if verification == "result_hash" {
                guard let resultHash else { throw ValidationError("--verification result_hash needs --result-hash") }
                try Self.hex(resultHash, bytes: 32, "--result-hash")
            } else {
                guard let providerKey else { throw ValidationError("--verification provider_receipt needs --provider-key") }
                try Self.hex(providerKey, bytes: 20, "--provider-key")
            }
        } else if receiver == nil {
            throw ValidationError("--receiver is required (or pay a service through escrow with --service/--provider)")
        }
    }

    /// The request body.
    func request() throws -> APIPaymentRequest {
        var escrow: APIEscrowTerms?
        if isEscrow, let service, let provider, let deliverySeconds {
            escrow = APIEscrowTerms(serviceID: service, provider: provider, deliverySeconds: deliverySeconds,
                                    verification: verification, resultHash: resultHash, providerKey: providerKey)
        }
        return APIPaymentRequest(from: try Self.asset(from, "--from"), to: try Self.asset(to, "--to"), amount: amount,
                                 receiver: receiver, escrow: escrow)
    }

    // MARK: Parsing

    /// `1:USDC` -> chain 1, asset USDC.
    static func asset(_ text: String, _ option: String) throws -> APIAsset {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let chain = UInt64(parts[0]), !parts[1].isEmpty,
              parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }) else {
            throw ValidationError("\(option) must be CHAIN:ASSET with a numeric chain id, like 1:USDC, not \"\(text)\"")
        }
        return APIAsset(chain: chain, asset: String(parts[1]))
    }

    /// Digits, optionally a point and more digits, and not zero. Decimal places per asset are the server's to check.
    static func isDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return false }
        return text.contains(where: { $0 != "0" && $0 != "." })
    }

    static func hex(_ text: String, bytes: Int, _ option: String) throws {
        let digits = text.dropFirst(2)
        guard text.hasPrefix("0x"), digits.count == bytes * 2, digits.allSatisfy(\.isHexDigit) else {
            throw ValidationError("\(option) must be 0x followed by \(bytes * 2) hex digits, not \"\(text)\"")
        }
    }
}
