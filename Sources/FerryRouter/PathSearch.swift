import FerryCore

/// Exact label-setting search for one path.
///
/// Labels are `(amount, p95, hops)` at a node plus a parent pointer. A label is dropped when another label at the
/// same node is at least as good in every constrained dimension and in the total tie-break order
/// `(objective key, hops, p95, path)`. Without latency or hop limits that leaves one label per node and the
/// search is Dijkstra on amounts; with limits it is a Pareto label-setting search. Keys never decrease along an
/// extension when every lane expands, so the first label settled at the goal is optimal.
struct PathSearch {
    let graph: RouteGraph
    /// Exact output: search runs from the destination towards the source.
    let backward: Bool
    /// Where labels start (destination when backward).
    let start: Int32
    /// Where the answer is read (source when backward).
    let goal: Int32
    let amount: Amount
    let objective: RouteObjective
    let maxLatency: UInt64
    let maxHops: UInt32
    /// Backward: largest admissible amount; forward: smallest admissible amount.
    let bound: Amount?
    let nodeAllowed: [Bool]?
    let laneAllowed: [Bool]?
    /// Per-lane remaining capacity (splits); nil means each lane's own capacity.
    let residual: [Amount]?
    let useLatency: Bool
    let useHops: Bool
    /// One label per node ordered by (amount, hops, p95): plain Dijkstra, compared without building queue keys.
    let cheapestSingle: Bool

    // Label storage (struct of arrays, grown as labels are made).
    private struct Label {
        var amount: Amount
        var p95: UInt64
        var hops: UInt32
        var node: Int32
        /// Lane between this label's node and its parent's (-1 at the start).
        var lane: Int32
        var parent: Int32
        /// Next live label at the same node (-1 ends the list).
        var next: Int32
        var dead: Bool
    }
    private var labels: [Label] = []
    private var head: [Int32]

    struct Found {
        /// Lane indices from source to destination.
        var lanes: [Int32]
        /// Amount at each node along the path, source first (`lanes.count + 1` entries).
        var amounts: [Amount]
        var p95: UInt64
    }

    init(graph: RouteGraph, backward: Bool, source: Int32, destination: Int32, amount: Amount, objective: RouteObjective,
         constraints: RouteConstraints, nodeAllowed: [Bool]?, laneAllowed: [Bool]?, residual: [Amount]?,
         bound: Amount?) {
        self.graph = graph
        self.backward = backward
        self.start = backward ? destination : source
        self.goal = backward ? source : destination
        self.amount = amount
        self.objective = objective
        self.maxLatency = constraints.maxLatencyMs ?? .max
        var hops = UInt32(clamping: constraints.maxHops ?? Int(UInt32.max))
        if !graph.allExpanding { hops = Swift.min(hops, UInt32(clamping: graph.nodes.count - 1)) }
        self.maxHops = hops
        self.bound = bound
        self.nodeAllowed = nodeAllowed
        self.laneAllowed = laneAllowed
        self.residual = residual
        let timeValued = if case .cheapestWithTimeValue = objective { true } else { false }
        self.useLatency = constraints.maxLatencyMs != nil || timeValued
        self.useHops = constraints.maxHops != nil || !graph.allExpanding
        self.head = [Int32](repeating: -1, count: graph.nodes.count)
        self.cheapestSingle = !useLatency && !useHops && objective == .cheapest
        labels.reserveCapacity(Swift.min(graph.nodes.count, 4_096))
    }

    // MARK: Keys

    @inline(__always)
    private func entry(_ label: Int32) throws(RouteError) -> QueueEntry {
        let i = Int(label)
        let a = labels[i].amount
        let signed = backward ? a : Amount(words: (~a.w0, ~a.w1, ~a.w2, ~a.w3))  // max - a: larger outputs first
        switch objective {
        case .cheapest:
            return QueueEntry(primary: signed, secondary: .zero, hops: labels[i].hops, p95: labels[i].p95, label: label)
        case .fastest:
            return QueueEntry(primary: Amount(labels[i].p95), secondary: signed, hops: labels[i].hops, p95: labels[i].p95, label: label)
        case let .cheapestWithTimeValue(perSecond):
            let waiting: Amount
            let total: Amount
            do {
                waiting = try perSecond.multiplied(by: Amount(labels[i].p95), dividedBy: Amount(1000), rounding: .up)
                total = try a + waiting
            } catch {
                throw .amountOverflow(lane: "value of time", detail: error.description)
            }
            return QueueEntry(primary: total, secondary: signed, hops: labels[i].hops, p95: labels[i].p95, label: label)
        }
    }

