internal import CMergeDAConvKernels

// With ConvKernelCalls.swift and ReductionKernelCalls.swift, the only files of ConvEngine that touch raw
// memory or call C: this one runs the tap-list multiply (merge_daconv_tap_gemm.h).

/// A convolution's input packed for the tap-list multiply (`ConvTapPlan`): the plan's arrays in memory
/// the C kernels read, and every group's packed input values. Built once per input; then any number of
/// filters, or blocks of a filter's output channels, are multiplied against it, from any thread.
final class ConvTapInput: @unchecked Sendable {
    // Sendable: everything is written in init only; multiplies read it and write their own outputs.
    let plan: ConvTapPlan
    let shape: ConvShape
    private let entries: UnsafeMutableBufferPointer<Int32>
    private let integers: UnsafeMutableBufferPointer<Int64>
    private var cPlan: mdk_tap_plan
    private let values: UnsafeMutableBufferPointer<Double>

    /// Output rows per multiply task, a multiple of the 24-row weight panels.
    static let rowBlock = 144

    init(plan: ConvTapPlan, shape: ConvShape, input: [Double]) {
        self.plan = plan
        self.shape = shape
        entries = .allocate(capacity: max(1, plan.entries.count))
        _ = entries.initialize(from: plan.entries)
        let tables = [plan.stepStart, plan.panelColumns, plan.panelWidth, plan.panelClass, plan.panelValues]
        integers = .allocate(capacity: max(1, tables.reduce(0) { $0 + $1.count }))
        var offsets: [Int] = []
        var next = 0
        for table in tables {
            offsets.append(next)
            for (index, value) in table.enumerated() { integers[next + index] = Int64(value) }
            next += table.count
        }
        let base = integers.baseAddress!
        cPlan = mdk_tap_plan(
            panel_count: Int64(plan.panelCount), list_count: Int64(plan.classCount), block_count: Int64(plan.blockCount),
            kc: Int64(plan.depthBlock), steps: Int64(plan.stepsPerBlock), step: Int64(plan.step),
            values_per_group: Int64(plan.valuesPerGroup), entries: entries.baseAddress, step_start: base + offsets[0],
            panel_columns: base + offsets[1], panel_width: base + offsets[2], panel_list: base + offsets[3],
            panel_values: base + offsets[4])
        let groups = shape.geometry.groups
        values = .allocate(capacity: max(1, plan.valuesPerGroup * groups))
        input.withUnsafeBufferPointer { input in
            withUnsafePointer(to: ConvKernelCalls.cShape(shape)) { shape in
                withUnsafePointer(to: cPlan) { cPlan in
                    for group in 0..<groups {
                        mdk_tap_pack_f64(shape, cPlan, input.baseAddress!, Int64(group), values.baseAddress!)
                    }
                }
            }
        }
    }

    deinit {
        entries.deallocate()
        integers.deallocate()
        values.deallocate()
    }

    /// Doubles of scratch one multiply of up to `rows` output rows needs.
    func workspaceDoubles(rows: Int) -> Int {
        withUnsafePointer(to: cPlan) { Int(mdk_tap_workspace_doubles($0, Int64(rows))) }
    }

