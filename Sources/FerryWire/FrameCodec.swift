public import FerryCore
public import FerryCrypto

/// Encodes ``Frame``s to the bytes of docs/wire.md and decodes any byte string totally.
///
/// Every frame is one ZeroMQ message part: `version (1 B) | kind (1 B) | payload`. Integers are unsigned
/// big-endian. Each kind's payload has an exact length (see the per-kind constants), and no frame exceeds
/// ``maxFrameSize``. Decoding checks, in order: size cap, version, kind, length, fields; the first failure
/// is the ``FrameError`` thrown.
public enum FrameCodec {
    /// The frame format version this build writes and reads.
    public static let version: UInt8 = 1
    /// Hard cap on one frame, in bytes; sockets set `ZMQ_MAXMSGSIZE` to it.
    public static let maxFrameSize = 4096
    /// Version and kind bytes.
    public static let headerSize = 2
    /// `hello`/`heartbeat` without heads: header + node id 32 + protocol version 1 + timestamp 8 + count 1.
    public static let nodeStatusBaseSize = headerSize + 32 + 1 + 8 + 1
    /// Bytes per chain head: chain id 8 + height 8.
    public static let chainHeadSize = 16
    /// `attestation` without the transfer: header + chain 8 + id 32 + action 1 + signer 20 + signature 65 + flag 1.
    public static let attestationSize = headerSize + 8 + 32 + 1 + 20 + 65 + 1
    /// `attestation` with the 384-byte ABI-encoded transfer appended.
    public static let attestationWithTransferSize = attestationSize + Transfer.encodedLength
    /// `request` without ids: header + count 1.
    public static let requestBaseSize = headerSize + 1
    /// `attestations` without entries: header + count 1.
    public static let batchBaseSize = headerSize + 1
    /// Bytes per `attestations` entry: chain 8 + id 32 + action 1 + signer 20 + signature 65.
    public static let batchEntrySize = 8 + 32 + 1 + 20 + 65

    /// The bytes of `frame` (never more than ``maxFrameSize``: the payload types enforce their caps).
    public static func encode(_ frame: Frame) -> [UInt8] {
        var out: [UInt8] = [version, frame.kind.rawValue]
        switch frame {
        case let .hello(status), let .heartbeat(status):
            out.reserveCapacity(nodeStatusBaseSize + chainHeadSize * status.heads.count)
            out += status.nodeId.bytes
            out.append(status.protocolVersion)
            append(status.timestampMillis, to: &out)
            out.append(UInt8(status.heads.count))
            for head in status.heads {
                append(head.chain.rawValue, to: &out)
                append(head.height, to: &out)
            }
        case let .attestation(a):
            out.reserveCapacity(a.transfer == nil ? attestationSize : attestationWithTransferSize)
            append(a.destChain.rawValue, to: &out)
            out += a.messageId.bytes
            out.append(a.action.rawValue)
            out += a.signer.bytes
            out += a.signature.bytes
            if let transfer = a.transfer {
                out.append(1)
                out += transfer.abiEncoded
            } else {
                out.append(0)
            }
        case let .request(r):
            out.append(UInt8(r.messageIds.count))
            for id in r.messageIds { out += id.bytes }
        case let .attestations(batch):
            out.reserveCapacity(batchBaseSize + batchEntrySize * batch.entries.count)
            out.append(UInt8(batch.entries.count))
            for a in batch.entries {
                append(a.destChain.rawValue, to: &out)
                out += a.messageId.bytes
                out.append(a.action.rawValue)
                out += a.signer.bytes
                out += a.signature.bytes
            }
        }
        return out
    }

    /// Decodes one frame, and counts the rejection in `counter` when it fails.
    public static func decode(_ bytes: [UInt8], counting counter: FrameRejectionCounter) throws(FrameError) -> Frame {
        do {
            return try decode(bytes)
        } catch {
            counter.record(error.reason)
            throw error
        }
    }

    /// Decodes one frame. Total: returns a frame or throws, for every input.
    /// - Throws: ``FrameError`` with the first problem found.
    public static func decode(_ bytes: [UInt8]) throws(FrameError) -> Frame {
        guard !bytes.isEmpty else { throw FrameError(.truncated, "empty message") }
        guard bytes.count <= maxFrameSize else {
            throw FrameError(.oversized, "\(bytes.count) bytes, the cap is \(maxFrameSize)")
        }
        guard bytes[0] == version else {
            throw FrameError(.wrongVersion, "version byte \(bytes[0]), this build reads \(version)")
        }
        guard bytes.count >= headerSize else { throw FrameError(.truncated, "1 byte, the header is \(headerSize)") }
        guard let kind = FrameKind(rawValue: bytes[1]) else {
            throw FrameError(.unknownKind, "kind byte 0x\(String(bytes[1], radix: 16))")
        }
        var reader = FrameReader(bytes: bytes, offset: headerSize)
        switch kind {
        case .hello: return .hello(try decodeStatus(&reader, kind))
        case .heartbeat: return .heartbeat(try decodeStatus(&reader, kind))
        case .attestation: return .attestation(try decodeAttestation(&reader))
        case .request: return .request(try decodeRequest(&reader))
        case .attestations: return .attestations(try decodeBatch(&reader))
        }
    }

