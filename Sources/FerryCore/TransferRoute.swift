public import FerryCrypto

/// Multi-hop routes: a payment from chain A to chain C through B as a chain of transfers, each locked by the
/// gateway the previous one is released on.
///
/// A hop that continues is addressed to ``Address/forward`` and its `payloadHash` is the next hop's
/// ``Transfer/routeCommitment``. The payer signs only the first lock, and that lock carries the onward hops.
/// The first hop's `payloadHash` commits to the second, the second's to the third, and so on, so the payer's
/// signature covers the whole route. A gateway releasing a forwarding hop does not pay a receiver: in the same
/// transaction it locks the next hop from the payer's account on its chain. If that lock fails, the release
/// fails with it, and the hop is later cancelled and refunded. A later hop that times out is refunded to the
/// payer on its own source chain. Either way, what was not delivered goes back to the payer and is never held
/// in between.
public enum TransferRoute {
    /// Most onward hops one lock may carry (a route of at most 4 transfers).
    public static let maxOnwardHops = 3

    /// Links `hops` into a route, from the last hop backward. Every hop but the last gets receiver
    /// ``Address/forward`` and a `payloadHash` committing to the next hop. Nonces are zeroed: each gateway
    /// assigns its own. The last hop keeps its receiver and payload hash.
    /// - Throws: ``CoreError/invalidRoute(hop:reason:)`` when the linked hops do not pass ``validate(_:onward:)``.
    public static func link(_ hops: [Transfer]) throws(CoreError) -> (first: Transfer, onward: [Transfer]) {
        guard var next = hops.last else { throw .invalidRoute(hop: 0, reason: "a route needs at least one hop") }
        next.nonce = 0
        var linked = [next]
        for var hop in hops.dropLast().reversed() {
            hop.nonce = 0
            hop.receiver = .forward
            hop.payloadHash = next.routeCommitment
            linked.append(hop)
            next = hop
        }
        linked.reverse()
        let first = linked[0]
        let onward = Array(linked.dropFirst())
        try validate(first, onward: onward)
        return (first, onward)
    }

    /// Checks that `first` and `onward` form one route. Consecutive hops must meet on a chain and in an asset.
    /// They must have the same sender, and each forwarding hop must commit to the next. A transfer that does
    /// not forward has no onward hops.
    /// - Throws: ``CoreError/invalidRoute(hop:reason:)`` naming the first hop that breaks the route.
    public static func validate(_ first: Transfer, onward: [Transfer]) throws(CoreError) {
        guard onward.count <= maxOnwardHops else {
            throw .invalidRoute(hop: 1, reason: "\(onward.count) onward hops, at most \(maxOnwardHops) are allowed")
        }
        var previous = first
        for (offset, hop) in onward.enumerated() {
            let index = offset + 1
            guard previous.forwards else {
                throw .invalidRoute(hop: index - 1, reason: "the hop does not forward (its receiver is not the forward address) but is followed by another")
            }
            guard hop.version == Transfer.currentVersion else { throw .invalidRoute(hop: index, reason: "unsupported transfer version \(hop.version)") }
            guard hop.sourceChain == previous.destChain else {
                throw .invalidRoute(hop: index, reason: "starts on \(hop.sourceChain), but the previous hop ends on \(previous.destChain)")
            }
            guard hop.sourceAsset == previous.destAsset else {
                throw .invalidRoute(hop: index, reason: "locks asset \(hop.sourceAsset), but the previous hop delivers \(previous.destAsset)")
            }
            guard hop.sender == first.sender else {
                throw .invalidRoute(hop: index, reason: "sender \(hop.sender) differs from the route's payer \(first.sender)")
            }
            guard previous.payloadHash == hop.routeCommitment else {
                throw .invalidRoute(hop: index, reason: "the previous hop's payload hash does not commit to this hop")
            }
            previous = hop
        }
        guard !previous.forwards else {
            throw .invalidRoute(hop: onward.count, reason: "the last hop forwards, but no hop follows it")
        }
    }
}

extension Address {
    /// The receiver of a hop that continues: the destination gateway locks the next hop instead of paying out.
    /// Its first 12 bytes are not zero, so no EVM account has this address.
    public static let forward = Address(Keccak256.hash(Array("ferry.route.forward.v1".utf8)))
}

extension Transfer {
    /// True when the destination gateway forwards this transfer to the next hop of a route.
    public var forwards: Bool { receiver == .forward }

    /// What the previous hop of a route commits to: `keccak256(abi.encode(transfer))` with the nonce zeroed,
    /// because the nonce is assigned by the gateway that locks this hop.
    public var routeCommitment: Bytes32 {
        var template = self
        template.nonce = 0
        return template.messageId
    }
}
