internal import CMergeDAConvKernels

// The only file of DAConvVerify that touches raw memory or calls C: it owns the buffers of one
// convolution and hands pointers to the kernels of CMergeDAConvKernels.

/// Runs a `ConvPlan` with the C kernels.
enum ConvKernelCalls {
    /// Micro-tile sizes (from the C header) and default cache blocking per precision; for float64, the
    /// panel layout that wastes the fewest columns on an output of `columns` pixels, unless `layout` is given.
    static func traits(for precision: ConvPrecision, columns: Int = 0, layout: ConvPanelLayout? = nil) -> ConvKernelTraits {
        switch precision {
        case .float64:
            let layout = layout ?? ConvPanelLayout.best(forColumns: columns, wide: Int(MDK_F64_NR), narrow: Int(MDK_F64N_NR))
            if layout == .narrow {
                return ConvKernelTraits(
                    microRows: Int(MDK_F64N_MR), microColumns: Int(MDK_F64N_NR),
                    scalarBytes: 8, depthBlock: 256, rowBlock: 144, layout: .narrow)
            }
            return ConvKernelTraits(
                microRows: Int(MDK_F64_MR), microColumns: Int(MDK_F64_NR),
                scalarBytes: 8, depthBlock: 256, rowBlock: 144)
        case .float32:
            return ConvKernelTraits(
                microRows: Int(MDK_F32_MR), microColumns: Int(MDK_F32_NR),
                scalarBytes: 4, depthBlock: 256, rowBlock: 288)
        }
    }

    /// Whether this CPU runs the AVX2+FMA kernels.
    static var vectorKernelsAvailable: Bool { mdk_best_isa() == MDK_ISA_AVX2_FMA }

    /// The kernels this process uses unless told to use the portable ones.
    static var bestKernels: String { mdk_best_isa() == MDK_ISA_AVX2_FMA ? "avx2+fma" : "portable" }

    /// Computes every filter's output (row-major NCHW) for validated shapes and a matching plan.
    /// The weights (and biases) are of the input's type, or `Float` under `Double` arithmetic.
    static func run<Scalar: ConvScalar, Weight: ConvScalar>(
        _ plan: ConvPlan, input: [Scalar],
        filters: [ConvFilter<Weight>]
    ) -> [[Scalar]] {
        let arithmetic = GemmArithmetic(Scalar.self, weights: Weight.self)
        let isa = plan.portableKernels ? MDK_ISA_PORTABLE : mdk_best_isa()
        let bytes = plan.traits.scalarBytes
        let workers = ConvParallel.workers(taskCount: Int.max, threads: plan.threads)
        // Panels first, then each worker's weight blocks, each part starting on a cache line.
        let panelBytes = (plan.packedElements * bytes + 63) / 64 * 64
        let scratch = ConvScratchCache.shared.take(bytes: panelBytes + workers * plan.workspaceElements * bytes)
        defer { ConvScratchCache.shared.give(scratch) }
        let (panels, workspace) = (scratch.address, scratch.address + panelBytes)
        return input.withUnsafeBufferPointer { input in
            withFilterPointers(filters) { weights, biases in
                makeOutputs(plan.shapes.map { $0.output.elementCount! }) { outputs in
                    let buffers = Buffers(
                        input: UnsafeRawPointer(input.baseAddress!), weights: weights,
                        biases: biases, panels: panels, workspace: workspace, outputs: outputs)
                    for index in 0..<plan.chunkCount {
                        let chunk = plan.chunk(index)
                        packChunk(plan, chunk, buffers: buffers)
                        multiplyChunk(plan, chunk, arithmetic: arithmetic, isa: isa, buffers: buffers)
                    }
                }
            }
        }
    }

    /// Creates arrays of `counts[index...]` elements and calls `fill` with all their addresses while
    /// they are writable, so outputs are computed in place (no copy). `fill` must write every
    /// element: each (channel, pixel) of an output lies in exactly one multiply task, which
    /// writes it (bias or zero first, then the products).
    private static func makeOutputs<Scalar>(
        _ counts: [Int], from index: Int = 0,
        addresses: [UnsafeMutableRawPointer] = [],
        _ fill: ([UnsafeMutableRawPointer]) -> Void
    ) -> [[Scalar]] {
        guard index < counts.count else {
            fill(addresses)
            return []
        }
        var rest: [[Scalar]] = []
        let output = [Scalar](unsafeUninitializedCapacity: counts[index]) { buffer, initialized in
            let address = UnsafeMutableRawPointer(buffer.baseAddress!)
            rest = makeOutputs(counts, from: index + 1, addresses: addresses + [address], fill)
            initialized = counts[index]
        }
        return [output] + rest
    }