    private static func decodeStatus(_ r: inout FrameReader, _ kind: FrameKind) throws(FrameError) -> NodeStatus {
        try r.require(total: nodeStatusBaseSize, kind)
        let nodeId = try r.bytes32()
        let protocolVersion = try r.u8()
        let timestamp = try r.u64()
        let count = Int(try r.u8())
        guard count <= NodeStatus.maxHeads else {
            throw FrameError(.badField, "\(kind) lists \(count) chain heads (offset 43), at most \(NodeStatus.maxHeads)")
        }
        try r.require(exactly: nodeStatusBaseSize + count * chainHeadSize, kind)
        var heads: [ChainHead] = []
        for i in 0..<count {
            let head = ChainHead(chain: ChainID(try r.u64()), height: try r.u64())
            if let last = heads.last, last.chain >= head.chain {
                throw FrameError(.badField, "\(kind) head \(i) (\(head.chain)) is not after \(last.chain): heads must be strictly ascending")
            }
            heads.append(head)
        }
        return try NodeStatus(nodeId: nodeId, protocolVersion: protocolVersion, timestampMillis: timestamp, heads: heads)
    }

    private static func decodeAttestation(_ r: inout FrameReader) throws(FrameError) -> Attestation {
        try r.require(total: attestationSize, .attestation)
        let chain = ChainID(try r.u64())
        let messageId = try r.bytes32()
        let actionByte = try r.u8()
        guard let action = AttestationAction(rawValue: actionByte) else {
            throw FrameError(.badField, "attestation action \(actionByte) at offset 42, expected 1 (release), 2 (cancel) or 3 (refund)")
        }
        let signer = try SignerAddress(bytes: try r.take(20))
        let signature = try AttestationSignature(bytes: try r.take(65))
        let flag = try r.u8()
        var transfer: Transfer?
        switch flag {
        case 0:
            try r.require(exactly: attestationSize, .attestation)
        case 1:
            try r.require(exactly: attestationWithTransferSize, .attestation)
            let raw = try r.take(Transfer.encodedLength)
            do {
                transfer = try Transfer(abiEncoded: raw)
            } catch {
                throw FrameError(.badField, "attestation transfer (offset 129): \(error)")
            }
        default:
            throw FrameError(.badField, "attestation transfer flag \(flag) at offset 128, expected 0 or 1")
        }
        return try Attestation(destChain: chain, messageId: messageId, action: action, signer: signer,
                               signature: signature, transfer: transfer)
    }

    private static func decodeBatch(_ r: inout FrameReader) throws(FrameError) -> AttestationBatch {
        try r.require(total: batchBaseSize, .attestations)
        let count = Int(try r.u8())
        guard (1...AttestationBatch.maxEntries).contains(count) else {
            throw FrameError(.badField, "attestations lists \(count) entries (offset 2), expected 1 to \(AttestationBatch.maxEntries)")
        }
        try r.require(exactly: batchBaseSize + batchEntrySize * count, .attestations)
        var entries: [Attestation] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            let base = batchBaseSize + batchEntrySize * i
            let chain = ChainID(try r.u64())
            let messageId = try r.bytes32()
            let actionByte = try r.u8()
            guard let action = AttestationAction(rawValue: actionByte) else {
                throw FrameError(.badField, "attestations entry \(i): action \(actionByte) at offset \(base + 40), expected 1, 2 or 3")
            }
            let signer: SignerAddress
            let signature: AttestationSignature
            do {
                signer = try SignerAddress(bytes: try r.take(20))
                signature = try AttestationSignature(bytes: try r.take(65))
            } catch {
                throw FrameError(error.reason, "attestations entry \(i) (offset \(base)): \(error.detail)")
            }
            entries.append(try Attestation(destChain: chain, messageId: messageId, action: action, signer: signer, signature: signature))
        }
        return try AttestationBatch(entries)
    }

    private static func decodeRequest(_ r: inout FrameReader) throws(FrameError) -> AttestationRequest {
        try r.require(total: requestBaseSize, .request)
        let count = Int(try r.u8())
        guard (1...AttestationRequest.maxIds).contains(count) else {
            throw FrameError(.badField, "request lists \(count) ids (offset 2), expected 1 to \(AttestationRequest.maxIds)")
        }
        try r.require(exactly: requestBaseSize + 32 * count, .request)
        var ids: [Bytes32] = []
        for i in 0..<count {
            let id = try r.bytes32()
            if let last = ids.last, last >= id {
                throw FrameError(.badField, "request id \(i) is not after the previous one: ids must be strictly ascending")
            }
            ids.append(id)
        }
        return try AttestationRequest(messageIds: ids)
    }

    private static func append(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}

/// A bounds-checked cursor over a frame's bytes.
struct FrameReader {
    let bytes: [UInt8]
    var offset: Int

    /// The frame must be at least `total` bytes long.
    func require(total: Int, _ kind: FrameKind) throws(FrameError) {
        guard bytes.count >= total else {
            throw FrameError(.truncated, "\(kind) of \(bytes.count) bytes, at least \(total) needed")
        }
    }

    /// The frame must be exactly `exactly` bytes long.
    func require(exactly: Int, _ kind: FrameKind) throws(FrameError) {
        if bytes.count < exactly {
            throw FrameError(.truncated, "\(kind) of \(bytes.count) bytes, its fields need \(exactly)")
        }
        if bytes.count > exactly {
            throw FrameError(.badLength, "\(kind) of \(bytes.count) bytes, its fields need exactly \(exactly)")
        }
    }

    mutating func take(_ n: Int) throws(FrameError) -> [UInt8] {
        guard n >= 0, bytes.count - offset >= n else {
            throw FrameError(.truncated, "needed \(n) bytes at offset \(offset), \(bytes.count - offset) left")
        }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }

    mutating func u8() throws(FrameError) -> UInt8 { try take(1)[0] }

    mutating func u64() throws(FrameError) -> UInt64 {
        try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    mutating func bytes32() throws(FrameError) -> Bytes32 {
        let raw = try take(32)
        guard let value = try? Bytes32(raw) else { throw FrameError(.truncated, "32-byte field at offset \(offset - 32)") }
        return value
    }
}
