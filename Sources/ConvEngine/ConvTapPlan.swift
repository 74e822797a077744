/// Which kernel taps each output pixel reads from the input rather than from the zero padding, and how
/// the tap-list multiply (`mdk_tap_gemm_*`) walks them.
///
/// A probe's input is as small as the kernel (3 x 3 for a 3 x 3 kernel), so most output pixels sit on a
/// border: of the 81 tap-pixel pairs of a 3 x 3 probe only 49 meet the input, and the dense multiply
/// spends 40% of its products on padding zeros. The taps an output pixel meets form a rectangle (a run of
/// kernel rows times a run of kernel columns), so the pixels fall into a few classes; each class gets the
/// list of fan-in positions it meets, and its pixels (of every batch image) are multiplied over that list
/// only. Skipping a product of a weight and a padding zero leaves the sums unchanged, so the outputs are
/// the dense multiply's bit for bit (see the C header).
///
/// Pure arithmetic on a validated shape, kept apart from the code that runs it so it can be tested alone.
struct ConvTapPlan: Equatable {
    /// Columns per panel for a class of many pixels (8 x 6 tiles), and for one of one or two (24 x 2 tiles).
    static let wideWidth = 6
    static let pairWidth = 2
    /// Taps per step: a step's weights for 24 output channels (12 KiB) stay in L1 while every panel reads them.
    static let defaultStep = 64

    /// Taps per depth block (the dense multiply's kc: the sums' blocking, which the results depend on).
    let depthBlock: Int
    let step: Int
    let stepsPerBlock: Int
    let blockCount: Int
    /// Every class's fan-in positions, as offsets in their depth block, class after class.
    private(set) var entries: [Int32] = []
    /// Per class, the first entry of each step, and one more for the class's end.
    private(set) var stepStart: [Int] = []
    /// Per panel: `wideWidth` output columns (-1 for an unused lane), its width, its class, and where its
    /// packed input values start.
    private(set) var panelColumns: [Int] = []
    private(set) var panelWidth: [Int] = []
    private(set) var panelClass: [Int] = []
    private(set) var panelValues: [Int] = []
    /// Packed input values of one group: every panel's width times its class's entries.
    private(set) var valuesPerGroup = 0
    /// Products per output channel and group that the dense multiply computes (whole panels of `denseWidth`).
    let denseProducts: Int

    var panelCount: Int { panelWidth.count }
    var classCount: Int { stepStart.count / (blockCount * stepsPerBlock + 1) }

    /// The plan for `shape` with depth blocks of `depthBlock` taps, against a dense multiply of panels
    /// `denseWidth` columns wide. Nil when its tables and packed input would take more than `budget` bytes,
    /// or when some kernel tap meets no input pixel at all (its weights would then never reach an output,
    /// where the dense multiply would still carry a non-finite one into every output as NaN).
    init?(shape: ConvShape, depthBlock: Int, denseWidth: Int, budget: Int, step: Int = ConvTapPlan.defaultStep) {
        let kernel = shape.weight
        let rows = Self.ranges(shape.output.h, size: shape.input.h, kernel: kernel.h, axis: .height, shape.geometry)
        let columns = Self.ranges(shape.output.w, size: shape.input.w, kernel: kernel.w, axis: .width, shape.geometry)
        guard Self.covers(rows.map(\.taps), kernel.h), Self.covers(columns.map(\.taps), kernel.w) else { return nil }
        // In Double: the sizes of hostile shapes may overflow Int, and an estimate is all a budget needs.
        var bytes = 0.0
        for row in rows {
            for column in columns {
                let entries = Double(kernel.c * row.taps.count * column.taps.count)
                let members = shape.output.n * row.outputs.count * column.outputs.count
                bytes += entries * (4 + 8 * Double(shape.geometry.groups) * Double(Self.lanes(members)))
            }
        }
        guard bytes <= Double(budget) else { return nil }
        self.depthBlock = depthBlock
        self.step = min(step, depthBlock)
        stepsPerBlock = ConvPlan.ceilDiv(depthBlock, self.step)
        blockCount = ConvPlan.ceilDiv(shape.fanIn, depthBlock)
        denseProducts = ConvPlan.ceilDiv(shape.columnCount, denseWidth) * denseWidth * shape.fanIn
        let pixels = shape.output.h * shape.output.w
        for row in rows {
            for column in columns {
                let members = (0..<shape.output.n).flatMap { n in
                    row.outputs.flatMap { oh in column.outputs.map { n * pixels + oh * shape.output.w + $0 } }
                }
                let count = addClass(channels: kernel.c, kernel: kernel, rows: row.taps, columns: column.taps)
                addPanels(members.sorted(), classIndex: classCount - 1, entries: count)
            }
        }
    }

