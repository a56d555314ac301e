import Foundation
import Testing

/// Swift 6.3.1 miscompiles, with optimisation, a task group whose child tasks return a tuple from a do/catch: the
/// tuple's other elements come back corrupted (`Tests/vectors/taskgroup_tuple_miscompile.swift` shows it). Release
/// relayers listed made-up chain ids on `/healthz` because `ChainProbe.refresh()` did exactly that. Debug test
/// builds are not affected, so this scan keeps the pattern out of the sources instead.
@Suite("Task group child results")
struct TaskGroupPatternTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    @Test("no task group in Sources returns tuples from its child tasks (miscompiled with -O by Swift 6.3.1)")
    func noTupleChildResults() throws {
        let pattern = try NSRegularExpression(pattern: #"TaskGroup\(\s*of:\s*\("#)
        var offenders: [String] = []
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = String(line)
                if pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil {
                    offenders.append("\(url.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(offenders.isEmpty, "use a struct (or let each child record its own result): \(offenders)")
    }
}