    /// Raw addresses of one run's buffers; the kernels get them typed through `precision`.
    private struct Buffers {
        let input: UnsafeRawPointer
        let weights: [UnsafeRawPointer]
        let biases: [UnsafeRawPointer?]
        let panels: UnsafeMutableRawPointer
        let workspace: UnsafeMutableRawPointer
        let outputs: [UnsafeMutableRawPointer]
    }

    /// The C description of a chunk.
    private static func cChunk(_ chunk: ConvChunk) -> mdk_column_chunk {
        mdk_column_chunk(
            group_begin: Int64(chunk.groups.lowerBound), group_end: Int64(chunk.groups.upperBound),
            column_begin: Int64(chunk.columns.lowerBound), column_end: Int64(chunk.columns.upperBound),
            panel_count: Int64(chunk.panelCount))
    }

    /// Packs one chunk of input (im2col into panels), in parallel over panel runs.
    private static func packChunk(_ plan: ConvPlan, _ chunk: ConvChunk, buffers: Buffers) {
        let (precision, shape, cChunk) = (plan.precision, cShape(plan.shapes[0]), cChunk(chunk))
        let narrow = plan.traits.layout == .narrow
        let tasks = plan.packTasks(chunk)
        ConvParallel.run(taskCount: tasks.count, threads: plan.threads) { _, index in
            let task = tasks[index]
            let (group, first, end) = (Int64(task.group), Int64(task.panels.lowerBound), Int64(task.panels.upperBound))
            withUnsafePointer(to: shape) { shape in
                switch precision {
                case .float64 where narrow:
                    mdk_pack_columns_f64n(
                        shape, buffers.input.assumingMemoryBound(to: Double.self), cChunk,
                        group, first, end, buffers.panels.assumingMemoryBound(to: Double.self))
                case .float64:
                    mdk_pack_columns_f64(
                        shape, buffers.input.assumingMemoryBound(to: Double.self), cChunk,
                        group, first, end, buffers.panels.assumingMemoryBound(to: Double.self))
                case .float32:
                    mdk_pack_columns_f32(
                        shape, buffers.input.assumingMemoryBound(to: Float.self), cChunk,
                        group, first, end, buffers.panels.assumingMemoryBound(to: Float.self))
                }
            }
        }
    }

    /// The multiplies the engine has: weights of the arithmetic's type, or float weights in double.
    private enum GemmArithmetic {
        case float64, float32, float64WithFloat32Weights

        /// The kernel family for these Swift types; traps on a combination the engine lacks.
        init<Scalar: ConvScalar, Weight: ConvScalar>(_: Scalar.Type, weights _: Weight.Type) {
            precondition(
                Scalar.convPrecision == .float64 ? Scalar.self == Double.self : Scalar.self == Float.self,
                "\(Scalar.self) claims \(Scalar.convPrecision) but is not its Swift type")
            precondition(
                Weight.convPrecision == .float64 ? Weight.self == Double.self : Weight.self == Float.self,
                "\(Weight.self) claims \(Weight.convPrecision) but is not its Swift type")
            switch (Scalar.convPrecision, Weight.convPrecision) {
            case (.float64, .float64): self = .float64
            case (.float32, .float32): self = .float32
            case (.float64, .float32): self = .float64WithFloat32Weights
            case (.float32, .float64): preconditionFailure("double weights under float arithmetic are not supported")
            }
        }
    }

