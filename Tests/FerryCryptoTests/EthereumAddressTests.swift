import FerryCrypto
import Testing

@Suite("Ethereum addresses (EIP-55)")
struct EthereumAddressTests {
    // From EIP-55: all caps, all lower, and normal (mixed-case) checksummed addresses.
    static let eip55Examples = [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]

    @Test("EIP-55 examples parse and print back exactly", arguments: eip55Examples)
    func checksumRoundTrip(example: String) throws {
        let address = try EthereumAddress(hex: example)
        #expect(address.checksummed == example)
        // The same address given in all-lower and all-upper case is accepted too.
        let digits = example.dropFirst(2)
        #expect(try EthereumAddress(hex: "0x" + digits.lowercased()) == address)
        #expect(try EthereumAddress(hex: "0x" + digits.uppercased()) == address)
        #expect(try EthereumAddress(hex: String(digits)) == address)
    }

    @Test("a mixed-case address with a wrong checksum is rejected, naming the right form", arguments: [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
        ("0xFb6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"),
        ("0xdbf03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"),
    ])
    func badChecksum(text: String, expected: String) {
        #expect(throws: CryptoError.badChecksum(text: text, expected: expected)) { try EthereumAddress(hex: text) }
        #expect(CryptoError.badChecksum(text: text, expected: expected).description.contains(expected))
    }

    @Test("malformed address text is rejected with a typed error", arguments: [
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", CryptoError.invalidLength(what: "Ethereum address", expected: 20, actual: 19)),
        ("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00", CryptoError.invalidLength(what: "Ethereum address", expected: 20, actual: 21)),
        ("", CryptoError.invalidLength(what: "Ethereum address", expected: 20, actual: 0)),
    ])
    func badLength(text: String, error: CryptoError) {
        #expect(throws: error) { try EthereumAddress(hex: text) }
    }

    @Test("non-hex and odd-length address text is rejected as invalid hex", arguments: [
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae", "zz",
    ])
    func badHex(text: String) {
        #expect {
            try EthereumAddress(hex: text)
        } throws: { error in
            guard case .invalidHex = error as? CryptoError else { return false }
            return true
        }
    }

    @Test("bytes, bytes32 and hex views agree")
    func views() throws {
        let address = try EthereumAddress(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        #expect(address.bytes.count == 20)
        #expect(address.bytes32.bytes == [UInt8](repeating: 0, count: 12) + address.bytes)
        #expect(address.lowercaseHex == "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
        #expect(try EthereumAddress(bytes: address.bytes) == address)
        #expect(throws: CryptoError.invalidLength(what: "Ethereum address", expected: 20, actual: 32)) {
            try EthereumAddress(bytes: address.bytes32.bytes)
        }
        #expect("\(address)" == "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    }
}
