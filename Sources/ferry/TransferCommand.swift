import ArgumentParser
import FerryCore
import FerryCrypto
import Foundation

struct TransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Inspect transfers: message ids and the digests relayers sign.",
        subcommands: [ID.self])

    struct ID: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "id",
            abstract: "Print a transfer's messageId and its EIP-712 Release and Cancel digests.",
            discussion: """
                FILE is a transfer as JSON: {"sourceChain":1,"destChain":8453,"nonce":7,"sender":"0x..",
                "receiver":"0x..","sourceAsset":"0x..","destAsset":"0x..","amount":"12500000","fee":"1000",
                "deadline":1800000000,"payloadHash":"0x.."}. Integers are numbers; amounts are base-10 strings of
                smallest units; addresses and assets are 20- or 32-byte hex. payloadHash and version are optional.
                """)

        @Argument(help: "The transfer JSON file.")
        var file: String

        @Option(name: .long, help: "Chain id of the EIP-712 domain (default: the transfer's destChain).")
        var destChainId: UInt64?

        @Option(name: .long, help: "Destination gateway address (the EIP-712 verifyingContract).")
        var gateway: String

        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (try? EthereumAddress(hex: gateway)) != nil else {
                throw ValidationError("--gateway must be a 20-byte hex address with a valid EIP-55 checksum if mixed-case, got \"\(gateway)\"")
            }
        }

        func run() async throws {
            try await reportingErrors(output) {
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
                let transfer: Transfer
                do {
                    transfer = try JSONDecoder().decode(Transfer.self, from: data)
                } catch let error as DecodingError {
                    throw CLIError("\(file): \(DecodingErrorText(error))")
                }
                let domain = EIP712Domain.ferry(chainId: destChainId ?? transfer.destChain.rawValue, gateway: try EthereumAddress(hex: gateway))
                let view = TransferIDView(
                    messageId: transfer.messageId.hex,
                    releaseDigest: FerryAttestation.release(messageId: transfer.messageId).digest(in: domain).hex,
                    cancelDigest: FerryAttestation.cancel(messageId: transfer.messageId).digest(in: domain).hex,
                    domainChainId: domain.chainId,
                    gateway: try EthereumAddress(hex: gateway).checksummed)
                try output.emit(view) {
                    """
                    messageId      \(view.messageId)
                    release digest \(view.releaseDigest)
                    cancel digest  \(view.cancelDigest)
                    domain         Ferry v1, chain \(view.domainChainId), gateway \(view.gateway)
                    """
                }
            }
        }
    }
}

struct TransferIDView: Encodable {
    let messageId: String
    let releaseDigest: String
    let cancelDigest: String
    let domainChainId: UInt64
    let gateway: String
}

/// A decoding error as one sentence naming the JSON path.
struct DecodingErrorText: CustomStringConvertible {
    let error: DecodingError
    init(_ error: DecodingError) { self.error = error }

    var description: String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, ctx): return "missing field \"\(path(ctx.codingPath + [key]))\""
        case let .typeMismatch(_, ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        case let .valueNotFound(_, ctx): return "\(path(ctx.codingPath)) is null"
        case let .dataCorrupted(ctx): return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }
}
