import ArgumentParser
import FerryCore
import FerryCrypto
import Foundation

/// The README's main job. Today it walks the cryptographic core a payment rests on: a keystore, a transfer,
/// its message id, k-of-n relayer attestations and the recovery a gateway does to verify them.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A guided tour: keystore, transfer, message id, 3-of-5 attestations, signer recovery.")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingErrors(output) {
            let steps = try DemoScript().run()
            try output.emit(steps) { steps.map(\.text).joined(separator: "\n\n") }
        }
    }
}

struct DemoStep: Encodable {
    let title: String
    let facts: [String: String]
    let order: [String]

    var text: String {
        let width = order.map(\.count).max() ?? 0
        let lines = order.map { "  " + $0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (facts[$0] ?? "") }
        return "== \(title)\n" + lines.joined(separator: "\n")
    }

    init(_ title: String, _ pairs: [(String, String)]) {
        self.title = title
        order = pairs.map(\.0)
        facts = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }

    private enum CodingKeys: String, CodingKey { case title, facts }
}

struct DemoScript {
    func run() throws -> [DemoStep] {
        var steps: [DemoStep] = []

        // 1. The agent's wallet key, kept encrypted at rest.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keystorePath = dir.appendingPathComponent("agent.json").path
        let password = "demo password (use FERRY_PASSWORD in real life)"
        let agentKey = try PrivateKey.generate()
        try KeystoreFile.write(try Keystore.encrypt(agentKey, password: password, kdf: .scrypt(n: 4096, r: 8, p: 1)), to: keystorePath)
        let reopened = try Keystore.decrypt(json: try KeystoreFile.read(keystorePath), password: password)
        let wrongPassword: String
        do {
            _ = try Keystore.decrypt(json: try KeystoreFile.read(keystorePath), password: "guess")
            wrongPassword = "accepted (this would be a bug)"
        } catch {
            wrongPassword = "refused: \(error)"
        }
        steps.append(DemoStep("Agent wallet: a new key in a Web3 v3 keystore", [
            ("address", agentKey.address.checksummed),
            ("keystore", "scrypt + aes-128-ctr, keccak MAC, file mode 0600"),
            ("reopened", reopened.address == agentKey.address ? "same address after decrypting" : "MISMATCH"),
            ("wrong password", wrongPassword),
        ]))

        // 2. The payment: 12.5 USDC from chain 1 to a compute provider on chain 8453.
        let usdcDecimals = 6
        let gateway = try EthereumAddress(hex: "0x" + String(repeating: "0", count: 36) + "fe44")
        let provider = try Address(hex: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
        let transfer = Transfer(
            sourceChain: 1, destChain: 8453, nonce: 42,
            sender: Address(agentKey.address.bytes32), receiver: provider,
            sourceAsset: try Bytes32(leftPadding: Hex.decode("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")),
            destAsset: try Bytes32(leftPadding: Hex.decode("0x833589fcd6edb6e08f4c7c32d4f71b54bda02913")),
            amount: try Amount(decimal: "12.5", decimals: usdcDecimals),
            fee: try Amount(decimal: "0.0125", decimals: usdcDecimals),
            deadline: UInt64(Date().timeIntervalSince1970) + 3600,
            payloadHash: Keccak256.hash("job 7: render frame 1024, result hash committed"))
        let messageId = transfer.messageId
        steps.append(DemoStep("Transfer: deliver 12.5 USDC on chain 8453, paying from chain 1", [
            ("amount", "\(transfer.amount) smallest units (\(transfer.amount.formatted(decimals: usdcDecimals)) USDC)"),
            ("fee", "\(transfer.fee) (\(transfer.fee.formatted(decimals: usdcDecimals)) USDC)"),
            ("abi.encode", "\(transfer.abiEncoded.count) bytes"),
            ("messageId", messageId.hex),
        ]))

        // 3. Five relayers attest the lock in the destination gateway's EIP-712 domain; three sign.
        let domain = EIP712Domain.ferry(chainId: transfer.destChain.rawValue, gateway: gateway)
        let digest = FerryAttestation.release(messageId: messageId).digest(in: domain)
        let relayers = try (0..<5).map { _ in try PrivateKey.generate() }
        let relayerSet = Set(relayers.map(\.address))
        let threshold = 3
        let signatures = try relayers.prefix(threshold).map { try $0.sign(digest: digest) }
        steps.append(DemoStep("Attest: 3 of 5 relayers sign Release(messageId)", [
            ("domain", "Ferry v1, chain \(domain.chainId), gateway \(gateway.checksummed)"),
            ("digest", digest.hex),
        ] + signatures.enumerated().map { ("signature \($0.offset + 1)", Hex.prefixed($0.element.rsv)) }))

        // 4. The destination gateway's check: recover each signer, members only, distinct, k of them.
        var recovered: [EthereumAddress] = []
        for signature in signatures {
            let signer = try signature.recoverAddress(digest: digest)
            if relayerSet.contains(signer), !recovered.contains(signer) { recovered.append(signer) }
        }
        var tampered = signatures[0].rsv
        tampered[40] ^= 0x01
        let tamperedSigner = (try? Signature(rsv: tampered).recoverAddress(digest: digest))
        let otherDomain = FerryAttestation.release(messageId: messageId).digest(in: .ferry(chainId: 10, gateway: gateway))
        let wrongDomainSigner = try signatures[0].recoverAddress(digest: otherDomain)
        steps.append(DemoStep("Verify: what the gateway does before paying", [
            ("valid signers", "\(recovered.count) of \(relayers.count) (threshold \(threshold)): "
                + (recovered.count >= threshold ? "release accepted" : "release refused")),
            ("tampered signature", tamperedSigner.map { relayerSet.contains($0) ? "still a member (bug)" : "recovers a stranger \($0.checksummed): not counted" } ?? "rejected as malformed"),
            ("replayed on chain 10", relayerSet.contains(wrongDomainSigner) ? "accepted (bug)" : "recovers a stranger: not counted"),
        ]))
        return steps
    }
}
