import FerryAPI
import Foundation

/// Aligned text columns: numbers right-aligned, everything else left-aligned.
struct TextTable {
    enum Alignment { case left, right }
    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []

    init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render(indent: String = "  ") -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            let cells = headers.indices.map { column -> String in
                let cell = row.indices.contains(column) ? row[column] : ""
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return alignments[column] == .right ? pad + cell : cell + pad
            }
            return indent + cells.joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// The readable renderings of quotes, payments and timelines.
enum PaymentText {
    static func asset(_ a: APIAsset) -> String { "\(a.asset) on chain \(a.chain)" }

    static func seconds(ms: UInt64) -> String {
        ms < 10_000 ? String(format: "%.1f s", Double(ms) / 1_000) : "\(ms / 1_000) s"
    }

    static func eta(_ l: APILatency) -> String { "p50 \(seconds(ms: l.p50Ms)), p95 \(seconds(ms: l.p95Ms))" }

    /// Unix ms as a UTC time of day with the date (the server's clock, which the simulated world may run fast).
    static func time(ms: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }

    /// Key/value lines with the keys aligned.
    static func fields(_ pairs: [(String, String?)]) -> String {
        let present = pairs.compactMap { pair in pair.1.map { (pair.0, $0) } }
        let width = present.map(\.0.count).max() ?? 0
        return present.map { "  " + $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }

    static func policy(_ p: APIPolicyCheck) -> String {
        var text = p.decision
        if let value = p.value { text += " (\(value))" }
        if let rule = p.rule { text += ", rule \(rule)" }
        if let message = p.message { text += ": \(message)" }
        return text
    }

    static func quote(_ q: APIQuote) -> String {
        var hops = TextTable([("HOP", .right), ("LANE", .left), ("FROM", .left), ("TO", .left), ("INPUT", .right), ("OUTPUT", .right),
                              ("BRIDGE FEE", .right), ("GAS FEE", .right), ("SWAP FEE", .right), ("IMPACT", .right), ("ETA P50/P95", .right)])
        for (i, h) in q.hops.enumerated() {
            hops.add(["\(i + 1)", h.lane, h.from, h.to, h.input, h.output, h.bridgeFee, h.gasFee, h.swapFee, h.priceImpact,
                      "\(seconds(ms: h.latency.p50Ms)) / \(seconds(ms: h.latency.p95Ms))"])
        }
        var totals = TextTable([("", .left), ("AMOUNT", .right), ("ASSET", .left)])
        totals.add(["send", q.send, asset(q.from)])
        totals.add(["deliver", q.deliver, asset(q.to)])
        totals.add(["fee", q.fee, q.from.asset])
        if let refund = q.refundFee { totals.add(["refund fee", refund, "\(q.to.asset) (if the escrow refunds)"]) }
        return """
        Quote \(q.quoteID)
        \(fields([("receiver", q.receiver), ("ETA", eta(q.eta)), ("expires", time(ms: q.expiresAtMs)),
                  ("policy", policy(q.policy)), ("why", q.reason)]))

        \(hops.render())

        \(totals.render())
        """
    }

    static func payment(_ p: APIPayment) -> String {
        var attestations: String?
        if let threshold = p.threshold { attestations = "\(p.attestations)/\(threshold)" } else if p.attestations > 0 { attestations = "\(p.attestations)" }
        let lock = p.lockHeight.map { "height \($0)" + (p.lockFinalized ? ", finalized" : "") + (p.lockTx.map { ", tx \($0)" } ?? "") }
        let escrow = p.escrow.map { "\($0.id) \($0.state): \($0.amount) \(p.to.asset) for \($0.serviceID), due \(time(ms: $0.deadlineMs))" }
        return """
        Payment \(p.id)  \(p.state)\(p.finished ? " (finished)" : "")
        \(fields([("from", asset(p.from)), ("to", asset(p.to)), ("amount", "\(p.amount) \(p.to.asset)"), ("receiver", p.receiver),
                  ("send", p.quote.map { "\($0.send) \(p.from.asset) (fee included)" }), ("ETA", p.quote.map { eta($0.eta) }),
                  ("lanes", p.quote.map { $0.lanes.joined(separator: " -> ") }), ("budget", p.budgetReserved),
                  ("lock", lock), ("release", p.releaseHeight.map { "height \($0)" }), ("attested", attestations),
                  ("escrow", escrow), ("refused", p.refusal.map { "\($0.rule): \($0.message)" }), ("failure", p.failure),
                  ("created", time(ms: p.createdAtMs))]))
        """
    }

    /// One timeline line: time since `origin` (the first event), kind, detail.
    static func event(_ e: APIEvent, origin: UInt64) -> String {
        let offset = e.atMs >= origin ? e.atMs - origin : 0
        let relative = "+" + String(format: "%.1f", Double(offset) / 1_000) + "s"
        var kind = e.kind
        if let count = e.count, let threshold = e.threshold { kind += " \(count)/\(threshold)" }
        return "  " + relative.leftPadded(to: 8) + "  " + kind.padding(toLength: max(kind.count, 22), withPad: " ", startingAt: 0) + "  " + e.detail
    }

    static func timeline(_ events: [APIEvent]) -> String {
        guard let origin = events.first?.atMs else { return "  (no events yet)" }
        return events.map { event($0, origin: origin) }.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
