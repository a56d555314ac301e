import FerryCore

/// A search-queue entry: lexicographic key `(primary, secondary, hops, p95)` and the label it stands for.
struct QueueEntry {
    var primary: Amount
    var secondary: Amount
    var hops: UInt32
    var p95: UInt64
    var label: Int32

    @inline(__always)
    static func order(_ a: QueueEntry, _ b: QueueEntry) -> Int {
        if a.primary != b.primary { return a.primary < b.primary ? -1 : 1 }
        if a.secondary != b.secondary { return a.secondary < b.secondary ? -1 : 1 }
        if a.hops != b.hops { return a.hops < b.hops ? -1 : 1 }
        if a.p95 != b.p95 { return a.p95 < b.p95 ? -1 : 1 }
        return 0
    }

    @inline(__always)
    static func less(_ a: QueueEntry, _ b: QueueEntry) -> Bool {
        let o = order(a, b)
        return o < 0 || (o == 0 && a.label < b.label)
    }
}

/// A binary min-heap of queue entries (ties by label number, so runs are deterministic).
struct BinaryHeap {
    private(set) var items: [QueueEntry] = []

    init(capacity: Int) { items.reserveCapacity(capacity) }

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ e: QueueEntry) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) >> 1
            guard QueueEntry.less(e, items[p]) else { break }
            items[i] = items[p]
            i = p
        }
        items[i] = e
    }

    mutating func pop() -> QueueEntry? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        let n = items.count
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var c = l
            if l + 1 < n, QueueEntry.less(items[l + 1], items[l]) { c = l + 1 }
            guard QueueEntry.less(items[c], last) else { break }
            items[i] = items[c]
            i = c
        }
        items[i] = last
        return top
    }
}
