internal import CMergeDAConvKernels
import Dispatch

// The only file of DAConvMerge that touches raw memory or calls C: it hands the branch weights'
// addresses to the fold kernel of CMergeDAConvKernels and lets it write the output in place.

/// Runs the C fold kernel (`mdk_fold_f32`) over arrays of float32 values or their bytes.
enum FastFoldKernelCalls {
    /// Whether this CPU runs the AVX2 kernels.
    static var vectorKernelsAvailable: Bool { mdk_best_isa() == MDK_ISA_AVX2_FMA }

    /// The folded weight as `outputCount` elements of the branches' element type (`Float`, or
    /// `UInt8` for little-endian bytes). Sizes were validated by `FastFold`: every branch holds
    /// exactly `layout.elements` float32 values, and so does the output.
    static func fold<Element: BitwiseCopyable, Weights: Collection<Element>>(
        _ weights: [Weights], gates: [Double], kinds: [DAConvRules.Kind], layout: FoldLayout,
        outputCount: Int, threads: Int, vectorKernels: Bool
    ) -> [Element] {
        precondition(MemoryLayout<Element>.size == 1 || MemoryLayout<Element>.size == 4, "floats or bytes")
        let isa = vectorKernels ? mdk_best_isa() : MDK_ISA_PORTABLE
        let cLayout = mdk_fold_layout(taps: Int64(layout.taps), centre: Int64(layout.centre))
        return withBaseAddresses(weights) { addresses in
            let branches = addresses.indices.map {
                mdk_fold_branch(weight: addresses[$0], gate: gates[$0], kind: cKind(kinds[$0]))
            }
            return [Element](unsafeUninitializedCapacity: outputCount) { buffer, initialized in
                let output = OutputAddress(raw: UnsafeMutableRawPointer(buffer.baseAddress))
                let parts = runs(kernels: layout.kernels, threads: threads)
                branches.withUnsafeBufferPointer { branches in
                    let table = BranchTable(address: branches.baseAddress, count: Int64(branches.count))
                    DispatchQueue.concurrentPerform(iterations: parts.count) { part in
                        let run = parts[part]
                        mdk_fold_f32(
                            isa, table.address, table.count, cLayout, Int64(run.lowerBound),
                            Int64(run.upperBound), output.raw)
                    }
                }
                // The kernel wrote every value of every kernel: all of the output.
                initialized = outputCount
            }
        }
    }

    /// The fold of `weights` (float32 arrays) with the statistics an equivalence probe takes from the same
    /// values, computed by `mdk_fold_with_probe_stats_f32` a few output channels at a time while they are in
    /// cache. Same validated sizes as ``fold(_:gates:kinds:layout:outputCount:threads:vectorKernels:)``;
    /// `rows` divides `layout.kernels`.
    static func foldWithStatistics(
        _ weights: [[Float]], gates: [Double], kinds: [DAConvRules.Kind], layout: FoldLayout, rows: Int
    ) -> (weight: [Float], statistics: FoldStatistics) {
        let isa = mdk_best_isa()
        let cLayout = mdk_fold_layout(taps: Int64(layout.taps), centre: Int64(layout.centre))
        let kernelsPerRow = rows == 0 ? 0 : layout.kernels / rows
        let count = weights.count
        // One buffer per statistic, branch after branch: the C kernel gets a pointer into it per branch.
        var tapSums = [Double](repeating: 0, count: count * layout.kernels)
        var branchL1 = [Double](repeating: 0, count: count * rows)
        var mergedL2 = [Double](repeating: 0, count: rows)
        var mergedL1 = [Double](repeating: 0, count: rows)
        let weight = withBaseAddresses(weights) { addresses in
            let branches = addresses.indices.map {
                mdk_fold_branch(weight: addresses[$0], gate: gates[$0], kind: cKind(kinds[$0]))
            }
            return [Float](unsafeUninitializedCapacity: layout.elements) { output, initialized in
                tapSums.withUnsafeMutableBufferPointer { sums in
                    branchL1.withUnsafeMutableBufferPointer { l1 in
                        let sumRows = (0..<count).map { index in sums.baseAddress.map { $0 + index * layout.kernels } }
                        let l1Rows = (0..<count).map { index in l1.baseAddress.map { $0 + index * rows } }
                        mdk_fold_with_probe_stats_f32(
                            isa, branches, Int64(count), cLayout, Int64(rows), Int64(kernelsPerRow),
                            output.baseAddress, sumRows, l1Rows, &mergedL2, &mergedL1)
                    }
                }
                // The kernel wrote every value of every row: all of the output.
                initialized = layout.elements
            }
        }
        let statistics = FoldStatistics(
            tapSums: (0..<count).map { Array(tapSums[($0 * layout.kernels)..<(($0 + 1) * layout.kernels)]) },
            branchL1: (0..<count).map { Array(branchL1[($0 * rows)..<(($0 + 1) * rows)]) },
            mergedL2: mergedL2, mergedL1: mergedL1)
        return (weight, statistics)
    }

