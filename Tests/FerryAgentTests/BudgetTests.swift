import FerryAgent
import FerryCore
import Foundation
import Testing

@Suite("Budget reservations")
struct BudgetTests {
    func ledger(budget: UInt64, windowHours: UInt64 = 24) throws -> (BudgetLedger, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-budget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("budget.sqlite")
        let database = try AgentDatabase(path: path.path)
        let policy = SpendingPolicy(budgets: ["USDC": Amount(budget)], windowSeconds: windowHours * 3_600)
        return (BudgetLedger(database: database, policy: policy), path)
    }

    @Test("1,000 concurrent reservations against a budget that fits 100 reserve exactly 100 (real file, WAL)")
    func concurrentReservations() async throws {
        let (ledger, path) = try ledger(budget: 10_000)  // 100.00 USD
        let outcomes = try await withThrowingTaskGroup(of: ReservationOutcome.self) { group in
            for i in 0..<1_000 {
                group.addTask { try await ledger.reserve(SpendValue(asset: "USDC", value: Amount(100)), paymentID: "p\(i)", nowMs: 1_000) }
            }
            return try await group.reduce(into: [ReservationOutcome]()) { $0.append($1) }
        }
        let reserved = outcomes.filter { if case .reserved = $0 { true } else { false } }
        #expect(reserved.count == 100)
        for case let .refused(refusal) in outcomes {
            #expect(refusal.rule == .dailyBudget)
            #expect(refusal.message == "daily budget for USDC: 100.00 USD spent + 1.00 USD requested > 100.00 USD (rolling 24 h)")
        }
        #expect(try await ledger.usage(nowMs: 1_000) == ["USDC": Amount(10_000), "*": Amount(10_000)])
        #expect(try await ledger.counts() == ["active": 100])
        let wal = try String(contentsOfFile: path.path + "-wal", encoding: .isoLatin1)
        #expect(!wal.isEmpty, "the database runs in WAL mode")
    }

    @Test("released reservations free budget, committed ones stay spent, and both leave the window after 24 h")
    func lifecycle() async throws {
        let (ledger, _) = try ledger(budget: 300)
        let spend = SpendValue(asset: "USDC", value: Amount(100))
        var ids: [String] = []
        for i in 0..<3 {
            guard case let .reserved(r) = try await ledger.reserve(spend, paymentID: "p\(i)", nowMs: 1_000) else {
                Issue.record("reservation \(i) refused"); return
            }
            ids.append(r.id)
        }
        guard case .refused = try await ledger.reserve(spend, paymentID: "p3", nowMs: 1_000) else { Issue.record("budget exceeded"); return }
        try await ledger.commit(ids[0], nowMs: 2_000)
        try await ledger.release(ids[1], nowMs: 2_000)
        try await ledger.release(ids[0], nowMs: 2_000)  // committed stays committed
        #expect(try await ledger.usage(nowMs: 3_000)["USDC"] == Amount(200))
        guard case .reserved = try await ledger.reserve(spend, paymentID: "p4", nowMs: 3_000) else { Issue.record("freed budget refused"); return }
        #expect(try await ledger.usage(nowMs: 1_000 + 86_400_000 + 1)["USDC"] == Amount(100), "only p4 (reserved at 3 s) is still in the window")
    }

    @Test("resizing after a re-quote checks the new value against everything else")
    func resize() async throws {
        let (ledger, _) = try ledger(budget: 1_000)
        guard case let .reserved(a) = try await ledger.reserve(SpendValue(asset: "USDC", value: Amount(400)), paymentID: "a", nowMs: 1),
              case let .reserved(b) = try await ledger.reserve(SpendValue(asset: "USDC", value: Amount(400)), paymentID: "b", nowMs: 1) else {
            Issue.record("setup"); return
        }
        guard case .refused = try await ledger.resize(b, to: SpendValue(asset: "USDC", value: Amount(700)), nowMs: 2) else {
            Issue.record("resize beyond the budget was accepted"); return
        }
        guard case .reserved = try await ledger.resize(b, to: SpendValue(asset: "USDC", value: Amount(600)), nowMs: 2) else {
            Issue.record("resize within the budget was refused"); return
        }
        #expect(try await ledger.usage(nowMs: 3)["USDC"] == Amount(1_000))
        _ = a
    }
}