    /// Output rows `rows` of group `group` (relative to the group's first channel) of a filter of
    /// `filterShape` (this input, any number of output channels), every column: `output = bias + weight
    /// rows * input`. `weightRows` holds exactly those rows, fan-in values each; `bias` every output
    /// channel's; `output` the whole `[N, O, Ho, Wo]` output.
    func multiply<Weight: ConvScalar>(
        filterShape: ConvShape, weightRows: UnsafeBufferPointer<Weight>, bias: UnsafeBufferPointer<Weight>?, group: Int,
        rows: Range<Int>, workspace: UnsafeMutablePointer<Double>, output: UnsafeMutablePointer<Double>, portable: Bool
    ) {
        precondition(weightRows.count == rows.count * shape.fanIn, "the rows' weights")
        precondition(filterShape.input == shape.input && filterShape.geometry == shape.geometry, "a filter for this input")
        let isa = portable ? MDK_ISA_PORTABLE : mdk_best_isa()
        withUnsafePointer(to: ConvKernelCalls.cShape(filterShape)) { shape in
            withUnsafePointer(to: cPlan) { plan in
                let (values, group, begin, end) = (
                    values.baseAddress!, Int64(group), Int64(rows.lowerBound), Int64(rows.upperBound)
                )
                if Weight.self == Float.self {
                    mdk_tap_gemm_f64_wf32(
                        shape, isa, plan, UnsafeRawPointer(weightRows.baseAddress!).assumingMemoryBound(to: Float.self),
                        bias.map { UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: Float.self) }, values, group,
                        begin, end, workspace, output)
                } else {
                    precondition(Weight.self == Double.self, "float or double weights")
                    mdk_tap_gemm_f64(
                        shape, isa, plan, UnsafeRawPointer(weightRows.baseAddress!).assumingMemoryBound(to: Double.self),
                        bias.map { UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: Double.self) }, values, group,
                        begin, end, workspace, output)
                }
            }
        }
    }

    /// ``multiply(filterShape:weightRows:bias:group:rows:workspace:output:portable:)`` on arrays: `weights` holds
    /// exactly the rows, `output` the whole output, `workspace` at least ``workspaceDoubles(rows:)`` values.
    func multiply<Weight: ConvScalar>(
        filterShape: ConvShape, weights: ArraySlice<Weight>, bias: [Weight]?, group: Int, rows: Range<Int>,
        into output: inout [Double], workspace: inout [Double], portable: Bool
    ) {
        precondition(output.count == filterShape.output.elementCount! && workspace.count >= workspaceDoubles(rows: rows.count))
        weights.withUnsafeBufferPointer { weights in
            withOptionalBuffer(bias) { bias in
                workspace.withUnsafeMutableBufferPointer { workspace in
                    output.withUnsafeMutableBufferPointer { output in
                        multiply(
                            filterShape: filterShape, weightRows: weights, bias: bias, group: group, rows: rows,
                            workspace: workspace.baseAddress!, output: output.baseAddress!, portable: portable)
                    }
                }
            }
        }
    }

    /// Every filter's output for `filters` (weights of the shape's kernel), in parallel over blocks of output
    /// rows: what `Conv2D` computes with the dense multiply, bit for bit.
    func run<Weight: ConvScalar>(filters: [ConvFilter<Weight>], shapes: [ConvShape], threads: Int, portable: Bool) -> [[Double]] {
        let tasks = shapes.indices.flatMap { filter in
            let groupRows = shapes[filter].output.c / shape.geometry.groups
            return (0..<shape.geometry.groups).flatMap { group in
                stride(from: 0, to: groupRows, by: Self.rowBlock).map {
                    (filter: filter, group: group, rows: $0..<min($0 + Self.rowBlock, groupRows))
                }
            }
        }
        let workers = ConvParallel.workers(taskCount: tasks.count, threads: threads)
        let perWorker = workspaceDoubles(rows: Self.rowBlock)
        let workspace = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(1, workers * perWorker))
        defer { workspace.deallocate() }
        let outputs = shapes.map { UnsafeMutableBufferPointer<Double>.allocate(capacity: $0.output.elementCount!) }
        defer {
            for output in outputs { output.deallocate() }
        }
        let shared = SharedBuffers(workspace: workspace.baseAddress!, outputs: outputs.map { $0.baseAddress! })
        ConvParallel.run(taskCount: tasks.count, threads: threads) { worker, index in
            let task = tasks[index]
            let filter = filters[task.filter]
            let fanIn = shape.fanIn
            let first = (task.group * (shapes[task.filter].output.c / shape.geometry.groups) + task.rows.lowerBound) * fanIn
            filter.weight.scalars.withUnsafeBufferPointer { weight in
                withOptionalBuffer(filter.bias) { bias in
                    multiply(
                        filterShape: shapes[task.filter],
                        weightRows: UnsafeBufferPointer(rebasing: weight[first..<(first + task.rows.count * fanIn)]), bias: bias,
                        group: task.group, rows: task.rows, workspace: shared.workspace + worker * perWorker,
                        output: shared.outputs[task.filter], portable: portable)
                }
            }
        }
        return outputs.map { Array($0) }
    }
}

/// Calls `body` with the buffer of `values`, or nil.
func withOptionalBuffer<Value, Result>(_ values: [Value]?, _ body: (UnsafeBufferPointer<Value>?) -> Result) -> Result {
    guard let values else { return body(nil) }
    return values.withUnsafeBufferPointer { body($0) }
}

/// Addresses the workers of one run share: each writes its own workspace and its own output rows.
private struct SharedBuffers: @unchecked Sendable {
    // Sendable: workers use disjoint parts; the buffers outlive them (ConvParallel.run waits).
    let workspace: UnsafeMutablePointer<Double>
    let outputs: [UnsafeMutablePointer<Double>]
}