    /// Total order on labels at the same node: key, then path order.
    private func better(_ a: Int32, than b: Int32) throws(RouteError) -> Bool {
        let o = QueueEntry.order(try entry(a), try entry(b))
        if o != 0 { return o < 0 }
        return pathLess(a, b)
    }

    /// `a` can replace `b`: no worse in every constrained dimension and no worse in the total order.
    private func dominates(_ a: Int32, _ b: Int32) throws(RouteError) -> Bool {
        let i = Int(a), j = Int(b)
        if cheapestSingle {
            let x = labels[i], y = labels[j]
            if x.amount != y.amount { return backward ? x.amount < y.amount : x.amount > y.amount }
            if x.hops != y.hops { return x.hops < y.hops }
            if x.p95 != y.p95 { return x.p95 < y.p95 }
            return pathLess(a, b)
        }
        let amountOK = backward ? labels[i].amount <= labels[j].amount : labels[i].amount >= labels[j].amount
        guard amountOK else { return false }
        if useLatency, labels[i].p95 > labels[j].p95 { return false }
        if useHops, labels[i].hops > labels[j].hops { return false }
        return try better(a, than: b)
    }

    /// Path order between two labels at the same node: hop by hop from the source, the node reached, then the lane.
    private func pathLess(_ a: Int32, _ b: Int32) -> Bool {
        let sa = steps(a), sb = steps(b)
        for (x, y) in zip(sa, sb) where x != y {
            return x.node != y.node ? x.node < y.node : x.lane < y.lane
        }
        return sa.count < sb.count
    }

    private struct Step: Equatable { let node: Int32; let lane: Int32 }

    /// The label's partial path as steps in source-to-destination order.
    private func steps(_ label: Int32) -> [Step] {
        var out: [Step] = []
        var l = label
        while labels[Int(l)].lane >= 0 {
            let p = labels[Int(l)].parent
            let lane = labels[Int(l)].lane
            // Backward labels own the hop towards their parent; forward labels the hop from it.
            out.append(Step(node: backward ? labels[Int(p)].node : labels[Int(l)].node, lane: lane))
            l = p
        }
        return backward ? out : out.reversed()
    }

    private func onPath(_ node: Int32, of label: Int32) -> Bool {
        var l = label
        while l >= 0 {
            if labels[Int(l)].node == node { return true }
            l = labels[Int(l)].parent
        }
        return false
    }

    // MARK: Search

    private mutating func makeLabel(amount: Amount, p95: UInt64, hops: UInt32, node: Int32, lane: Int32, parent: Int32) -> Int32 {
        let id = Int32(labels.count)
        labels.append(Label(amount: amount, p95: p95, hops: hops, node: node, lane: lane, parent: parent, next: -1, dead: false))
        return id
    }

    /// Inserts the newest label at its node unless dominated; removes labels it dominates.
    private mutating func admit(_ label: Int32) throws(RouteError) -> Bool {
        let node = Int(labels[Int(label)].node)
        var cur = head[node]
        while cur >= 0 {
            if try dominates(cur, label) { return false }
            cur = labels[Int(cur)].next
        }
        var prev: Int32 = -1
        cur = head[node]
        while cur >= 0 {
            let next = labels[Int(cur)].next
            if try dominates(label, cur) {
                labels[Int(cur)].dead = true
                if prev < 0 { head[node] = next } else { labels[Int(prev)].next = next }
            } else {
                prev = cur
            }
            cur = next
        }
        labels[Int(label)].next = head[node]
        head[node] = label
        return true
    }

