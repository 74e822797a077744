import CheckpointContainers
import ConvEngine
import DAConvMerge
import DAConvVerify
import Dispatch
import Foundation
import TorchCheckpoint

/// Folds and checks DAConv modules on worker threads a few modules ahead of the writer, so reading and
/// folding the next modules overlaps with writing the previous one. Each module's branches are read once:
/// the same values feed the fold and the probe, and the probe runs the merged conv on exactly the bytes
/// handed to the writer. Workers take modules in turn, each probing with a share of the cores: a probe's
/// convolutions are too small to keep every core busy on their own, while reading and folding are serial.
/// At most `window` modules beyond the one being written are in memory.
final class FoldPipeline: ComputedTensorSource, @unchecked Sendable {
    private struct Folded {
        var weight: RecordBytes?
        var bias: RecordBytes?
    }

    private let folds: [PlannedFold]
    private let input: Checkpoint
    private let probe: ProbeOptions
    private let window: Int
    private let workers: Int
    private var finishedWorkers = 0
    private let condition = NSCondition()
    private var ready: [Int: Folded] = [:]
    private var checks: [LayerCheck?]
    private var requested = -1
    private var failure: Error?
    private var done = false
    private var cancelled = false
    /// Set once the writer is done: later modules are still checked, but their bytes are not kept.
    private var writerDone = false

    init(
        folds: [PlannedFold], input: Checkpoint, probe: ProbeOptions, window: Int = 2,
        workers: Int = min(2, ConvOptions.defaultThreads)
    ) {
        self.folds = folds
        self.input = input
        self.workers = max(1, min(workers, folds.count))
        var probe = probe
        // The pipeline checks its own fold, rounded once from float64: it holds it to that tighter bound.
        probe.origin = .roundedOnce
        if self.workers > 1, probe.threads == nil { probe.threads = max(1, ConvOptions.defaultThreads / self.workers) }
        self.probe = probe
        self.window = max(window, self.workers)
        self.checks = Array(repeating: nil, count: folds.count)
    }

    /// The storage records whose CRC-32 the pipeline checks as it reads them (``foldAndCheckFloat32(_:name:)``).
    static func recordsCheckedOnRead(_ folds: [PlannedFold], input: Checkpoint) -> Set<StorageSource> {
        var records = Set<StorageSource>()
        for fold in folds where fold.module.dtype == .float32 {
            for branch in fold.module.branches {
                if let record = input.recordCheckedOnRead(branch.weight) { records.insert(record) }
            }
        }
        return records
    }

    func start() {
        for worker in 0..<workers {
            let thread = Thread { [self] in work(worker) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    /// A folded weight or bias, when the writer reaches it: waits for its module's fold.
    func bytes(of tensor: ComputedTensorID) throws -> RecordBytes {
        switch tensor.part {
        case .weight:
            return try take(tensor.index) {
                $0.weight
            } clear: {
                $0.weight = nil
            }
        case .bias:
            return try take(tensor.index) {
                $0.bias
            } clear: {
                $0.bias = nil
            }
        }
    }

    /// Stops the worker after its current module (the write failed; nothing more is needed).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for every module's check; rethrows the worker's error.
    func checksWhenDone() throws -> [LayerCheck] {
        condition.lock()
        defer { condition.unlock() }
        requested = folds.count
        writerDone = true
        ready.removeAll()
        condition.broadcast()
        while !done && failure == nil { condition.wait() }
        if let failure { throw failure }
        return checks.compactMap { $0 }
    }

    private func take(_ index: Int, _ part: (Folded) -> RecordBytes?, clear: (inout Folded) -> Void) throws -> RecordBytes {
        condition.lock()
        defer { condition.unlock() }
        if index > requested {
            requested = index
            condition.broadcast()
        }
        while ready[index] == nil && failure == nil { condition.wait() }
        if let failure { throw failure }
        guard var entry = ready[index], let bytes = part(entry) else {
            preconditionFailure("the writer asks each folded tensor once")
        }
        clear(&entry)
        ready[index] = entry.weight == nil && entry.bias == nil ? nil : entry
        // Entries the writer skipped past are no longer needed.
        for stale in ready.keys where stale < index - 1 { ready[stale] = nil }
        return bytes
    }

    /// Worker `worker` takes modules `worker`, `worker + workers`, ...; the first error stops every worker.
    private func work(_ worker: Int) {
        for index in stride(from: worker, to: folds.count, by: workers) {
            condition.lock()
            while index > requested + window && !cancelled && failure == nil { condition.wait() }
            let stop = cancelled || failure != nil
            condition.unlock()
            if stop { break }
            do {
                let (folded, check) = try foldAndCheck(folds[index])
                condition.lock()
                if !writerDone { ready[index] = folded }
                checks[index] = check
                condition.broadcast()
                condition.unlock()
            } catch {
                condition.lock()
                if failure == nil { failure = error }
                condition.broadcast()
                condition.unlock()
                break
            }
        }
        condition.lock()
        finishedWorkers += 1
        if finishedWorkers == workers { done = true }
        condition.broadcast()
        condition.unlock()
    }

    private func foldAndCheck(_ fold: PlannedFold) throws -> (Folded, LayerCheck) {
        let module = fold.module
        let name = String(fold.weightName.dropLast(".weight".count))
        if module.dtype == .float32 { return try foldAndCheckFloat32(fold, name: name) }
        let original = try DAConvValues.read(module, from: input)
        let folded = DAConvFold.fold(original.branches, shape: module.weightShape)
        let weight = ScalarConversion.littleEndianBytes(folded.weight, dtype: module.dtype)
        let bias = folded.bias.map { ScalarConversion.littleEndianBytes($0, dtype: module.dtype) }
        let merged = MergedConvValues(
            weight: ScalarConversion.doubles(fromLittleEndian: weight, dtype: module.dtype), weightShape: module.weightShape,
            bias: bias.map { ScalarConversion.doubles(fromLittleEndian: $0, dtype: module.dtype) }, dtype: module.dtype)
        let check = EquivalenceProbe.check(
            module: name, original: original, merged: merged, geometry: fold.geometry, options: probe)
        return (Folded(weight: RecordBytes(weight), bias: bias.map(RecordBytes.init)), check)
    }

    /// float32, the common case (``Float32ModuleFold``).
    private func foldAndCheckFloat32(_ fold: PlannedFold, name: String) throws -> (Folded, LayerCheck) {
        let (weight, bias, check) = try Float32ModuleFold(fold: fold, input: input, probe: probe, name: name).run()
        // Handed to the writer as the array the fold wrote: no copy on its way to the file.
        let folded = Folded(
            weight: RecordBytes(littleEndianFloat32: weight), bias: bias.map { RecordBytes(littleEndianFloat32: $0) })
        return (folded, check)
    }
}
