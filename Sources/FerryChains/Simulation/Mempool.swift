import FerryCore
import FerryCrypto

/// A ledger's pending transactions, indexed for what the ledger asks on every call: by id, by sender (the next
/// nonce, whether a nonce is taken) and by sender and call (replace-by-fee), each in O(1).
///
/// The pool also keeps the order transactions have always had in it: submission order, a replacement in the place
/// of the one it replaced, transactions a reorg returns in front. That order decides which pending transactions a
/// drop fault's random draws pick.
struct Mempool: Sendable {
    /// One pending transaction.
    struct Entry: Sendable {
        let tx: SimTransaction
        /// `tx.id`, computed once.
        let id: TxID
        /// The ledger's submission counter when the transaction arrived: orders equal tips in a block.
        let arrival: UInt64
        /// Place in the pool's order (see ``inPoolOrder()``).
        fileprivate(set) var position: Int64
    }

    /// The nonces one sender has pending, with how many pending transactions carry each.
    private struct SenderNonces: Sendable {
        var counts: [UInt64: Int] = [:]
        var highest: UInt64 = 0
    }

    private struct SenderCall: Hashable, Sendable {
        let from: Address
        let call: GatewayCall
    }

    private(set) var entries: [TxID: Entry] = [:]
    private var bySender: [Address: SenderNonces] = [:]
    /// Pending release, cancel and refund calls (the ones replace-by-fee looks up).
    private var byCall: [SenderCall: [TxID]] = [:]
    private var frontPosition: Int64 = 0
    private var backPosition: Int64 = 0

    var count: Int { entries.count }

    /// The highest nonce `sender` has pending, if any.
    func highestNonce(of sender: Address) -> UInt64? { bySender[sender]?.highest }

    /// True when a pending transaction from `sender` carries `nonce`.
    func contains(nonce: UInt64, from sender: Address) -> Bool { bySender[sender]?.counts[nonce] != nil }

    /// The first pending transaction (in pool order) from `sender` making `call`, for a release, cancel or refund.
    func first(from sender: Address, calling call: GatewayCall) -> Entry? {
        guard call.isIdempotent, let ids = byCall[SenderCall(from: sender, call: call)] else { return nil }
        return ids.compactMap { entries[$0] }.min { $0.position < $1.position }
    }

    /// Adds `tx` at the back.
    mutating func append(_ tx: SimTransaction, id: TxID, arrival: UInt64) {
        insert(Entry(tx: tx, id: id, arrival: arrival, position: backPosition))
        backPosition += 1
    }

    /// Puts `returning` back in front of everything, in the given order (a reorg's transactions).
    mutating func prepend(_ returning: [Entry]) {
        frontPosition -= Int64(returning.count)
        for (offset, entry) in returning.enumerated() {
            var entry = entry
            entry.position = frontPosition + Int64(offset)
            insert(entry)
        }
    }

    /// Puts `tx` in the place of pending transaction `old`.
    mutating func replace(_ old: TxID, with tx: SimTransaction, id: TxID, arrival: UInt64) {
        guard let replaced = remove(old) else { return }
        insert(Entry(tx: tx, id: id, arrival: arrival, position: replaced.position))
    }

    /// Removes pending transaction `id`.
    @discardableResult
    mutating func remove(_ id: TxID) -> Entry? {
        guard let entry = entries.removeValue(forKey: id) else { return nil }
        let from = entry.tx.from, nonce = entry.tx.nonce
        if var nonces = bySender.removeValue(forKey: from) {
            if let count = nonces.counts[nonce], count > 1 { nonces.counts[nonce] = count - 1 } else { nonces.counts[nonce] = nil }
            if !nonces.counts.isEmpty {
                if nonce == nonces.highest, nonces.counts[nonce] == nil { nonces.highest = nonces.counts.keys.max() ?? 0 }
                bySender[from] = nonces
            }
        }
        if entry.tx.call.isIdempotent {
            let key = SenderCall(from: from, call: entry.tx.call)
            if var ids = byCall.removeValue(forKey: key) {
                ids.removeAll { $0 == id }
                if !ids.isEmpty { byCall[key] = ids }
            }
        }
        return entry
    }

    /// Removes and returns every pending transaction.
    mutating func removeAll() -> [Entry] {
        let all = inPoolOrder()
        self = Mempool()
        return all
    }

    /// Every pending transaction in pool order.
    func inPoolOrder() -> [Entry] { entries.values.sorted { $0.position < $1.position } }

    /// Every pending transaction in block-building order: highest tip first, then earliest arrival.
    func byPriority() -> [Entry] {
        entries.values.sorted { a, b in
            a.tx.bid.tipPerUnit != b.tx.bid.tipPerUnit ? a.tx.bid.tipPerUnit > b.tx.bid.tipPerUnit : a.arrival < b.arrival
        }
    }

    private mutating func insert(_ entry: Entry) {
        entries[entry.id] = entry
        let from = entry.tx.from, nonce = entry.tx.nonce
        var nonces = bySender.removeValue(forKey: from) ?? SenderNonces(highest: nonce)
        nonces.counts[nonce, default: 0] += 1
        nonces.highest = max(nonces.highest, nonce)
        bySender[from] = nonces
        if entry.tx.call.isIdempotent { byCall[SenderCall(from: from, call: entry.tx.call), default: []].append(entry.id) }
    }
}