    /// Lanes of the panels a class of `members` output columns is cut into (see ``addPanels``).
    private static func lanes(_ members: Int) -> Int {
        let remainder = members % wideWidth
        return members - remainder + (remainder == 0 ? 0 : remainder <= pairWidth ? pairWidth : wideWidth)
    }

    /// Products per output channel and group of the tap-list multiply (lanes of every panel, used or not).
    var products: Int { valuesPerGroup }

    /// The kernel taps along one axis that output position `o` meets, grouped: each distinct run of taps
    /// with the output positions that meet exactly it.
    private static func ranges(
        _ outputs: Int, size: Int, kernel: Int, axis: ConvAxis, _ geometry: ConvGeometry
    ) -> [(taps: Range<Int>, outputs: [Int])] {
        var groups: [(taps: Range<Int>, outputs: [Int])] = []
        let (stride, padding, dilation) = (geometry.stride[axis], geometry.padding[axis], geometry.dilation[axis])
        for o in 0..<outputs {
            // Tap t reads input o * stride - padding + t * dilation, inside [0, size).
            let origin = o * stride - padding
            let first = max(0, ceilDivide(-origin, dilation))
            let end = min(kernel, floorDivide(size - 1 - origin, dilation) + 1)
            let taps = first < end ? first..<end : 0..<0
            if let index = groups.firstIndex(where: { $0.taps == taps }) {
                groups[index].outputs.append(o)
            } else {
                groups.append((taps, [o]))
            }
        }
        return groups
    }

    private static func covers(_ runs: [Range<Int>], _ kernel: Int) -> Bool {
        (0..<kernel).allSatisfy { tap in runs.contains { $0.contains(tap) } }
    }

    private static func ceilDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }
    private static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Appends a class's entries (fan-in positions k = (c * kh + ki) * kw + kj for the taps it meets) with
    /// its step starts; returns how many entries it has.
    private mutating func addClass(channels: Int, kernel: Shape4, rows: Range<Int>, columns: Range<Int>) -> Int {
        let first = entries.count
        var nextStep = 0
        for c in 0..<channels {
            for ki in rows {
                for kj in columns {
                    let k = (c * kernel.h + ki) * kernel.w + kj
                    let (block, offset) = k.quotientAndRemainder(dividingBy: depthBlock)
                    while nextStep <= block * stepsPerBlock + offset / step {
                        stepStart.append(entries.count)
                        nextStep += 1
                    }
                    entries.append(Int32(offset))
                }
            }
        }
        while nextStep <= blockCount * stepsPerBlock {
            stepStart.append(entries.count)
            nextStep += 1
        }
        return entries.count - first
    }

    /// Cuts a class's output columns into panels: of `wideWidth` while six remain, the rest in one
    /// panel of `pairWidth` when two or fewer remain, else in one partly used wide panel.
    private mutating func addPanels(_ members: [Int], classIndex: Int, entries: Int) {
        var index = 0
        while index < members.count {
            let remaining = members.count - index
            let width = remaining <= Self.pairWidth ? Self.pairWidth : Self.wideWidth
            let lanes = min(width, remaining)
            panelColumns += (0..<Self.wideWidth).map { $0 < lanes ? members[index + $0] : -1 }
            panelWidth.append(width)
            panelClass.append(classIndex)
            panelValues.append(valuesPerGroup)
            valuesPerGroup += width * entries
            index += lanes
        }
    }
}
