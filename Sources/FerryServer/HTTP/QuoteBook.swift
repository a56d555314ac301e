import FerryAgent
import Foundation

/// Quotes handed out recently, so a payment can be made on exactly the quote the agent saw (`quote_id`).
/// Bounded: the oldest are forgotten first.
actor QuoteBook {
    struct Entry {
        let quote: PaymentQuote
        let request: PaymentRequest
        let agent: String
    }

    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    func remember(_ quote: PaymentQuote, for request: PaymentRequest, agent: String) -> String {
        let id = "quo_" + UUID().uuidString.lowercased()
        entries[id] = Entry(quote: quote, request: Self.normalized(request), agent: agent)
        order.append(id)
        if order.count > capacity {
            let drop = order.count - capacity
            for old in order.prefix(drop) { entries[old] = nil }
            order.removeFirst(drop)
        }
        return id
    }

    /// The quote `id` if it was issued to `agent` for the same request (confirm and deadline aside).
    func quote(_ id: String, for request: PaymentRequest, agent: String) throws(ProblemError) -> PaymentQuote {
        guard let entry = entries[id], entry.agent == agent else {
            throw .invalidField("quote_id", "quote_id: no quote \(id) was issued to you (or it was forgotten); ask POST /v1/quotes for a new one")
        }
        guard entry.request == Self.normalized(request) else {
            throw .invalidField("quote_id", "quote_id: quote \(id) was for a different request (assets, amount, receiver or escrow differ)")
        }
        return entry.quote
    }

    static func normalized(_ r: PaymentRequest) -> PaymentRequest {
        PaymentRequest(source: r.source, destination: r.destination, amount: r.amount, receiver: r.receiver, confirm: false,
                       escrow: r.escrow, deadlineSeconds: 0)
    }
}
