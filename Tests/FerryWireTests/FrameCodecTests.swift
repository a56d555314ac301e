import FerryCore
import FerryCrypto
@testable import FerryWire
import Foundation
import Testing
import FerryTestSupport

@Suite("Frame codec")
struct FrameCodecTests {
    @Test("every frame kind survives an encode/decode round trip", arguments: try Samples.allFrames())
    func roundTrip(frame: Frame) throws {
        let bytes = FrameCodec.encode(frame)
        #expect(bytes[0] == FrameCodec.version)
        #expect(bytes[1] == frame.kind.rawValue)
        #expect(bytes.count <= FrameCodec.maxFrameSize)
        #expect(try FrameCodec.decode(bytes) == frame)
    }

    @Test("payload sizes are the documented ones")
    func sizes() throws {
        #expect(FrameCodec.encode(.attestation(try Samples.attestation(withTransfer: false))).count == 129)
        #expect(FrameCodec.encode(.attestation(try Samples.attestation(withTransfer: true))).count == 513)
        #expect(FrameCodec.encode(.hello(try Samples.status(heads: 0))).count == 44)
        #expect(FrameCodec.encode(.heartbeat(try Samples.status(heads: 32))).count == 44 + 32 * 16)
        #expect(FrameCodec.encode(.request(try Samples.request(ids: 1))).count == 35)
        #expect(FrameCodec.encode(.request(try Samples.request(ids: 64))).count == 3 + 64 * 32)
        #expect(FrameCodec.encode(.attestations(try Samples.batch(1))).count == 3 + 126)
        #expect(FrameCodec.encode(.attestations(try Samples.batch(32))).count == 4035)
    }

    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let reason: FrameError.Reason
        var testDescription: String { name }
    }

    static var malformed: [Malformed] {
        let attestation = FrameCodec.encode(.attestation((try? Samples.attestation(withTransfer: true))!))
        let plain = FrameCodec.encode(.attestation((try? Samples.attestation(withTransfer: false))!))
        let status = FrameCodec.encode(.hello((try? Samples.status(heads: 2))!))
        let request = FrameCodec.encode(.request((try? Samples.request(ids: 2))!))
        let batch = FrameCodec.encode(.attestations((try? Samples.batch(2))!))
        func patched(_ b: [UInt8], _ at: Int, _ value: UInt8) -> [UInt8] { var c = b; c[at] = value; return c }
        return [
            Malformed(name: "empty", bytes: [], reason: .truncated),
            Malformed(name: "version only", bytes: [1], reason: .truncated),
            Malformed(name: "oversized", bytes: [1, 3] + [UInt8](repeating: 0, count: 4095), reason: .oversized),
            Malformed(name: "version 2", bytes: patched(plain, 0, 2), reason: .wrongVersion),
            Malformed(name: "version 0", bytes: [0, 3], reason: .wrongVersion),
            Malformed(name: "kind 0x7f", bytes: [1, 0x7f, 0, 0], reason: .unknownKind),
            Malformed(name: "kind 0", bytes: [1, 0], reason: .unknownKind),
            Malformed(name: "attestation cut by one", bytes: Array(plain.dropLast()), reason: .truncated),
            Malformed(name: "attestation with a trailing byte", bytes: plain + [0], reason: .badLength),
            Malformed(name: "attestation flag 1 without transfer", bytes: patched(plain, 128, 1), reason: .truncated),
            Malformed(name: "attestation flag 0 with transfer", bytes: patched(attestation, 128, 0), reason: .badLength),
            Malformed(name: "attestation flag 2", bytes: patched(plain, 128, 2), reason: .badField),
            Malformed(name: "attestation action 0", bytes: patched(plain, 42, 0), reason: .badField),
            Malformed(name: "attestation action 4", bytes: patched(plain, 42, 4), reason: .badField),
            Malformed(name: "signature v 0", bytes: patched(plain, 127, 0), reason: .badField),
            Malformed(name: "zero signer", bytes: Array(plain[0..<43]) + [UInt8](repeating: 0, count: 20) + Array(plain[63...]), reason: .badField),
            Malformed(name: "transfer for another chain", bytes: patched(attestation, 9, 0x06), reason: .badField),
            Malformed(name: "transfer hashing to another id", bytes: patched(attestation, 10, 0xEE), reason: .badField),
            Malformed(name: "transfer with a bad version word", bytes: patched(attestation, 129 + 31, 9), reason: .badField),
            Malformed(name: "hello cut in the header", bytes: Array(status.prefix(20)), reason: .truncated),
            Malformed(name: "hello head count 33", bytes: patched(status, 43, 33), reason: .badField),
            Malformed(name: "hello count larger than heads", bytes: patched(status, 43, 3), reason: .truncated),
            Malformed(name: "hello heads out of order", bytes: Array(status[0..<44]) + Array(status[60..<76]) + Array(status[44..<60]), reason: .badField),
            Malformed(name: "hello protocol version 0", bytes: patched(status, 34, 0), reason: .badField),
            Malformed(name: "request with no ids", bytes: [1, 4, 0], reason: .badField),
            Malformed(name: "request count 65", bytes: patched(request, 2, 65), reason: .badField),
            Malformed(name: "request duplicate ids", bytes: Array(request[0..<3]) + Array(request[3..<35]) + Array(request[3..<35]), reason: .badField),
            Malformed(name: "request cut", bytes: Array(request.dropLast(5)), reason: .truncated),
            Malformed(name: "batch with no entries", bytes: [1, 5, 0], reason: .badField),
            Malformed(name: "batch count 33", bytes: patched(batch, 2, 33), reason: .badField),
            Malformed(name: "batch count larger than entries", bytes: patched(batch, 2, 3), reason: .truncated),
            Malformed(name: "batch with a trailing byte", bytes: batch + [0], reason: .badLength),
            Malformed(name: "batch cut by one", bytes: Array(batch.dropLast()), reason: .truncated),
            Malformed(name: "batch entry 1 action 7", bytes: patched(batch, 3 + 126 + 40, 7), reason: .badField),
            Malformed(name: "batch entry 1 signature v 29", bytes: patched(batch, 3 + 126 + 125, 29), reason: .badField),
            Malformed(name: "batch entry 0 zero signer", bytes: Array(batch[0..<44]) + [UInt8](repeating: 0, count: 20) + Array(batch[64...]), reason: .badField),
        ]
    }

    @Test("malformed frames are rejected with the right reason and counted", arguments: malformed)
    func rejects(m: Malformed) {
        let counter = FrameRejectionCounter()
        #expect(throws: FrameError.self) { try FrameCodec.decode(m.bytes, counting: counter) }
        do {
            _ = try FrameCodec.decode(m.bytes)
        } catch {
            #expect(error.reason == m.reason, "\(m.name): \(error)")
        }
        #expect(counter.snapshot[m.reason] == 1)
        #expect(counter.snapshot.total == 1)
    }

    @Test("every truncation and extension of every valid frame is a frame or a counted error, never a crash")
    func truncationsAndExtensions() throws {
        let counter = FrameRejectionCounter()
        var rejected = 0
        for frame in try Samples.allFrames() {
            let bytes = FrameCodec.encode(frame)
            for cut in 0..<bytes.count {
                #expect(throws: FrameError.self) { try FrameCodec.decode(Array(bytes.prefix(cut)), counting: counter) }
                rejected += 1
            }
            for extra in 1...8 {
                #expect(throws: FrameError.self) {
                    try FrameCodec.decode(bytes + [UInt8](repeating: UInt8(extra), count: extra), counting: counter)
                }
                rejected += 1
            }
        }
        #expect(counter.snapshot.total == rejected)
    }

    @Test("seeded random byte strings and bit flips never crash the decoder")
    func fuzz() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["FERRY_FUZZ_SEED"] ?? "") ?? 0xF3_44_17
        var rng = SplitMix64(seed: seed)
        let counter = FrameRejectionCounter()
        let valid = try Samples.allFrames().map(FrameCodec.encode)
        var decoded = 0, rejected = 0
        for i in 0..<60_000 {
            var bytes: [UInt8]
            switch i % 3 {
            case 0:  // pure garbage of any length, sometimes with a plausible header
                bytes = (0..<Int(rng.next() % 700)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if bytes.count > 2, rng.next() % 2 == 0 { bytes[0] = 1; bytes[1] = UInt8(1 + rng.next() % 5) }
            case 1:  // a valid frame with a few bytes flipped
                bytes = valid[Int(rng.next() % UInt64(valid.count))]
                for _ in 0..<(1 + rng.next() % 4) { bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: 1 + rng.next() % 255) }
            default:  // a valid frame resized
                bytes = valid[Int(rng.next() % UInt64(valid.count))]
                let target = Int(rng.next() % UInt64(bytes.count * 2 + 1))
                if target < bytes.count { bytes.removeLast(bytes.count - target) } else { bytes += (0..<(target - bytes.count)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
            }
            do {
                let frame = try FrameCodec.decode(bytes, counting: counter)
                // Anything accepted must re-encode to the same bytes: one encoding per value.
                #expect(FrameCodec.encode(frame) == bytes, "seed \(seed), case \(i)")
                decoded += 1
            } catch {
                rejected += 1
            }
        }
        #expect(counter.snapshot.total == rejected, "seed \(seed)")
        #expect(rejected > 30_000, "seed \(seed): \(counter.snapshot)")
        #expect(decoded + rejected == 60_000)
    }

    @Test("the worked example in docs/wire.md is the codec's output byte for byte")
    func documentedExample() throws {
        let doc = try String(contentsOf: packageRoot.appendingPathComponent("docs/wire.md"), encoding: .utf8)
        guard let start = doc.range(of: "<!-- example-attestation-hex -->"),
              let end = doc.range(of: "<!-- /example-attestation-hex -->", range: start.upperBound..<doc.endIndex) else {
            Issue.record("docs/wire.md lacks the example-attestation-hex markers")
            return
        }
        let hex = doc[start.upperBound..<end.lowerBound].filter { $0.isHexDigit }
        let expected = FrameCodec.encode(.attestation(try Samples.attestation(withTransfer: true)))
        #expect(String(hex) == Hex.encode(expected))
        #expect(try FrameCodec.decode(Hex.decode(String(hex))) == .attestation(try Samples.attestation(withTransfer: true)))
    }
}

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
