public import FerryCore

/// Who submits a release (or cancel, or refund) for a message id, and when the others take over.
///
/// The relayers agree on an ordering (their addresses, sorted). For a message id, the primary executor is
/// `uint64(messageId[0..<8]) mod n`; relayer at rank `r` after it (wrapping) acts only once
/// `grace * (2^r - 1)` has passed since the attestations reached the threshold, so a crashed or slow
/// primary is replaced quickly while duplicate submissions stay rare. Duplicates are harmless anyway: the
/// gateway accepts one release per id and the journal checks the chain before retrying.
public struct ExecutorSchedule: Sendable, Hashable {
    /// The relayer set, sorted by address.
    public let relayers: [EthereumAddress]
    /// Base waiting time, in milliseconds, before the next relayer in line acts.
    public let graceMillis: UInt64

    public init(relayers: [EthereumAddress], graceMillis: UInt64) {
        self.relayers = relayers.sorted()
        self.graceMillis = graceMillis
    }

    /// Index (into ``relayers``) of the primary executor for `messageId`.
    public func primary(for messageId: Bytes32) -> Int {
        guard !relayers.isEmpty else { return 0 }
        let prefix = messageId.bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(prefix % UInt64(relayers.count))
    }

    /// How long `relayer` waits after the threshold is reached before acting on `messageId`; nil if it is not in the set.
    public func delayMillis(for relayer: EthereumAddress, messageId: Bytes32) -> UInt64? {
        guard let index = relayers.firstIndex(of: relayer) else { return nil }
        let rank = (index - primary(for: messageId) + relayers.count) % relayers.count
        // Exponential backoff by rank, capped so the shift cannot overflow.
        let factor = (UInt64(1) << UInt64(min(rank, 20))) - 1
        let (delay, overflow) = graceMillis.multipliedReportingOverflow(by: factor)
        return overflow ? .max : delay
    }
}