    /// ``FastFold/foldFloat32ByRowBlocks(branches:shape:rowsPerBlock:read:use:)``: the folded weight is written
    /// block by block into uninitialised memory (every value once), the blocks being folded in small buffers.
    static func foldByRowBlocks(
        kinds: [DAConvRules.Kind], gates: [Double], layout: FoldLayout, outputChannels: Int, rowsPerBlock: Int,
        read: (Range<Int>, inout [[Float]]) throws -> Void, use: (FastFold.FoldedRows) -> Void
    ) rethrows -> (weight: [Float], statistics: FoldStatistics) {
        let kernelsPerRow = outputChannels == 0 ? 0 : layout.kernels / outputChannels
        let perRow = kernelsPerRow * layout.taps
        var buffers = Array(repeating: [Float](repeating: 0, count: rowsPerBlock * perRow), count: kinds.count)
        var sums = Array(repeating: [Double](repeating: 0, count: rowsPerBlock * kernelsPerRow), count: kinds.count)
        var block = [Float](repeating: 0, count: rowsPerBlock * perRow)
        var norms = FoldStatistics(
            tapSums: [], branchL1: Array(repeating: Array(repeating: 0, count: outputChannels), count: kinds.count),
            mergedL2: Array(repeating: 0, count: outputChannels), mergedL1: Array(repeating: 0, count: outputChannels))
        let weight = try [Float](unsafeUninitializedCapacity: layout.elements) { output, initialized in
            for first in stride(from: 0, to: outputChannels, by: rowsPerBlock) {
                let rows = first..<min(first + rowsPerBlock, outputChannels)
                let (count, kernels) = (rows.count * perRow, rows.count * kernelsPerRow)
                try read(rows, &buffers)
                foldBlock(
                    rows, buffers, gates: gates, kinds: kinds, layout: layout, kernelsPerRow: kernelsPerRow, into: &block,
                    tapSums: &sums, norms: &norms)
                use(
                    FastFold.FoldedRows(
                        rows: rows, branches: buffers.map { $0[0..<count] }, tapSums: sums.map { $0[0..<kernels] },
                        merged: block[0..<count]))
                block.withUnsafeBufferPointer { block in
                    (output.baseAddress! + first * perRow).initialize(from: block.baseAddress!, count: count)
                }
            }
            initialized = layout.elements
        }
        return (weight, norms)
    }

    /// Folds output channels `rows` whose branch weights start the `branches` buffers: the folded values and
    /// tap sums to the start of `block` and `tapSums`, the rows' norms to their place in `norms`.
    private static func foldBlock(
        _ rows: Range<Int>, _ branches: [[Float]], gates: [Double], kinds: [DAConvRules.Kind], layout: FoldLayout,
        kernelsPerRow: Int, into block: inout [Float], tapSums: inout [[Double]], norms: inout FoldStatistics
    ) {
        let cLayout = mdk_fold_layout(taps: Int64(layout.taps), centre: Int64(layout.centre))
        let first = rows.lowerBound
        withBaseAddresses(branches) { addresses in
            let branches = addresses.indices.map {
                mdk_fold_branch(weight: addresses[$0], gate: gates[$0], kind: cKind(kinds[$0]))
            }
            block.withUnsafeMutableBufferPointer { output in
                norms.mergedL2.withUnsafeMutableBufferPointer { l2 in
                    norms.mergedL1.withUnsafeMutableBufferPointer { l1 in
                        withMutableAddresses(&tapSums) { sums in
                            withMutableAddresses(&norms.branchL1) { branchL1 in
                                mdk_fold_with_probe_stats_f32(
                                    mdk_best_isa(), branches, Int64(branches.count), cLayout, Int64(rows.count),
                                    Int64(kernelsPerRow), output.baseAddress, sums, branchL1.map { $0.map { $0 + first } },
                                    l2.baseAddress.map { $0 + first }, l1.baseAddress.map { $0 + first })
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the first element of every array of `arrays` (nil when empty), all writable for the
    /// call: each array is taken out of `arrays` while its address is in use, so no two accesses overlap.
    private static func withMutableAddresses<Result>(
        _ arrays: inout [[Double]], _ body: ([UnsafeMutablePointer<Double>?]) -> Result
    ) -> Result {
        guard var last = arrays.popLast() else { return body([]) }
        defer { arrays.append(last) }
        return withMutableAddresses(&arrays) { addresses in
            last.withUnsafeMutableBufferPointer { body(addresses + [$0.baseAddress]) }
        }
    }

    /// `0..<kernels` cut into at most `threads` runs of nearly equal length (at least one run).
    static func runs(kernels: Int, threads: Int) -> [Range<Int>] {
        let parts = max(1, min(threads, kernels))
        return (0..<parts).map { (kernels * $0 / parts)..<(kernels * ($0 + 1) / parts) }
    }

    private static func cKind(_ kind: DAConvRules.Kind) -> mdk_fold_kind {
        switch kind {
        case .add: return MDK_FOLD_ADD
        case .difference: return MDK_FOLD_DIFFERENCE
        case .vanilla: return MDK_FOLD_VANILLA
        }
    }

    /// Calls `body` with the first byte of every collection's contiguous storage (nil when empty),
    /// all valid for the call.
    private static func withBaseAddresses<Weights: Collection, Result>(
        _ collections: [Weights], from index: Int = 0, addresses: [UnsafeRawPointer?] = [],
        _ body: ([UnsafeRawPointer?]) -> Result
    ) -> Result {
        guard index < collections.count else { return body(addresses) }
        let result = collections[index].withContiguousStorageIfAvailable { storage in
            withBaseAddresses(
                collections, from: index + 1,
                addresses: addresses + [UnsafeRawPointer(storage.baseAddress)], body)
        }
        guard let result else { preconditionFailure("arrays and array slices have contiguous storage") }
        return result
    }
}

/// The output's address, shared by the workers (each writes its own kernels only).
private struct OutputAddress: @unchecked Sendable {
    // Sendable: workers write disjoint ranges; the buffer outlives them (concurrentPerform waits).
    let raw: UnsafeMutableRawPointer?
}

/// The C branch table, shared read-only by the workers.
private struct BranchTable: @unchecked Sendable {
    // Sendable: only read, and it outlives the workers (concurrentPerform waits).
    let address: UnsafePointer<mdk_fold_branch>?
    let count: Int64
}
