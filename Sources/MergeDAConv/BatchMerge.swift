import DAConvMerge
import DAConvVerify
import Dispatch
import Foundation
import TorchCheckpoint

/// Merges many checkpoints into one folder, several at a time, bounded by the cores; one bad file does not
/// stop the others.
public enum BatchMerge {
    public struct Item: Sendable {
        public let input: String
        public let output: String
        /// The merge's outcome, or why it failed.
        public let result: Result<MergeOutcome, MergeFailure>
        public let seconds: Double

        public var succeeded: Bool {
            if case .success(let outcome) = result { return outcome.written != nil }
            return false
        }
    }

    /// Output paths: `directory/<input file name>` (with `format`'s extension instead of the input's when a
    /// format is given); two inputs with the same output name are an error for the second.
    public static func outputs(for inputs: [String], in directory: String, format: CheckpointOutputFormat? = nil) -> [String?] {
        var taken = Set<String>()
        return inputs.map { input in
            var name = input.split(separator: "/").last.map(String.init) ?? input
            if let format {
                let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
                name = (stem.isEmpty ? name : stem) + "." + format.fileExtension
            }
            let output = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            return taken.insert(output).inserted ? output : nil
        }
    }

    /// Runs every merge; `finished` is called as each completes (from worker threads, one at a time).
    public static func run(
        inputs: [String], outputDirectory: String, template: MergeRequest, jobs: Int,
        finished: @escaping @Sendable (Item) -> Void
    ) -> [Item] {
        let outputs = outputs(for: inputs, in: outputDirectory, format: template.format)
        let results = LockedResults(count: inputs.count)
        let workers = max(1, min(jobs, inputs.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let index = results.nextIndex() {
                let item = merge(inputs[index], output: outputs[index], template: template)
                results.store(item, at: index, then: finished)
            }
        }
        return results.items
    }

    private static func merge(_ input: String, output: String?, template: MergeRequest) -> Item {
        let start = DispatchTime.now()
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }
        guard let output else {
            let failure = MergeFailure(
                kind: .writeFailed, message: "\(input): another input has the same file name, so their outputs would collide")
            return Item(input: input, output: "", result: .failure(failure), seconds: 0)
        }
        var request = template
        request.input = input
        request.output = output
        let result: Result<MergeOutcome, MergeFailure>
        do {
            result = .success(try MergeRun.run(request))
        } catch {
            result = .failure(MergeFailure(error, input: input))
        }
        return Item(input: input, output: output, result: result, seconds: seconds())
    }
}

/// The batch's shared state: the next file to take and the results, behind one lock.
private final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var slots: [BatchMerge.Item?]

    init(count: Int) {
        slots = Array(repeating: nil, count: count)
    }

    func nextIndex() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func store(_ item: BatchMerge.Item, at index: Int, then finished: (BatchMerge.Item) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = item
        finished(item)
    }

    var items: [BatchMerge.Item] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}