    /// Runs every filter's multiply tasks over one packed chunk, in parallel.
    private static func multiplyChunk(
        _ plan: ConvPlan, _ chunk: ConvChunk, arithmetic: GemmArithmetic,
        isa: mdk_isa, buffers: Buffers
    ) {
        let (shapes, cChunk) = (plan.shapes.map(cShape), cChunk(chunk))
        let narrow = plan.traits.layout == .narrow
        let tasks = plan.gemmTasks(chunk)
        ConvParallel.run(taskCount: tasks.count, threads: plan.threads) { worker, index in
            let task = tasks[index]
            let block = mdk_gemm_block(
                group: Int64(task.group), row_begin: Int64(task.rows.lowerBound),
                row_end: Int64(task.rows.upperBound), panel_begin: Int64(task.panels.lowerBound),
                panel_end: Int64(task.panels.upperBound), kc: Int64(plan.depthBlock))
            let scratch = buffers.workspace + worker * plan.workspaceElements * plan.traits.scalarBytes
            let (weight, bias, output) = (
                buffers.weights[task.filter], buffers.biases[task.filter],
                buffers.outputs[task.filter]
            )
            withUnsafePointer(to: shapes[task.filter]) { shape in
                let (panels, chunk) = (UnsafeRawPointer(buffers.panels), cChunk)
                switch arithmetic {
                case .float64 where narrow:
                    mdk_conv_gemm_f64n(
                        shape, isa, weight.assumingMemoryBound(to: Double.self),
                        bias?.assumingMemoryBound(to: Double.self),
                        panels.assumingMemoryBound(to: Double.self), chunk, block,
                        scratch.assumingMemoryBound(to: Double.self),
                        output.assumingMemoryBound(to: Double.self))
                case .float64WithFloat32Weights where narrow:
                    mdk_conv_gemm_f64n_wf32(
                        shape, isa, weight.assumingMemoryBound(to: Float.self),
                        bias?.assumingMemoryBound(to: Float.self),
                        panels.assumingMemoryBound(to: Double.self), chunk, block,
                        scratch.assumingMemoryBound(to: Double.self),
                        output.assumingMemoryBound(to: Double.self))
                case .float64:
                    mdk_conv_gemm_f64(
                        shape, isa, weight.assumingMemoryBound(to: Double.self),
                        bias?.assumingMemoryBound(to: Double.self),
                        panels.assumingMemoryBound(to: Double.self), chunk, block,
                        scratch.assumingMemoryBound(to: Double.self),
                        output.assumingMemoryBound(to: Double.self))
                case .float32:
                    mdk_conv_gemm_f32(
                        shape, isa, weight.assumingMemoryBound(to: Float.self),
                        bias?.assumingMemoryBound(to: Float.self),
                        panels.assumingMemoryBound(to: Float.self), chunk, block,
                        scratch.assumingMemoryBound(to: Float.self),
                        output.assumingMemoryBound(to: Float.self))
                case .float64WithFloat32Weights:
                    mdk_conv_gemm_f64_wf32(
                        shape, isa, weight.assumingMemoryBound(to: Float.self),
                        bias?.assumingMemoryBound(to: Float.self),
                        panels.assumingMemoryBound(to: Double.self), chunk, block,
                        scratch.assumingMemoryBound(to: Double.self),
                        output.assumingMemoryBound(to: Double.self))
                }
            }
        }
    }

    /// Calls `body` with the addresses of every filter's weight and bias, all valid for the call.
    private static func withFilterPointers<Weight, Result>(
        _ filters: [ConvFilter<Weight>], from index: Int = 0,
        weights: [UnsafeRawPointer] = [], biases: [UnsafeRawPointer?] = [],
        _ body: ([UnsafeRawPointer], [UnsafeRawPointer?]) -> Result
    ) -> Result {
        guard index < filters.count else { return body(weights, biases) }
        return filters[index].weight.scalars.withUnsafeBufferPointer { weight in
            let weights = weights + [UnsafeRawPointer(weight.baseAddress!)]
            guard let bias = filters[index].bias else {
                return withFilterPointers(filters, from: index + 1, weights: weights, biases: biases + [nil], body)
            }
            return bias.withUnsafeBufferPointer { bias in
                withFilterPointers(
                    filters, from: index + 1, weights: weights,
                    biases: biases + [UnsafeRawPointer(bias.baseAddress!)], body)
            }
        }
    }

    /// The C description of a validated shape.
    static func cShape(_ shape: ConvShape) -> mdk_conv_shape {
        let (input, weight, output, geometry) = (shape.input, shape.weight, shape.output, shape.geometry)
        return mdk_conv_shape(
            batch: Int64(input.n), in_channels: Int64(input.c), in_height: Int64(input.h), in_width: Int64(input.w),
            out_channels: Int64(weight.n), kernel_height: Int64(weight.h), kernel_width: Int64(weight.w),
            stride_h: Int64(geometry.stride.height), stride_w: Int64(geometry.stride.width),
            pad_h: Int64(geometry.padding.height), pad_w: Int64(geometry.padding.width),
            dilation_h: Int64(geometry.dilation.height), dilation_w: Int64(geometry.dilation.width),
            groups: Int64(geometry.groups), out_height: Int64(output.h), out_width: Int64(output.w))
    }
}

/// A block of scratch memory aligned to a cache line (64 bytes), freed when released.
///
/// Large buffers are returned to the system when freed, and touching fresh pages costs a page
/// fault each (measured: ~12 ms per 512-channel probe on this project's VM, 15% of the
/// convolution), so `ConvScratchCache` keeps one of these between convolutions.
final class ConvScratch: @unchecked Sendable {
    // Sendable: the address never changes; the memory is used by one convolution at a time.
    /// The size in bytes.
    let bytes: Int
    /// The first byte.
    let address: UnsafeMutableRawPointer

    /// Allocates `bytes` bytes (at least one), uninitialised.
    init(bytes: Int) {
        self.bytes = max(1, bytes)
        address = UnsafeMutableRawPointer.allocate(byteCount: self.bytes, alignment: 64)
    }

    deinit {
        address.deallocate()
    }
}