    /// Runs the search. Returns nil when no path satisfies the limits.
    mutating func run() throws(RouteError) -> Found? {
        let expanding = graph.allExpanding
        var heap = BinaryHeap(capacity: 64)
        let first = makeLabel(amount: amount, p95: 0, hops: 0, node: start, lane: -1, parent: -1)
        _ = try admit(first)
        heap.push(try entry(first))
        let lanes = backward ? graph.incoming : graph.outgoing
        let starts = backward ? graph.inStart : graph.outStart
        while let top = heap.pop() {
            let label = top.label
            if labels[Int(label)].dead { continue }
            let node = labels[Int(label)].node
            if node == goal {
                if expanding { break }
                continue
            }
            let a = labels[Int(label)].amount
            let p95 = labels[Int(label)].p95
            let hops = labels[Int(label)].hops + 1
            if hops > maxHops { continue }
            for k in Int(starts[Int(node)])..<Int(starts[Int(node) + 1]) {
                let e = lanes[k]
                let next = backward ? e.from : e.to
                if let allowed = nodeAllowed, !allowed[Int(next)] { continue }
                if let allowed = laneAllowed, !allowed[Int(e.lane)] { continue }
                let cap = residual?[Int(e.lane)] ?? e.capacity
                let (lat, latOverflow) = p95.addingReportingOverflow(e.p95)
                if latOverflow || lat > maxLatency { continue }
                let value: Amount
                if backward {
                    if a > cap { continue }
                    guard let v = try inputFor(e, output: a) else { continue }
                    value = v
                    if let bound, expanding || next == goal, v > bound { continue }
                } else {
                    let v = try outputFor(e, input: a)
                    if v.isZero || v > cap { continue }
                    value = v
                    if let bound, expanding || next == goal, v < bound { continue }
                }
                if !expanding, onPath(next, of: label) { continue }
                let n = makeLabel(amount: value, p95: lat, hops: hops, node: next, lane: e.lane, parent: label)
                if try admit(n) {
                    heap.push(try entry(n))
                } else {
                    discardLast()
                }
            }
        }
        return try answer()
    }

    private mutating func discardLast() {
        labels.removeLast()
    }

    @inline(__always)
    private func inputFor(_ e: HotLane, output: Amount) throws(RouteError) -> Amount? {
        do throws(AmountError) {
            if e.isSimple {
                // input = out + fixed + ceil(out * ppm / 1e6), inlined for the common lane model.
                var p = Amount.zero
                if e.ppm != 0 {
                    if let small = output.uint64 {
                        let (hi, lo) = small.multipliedFullWidth(by: UInt64(e.ppm))
                        if hi < 1_000_000 {
                            let (q, r) = UInt64(1_000_000).dividingFullWidth((hi, lo))
                            p = Amount(words: r == 0 ? (q, 0, 0, 0) : q == .max ? (0, 1, 0, 0) : (q + 1, 0, 0, 0))
                        } else {
                            p = try output.multiplied(by: Amount(UInt64(e.ppm)), dividedBy: LaneFee.million, rounding: .up)
                        }
                    } else {
                        p = try output.multiplied(by: Amount(UInt64(e.ppm)), dividedBy: LaneFee.million, rounding: .up)
                    }
                }
                let (s1, o1) = output.addingReportingOverflow(e.fixed)
                let (s2, o2) = s1.addingReportingOverflow(p)
                if o1 || o2 { throw AmountError.overflow(operation: "\(output) + \(e.fixed) + \(p)") }
                return s2
            }
            return try graph.lanes[Int(e.lane)].fee.input(forOutput: output)
        } catch {
            throw .amountOverflow(lane: graph.lanes[Int(e.lane)].id, detail: error.description)
        }
    }

    private func outputFor(_ e: HotLane, input: Amount) throws(RouteError) -> Amount {
        do {
            return try graph.lanes[Int(e.lane)].fee.output(forInput: input)
        } catch {
            throw .amountOverflow(lane: graph.lanes[Int(e.lane)].id, detail: error.description)
        }
    }

    /// The best live label at the goal, as a path.
    private func answer() throws(RouteError) -> Found? {
        var best: Int32 = -1
        var cur = head[Int(goal)]
        while cur >= 0 {
            if !labels[Int(cur)].dead, labels[Int(cur)].lane >= 0 {
                if best < 0 { best = cur } else if try better(cur, than: best) { best = cur }
            }
            cur = labels[Int(cur)].next
        }
        guard best >= 0 else { return nil }
        var lanes: [Int32] = []
        var amounts: [Amount] = [labels[Int(best)].amount]
        var l = best
        while labels[Int(l)].lane >= 0 {
            lanes.append(labels[Int(l)].lane)
            l = labels[Int(l)].parent
            amounts.append(labels[Int(l)].amount)
        }
        if !backward {
            lanes.reverse()
            amounts.reverse()
        }
        return Found(lanes: lanes, amounts: amounts, p95: labels[Int(best)].p95)
    }
}
