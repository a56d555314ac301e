import FerryCrypto
import Testing
import FerryTestSupport

/// `count` bytes of the pattern byte i = i % 251 (251 is prime, so the pattern never aligns with the 136-byte rate).
func patternBytes(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8($0 % 251) }
}

@Suite("Keccak-256")
struct KeccakTests {
    @Test("known answers for short inputs", arguments: [
        ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        ("The quick brown fox jumps over the lazy dog", "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
    ])
    func knownAnswers(input: String, expected: String) {
        #expect(Keccak256.hash(input).hex == "0x" + expected)
        #expect(Keccak256.hash(Array(input.utf8)).hex == "0x" + expected)
    }

    // Expected values from pycryptodome's Crypto.Hash.keccak (digest_bits=256) over patternBytes(n).
    static let boundaryVectors: [(Int, String)] = [
        (130, "cb1d730b4688fabca417df2a628afa988d102a272d63a2cf4643201f55e8ebd4"),
        (131, "54151fff7e44e6fd0fb584b5172d04e527d8beaca7eaf77e87dfad11ccc7080e"),
        (132, "32a6b70d23696fa331926ed604a426ec97d1c965bfeb10dd40af03eca6012c4c"),
        (133, "3f3d3c929859088646811ba513126cf37aea039443546420ac6295139ab2439d"),
        (134, "861e165162f806cd361c4421a48f205820ddf4deb02db9f041f48e179ddada97"),
        (135, "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62"),
        (136, "7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e"),
        (137, "ac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db"),
        (138, "9dff24f078dfc5f2858894ee1f79728c3e4be850a0fccc5929bba850ca98efa1"),
        (139, "5a6a8229f2ecb58e9f7ba0779fa6f961c4d339aea61c267d7c091a97bf411dc2"),
        (140, "d0f5f9ecaa5aa64876e1352a32dd5dae0cdf0fa4715e46743aff00eb63f961ad"),
        (141, "bfb044fc0b42155f328a9f1af2178789896ba22340d8c8f0de2e855793cc53f7"),
        (142, "2ca67e636ed1bd37bdf7fbb0c6f0bbf0b3224b06be8f4d01bfb1beb3e9c6a287"),
        (143, "f1c4711a2aa3eb612d59ddbc7c6e8ea7b0025a3ed13bd45ee926823e1d13624f"),
        (144, "36b6c310c763efcdcd51591b27ac640ec854bf8da8e413f4cc0f4a29e2a48dbc"),
        (145, "231243f69471e71259e4548fc86c73ad2ababe26f06ef5f99962a445ae2f2bee"),
        (270, "1e30174e493ae0f19d897735864772544ad00019213ffb21ec1d6df751fd3fda"),
        (271, "27eceb59ebc3dc8a04a5b135be641591a7278540e4556a2ba9f408194e666ec3"),
        (272, "8e2476e65823b24d96ebe239f2c1534cdf763e689e2410c3b1cb0c74e6177bfc"),
        (273, "3f02f134370e4debb95140ef49ddd3aed8c65ff1ed83a43f1b269421f179c5f9"),
        (274, "e1d7819d1400964162ede3aaf18475d26482e36f8830e31b7680e3729dad9261"),
        (275, "5533de80231b2cfada762e745fa01406f16c01355987404b1fd33791ea8097c0"),
    ]

    @Test("sizes around one and two 136-byte blocks match pycryptodome", arguments: boundaryVectors)
    func blockBoundaries(size: Int, expected: String) {
        let input = patternBytes(size)
        #expect(Keccak256.hash(input).hex == "0x" + expected)
        var hasher = Keccak256()
        hasher.update(input)
        #expect(hasher.finalize().hex == "0x" + expected)
    }

    @Test("1 MiB input matches pycryptodome")
    func oneMebibyte() {
        let input = patternBytes(1 << 20)
        #expect(Keccak256.hash(input).hex == "0x2fd6b833d9e25ae8d7dda1c3ed07af04df131ce89010c888534d4e825e40e875")
    }

    @Test("incremental updates in random chunk sizes equal the one-shot hash", arguments: [1, 7, 42, 2024, 90210])
    func incremental(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let input = patternBytes(4000 + Int(rng.next() % 1000))
        var hasher = Keccak256()
        var offset = 0
        while offset < input.count {
            let size = min(Int(rng.next() % 300), input.count - offset)  // includes empty updates
            hasher.update(input[offset..<(offset + size)])
            offset += size
        }
        #expect(hasher.finalize() == Keccak256.hash(input), "seed \(seed)")
    }

    @Test("non-contiguous collections hash like arrays")
    func nonContiguous() {
        let input = patternBytes(300)
        #expect(Keccak256.hash(input.lazy.map { $0 }) == Keccak256.hash(input))
    }
}
