/// The facts about one scalar type's kernels that planning needs.
struct ConvKernelTraits: Equatable {
    /// Output channels per micro-tile (MR).
    let microRows: Int
    /// Output pixels per micro-tile and per packed panel (NR).
    let microColumns: Int
    /// Bytes per scalar.
    let scalarBytes: Int
    /// Default kernel taps per cache block (kc): a kc x NR panel fills half of a 32 KiB L1.
    let depthBlock: Int
    /// Default maximum output channels per task (mc): an mc x kc weight block fits a 512 KiB L2.
    let rowBlock: Int
    /// Which panel layout the kernels use (float64 has two; see ``ConvPanelLayout``).
    var layout: ConvPanelLayout = .wide
}

/// The float64 kernels come in two tile shapes with the same arithmetic: wide (6 channels x 8 pixels)
/// and narrow (8 channels x 6 pixels). A tile always computes all its pixels, so an output of 18 pixels
/// (a probe: batch 2, 3 x 3) costs 24 in wide panels and 18 in narrow ones.
enum ConvPanelLayout: Equatable {
    case wide, narrow

    /// The layout that computes the fewest padding columns for `columns` output pixels (wide on a tie).
    static func best(forColumns columns: Int, wide: Int, narrow: Int) -> ConvPanelLayout {
        let waste = { (width: Int) in ConvPlan.ceilDiv(columns, width) * width - columns }
        return waste(narrow) < waste(wide) ? .narrow : .wide
    }
}

/// Output pixels of some channel groups whose packed input is held at once (see the C header's
/// `mdk_column_chunk`).
struct ConvChunk: Equatable {
    let groups: Range<Int>
    let columns: Range<Int>
    let panelCount: Int
}

/// Packing work: panels `panels` of group `group` of a chunk.
struct ConvPackTask: Equatable {
    let group: Int
    let panels: Range<Int>
}

/// Multiply work: rows `rows` (relative to the group's first output channel) of group `group` of
/// filter `filter`, for the chunk panels `panels`.
struct ConvGemmTask: Equatable {
    let filter: Int
    let group: Int
    let rows: Range<Int>
    let panels: Range<Int>
}

/// How one convolution (one input, one or more filters) is cut into chunks and tasks.
///
/// Pure arithmetic on validated shapes, kept apart from the code that runs it so that it can be
/// tested alone. Memory: one chunk of packed input (bounded by the budget, or a single panel per
/// group) plus `workspaceElements` per worker.
struct ConvPlan {
    let shapes: [ConvShape]
    let precision: ConvPrecision
    let traits: ConvKernelTraits
    let threads: Int
    /// Use the plain C kernels even where AVX2+FMA are available.
    let portableKernels: Bool
    /// Kernel taps per cache block.
    let depthBlock: Int
    private let rowBlock: Int
    private let panelsPerChunk: Int
    private let groupsPerChunk: Int
    private let totalPanels: Int

    /// A plan for `shapes` (one per filter, all with the same input, kernel and geometry).
    init(shapes: [ConvShape], precision: ConvPrecision, traits: ConvKernelTraits, options: ConvOptions) {
        precondition(!shapes.isEmpty, "a plan needs at least one filter")
        let shape = shapes[0]
        self.shapes = shapes
        self.precision = precision
        self.traits = traits
        threads = max(1, options.threads)
        portableKernels = options.tuning.portableKernels
        depthBlock = min(shape.fanIn, max(1, options.tuning.depthBlock ?? traits.depthBlock))
        rowBlock = max(traits.microRows, options.tuning.rowBlock ?? traits.rowBlock)
        totalPanels = Self.ceilDiv(shape.columnCount, traits.microColumns)
        // fanIn <= 2^20, NR <= 16, 8-byte scalars: at most 2^27, no overflow.
        let panelBytes = shape.fanIn * traits.microColumns * traits.scalarBytes
        // Clamped so that buffer sizes derived from it cannot overflow.
        let budget = min(options.packedInputBudget, ConvOptions.maxPackedInputBudget)
        let capacity = max(1, budget / panelBytes)
        if capacity >= totalPanels {
            panelsPerChunk = totalPanels
            groupsPerChunk = min(shape.geometry.groups, capacity / totalPanels)
        } else {
            panelsPerChunk = capacity
            groupsPerChunk = 1
        }
    }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

    private var panelChunksPerGroupChunk: Int { Self.ceilDiv(totalPanels, panelsPerChunk) }

    /// The number of chunks, processed one after the other.
    var chunkCount: Int {
        Self.ceilDiv(shapes[0].geometry.groups, groupsPerChunk) * panelChunksPerGroupChunk
    }

    /// Chunk `index`: group blocks outermost, then runs of panels.
    func chunk(_ index: Int) -> ConvChunk {
        let groupBlock = index / panelChunksPerGroupChunk
        let panelBlock = index % panelChunksPerGroupChunk
        let firstGroup = groupBlock * groupsPerChunk
        let groups = firstGroup..<min(firstGroup + groupsPerChunk, shapes[0].geometry.groups)
        let firstPanel = panelBlock * panelsPerChunk
        let panelCount = min(panelsPerChunk, totalPanels - firstPanel)
        let firstColumn = firstPanel * traits.microColumns
        let columns = firstColumn..<min(firstColumn + panelCount * traits.microColumns, shapes[0].columnCount)
        return ConvChunk(groups: groups, columns: columns, panelCount: panelCount)
    }

    /// Elements of the packed-input buffer: enough for the largest chunk.
    var packedElements: Int {
        groupsPerChunk * panelsPerChunk * shapes[0].fanIn * traits.microColumns
    }

    /// Elements of scratch each worker needs for packed weight blocks.
    var workspaceElements: Int {
        let rows = shapes.map { rowSplit(groupRows: $0.output.c / $0.geometry.groups).maxRows }.max() ?? 0
        return rows * depthBlock
    }

    /// Packing tasks for `chunk`: about four per thread so uneven tasks still balance.
    func packTasks(_ chunk: ConvChunk) -> [ConvPackTask] {
        let perGroup = min(chunk.panelCount, max(1, Self.ceilDiv(4 * threads, chunk.groups.count)))
        return chunk.groups.flatMap { group in
            Self.split(chunk.panelCount, into: perGroup).map { ConvPackTask(group: group, panels: $0) }
        }
    }

    /// Multiply tasks for `chunk`, all filters together: row blocks of at most `rowBlock` output
    /// channels (whole micro-tiles, balanced), and column splits only when there would otherwise
    /// be fewer than four tasks per thread (so a thread slowed by another process hands work over
    /// to the others in small enough pieces).
    func gemmTasks(_ chunk: ConvChunk) -> [ConvGemmTask] {
        let splits = shapes.map { rowSplit(groupRows: $0.output.c / $0.geometry.groups) }
        let rowTasks = splits.reduce(0) { $0 + $1.blocks.count } * chunk.groups.count
        let wanted = threads > 1 ? 4 * threads : 1
        let columnBlocks = min(chunk.panelCount, max(1, Self.ceilDiv(wanted, rowTasks)))
        let panelRanges = Self.split(chunk.panelCount, into: columnBlocks)
        var tasks: [ConvGemmTask] = []
        for (filter, split) in splits.enumerated() {
            for group in chunk.groups {
                for rows in split.blocks {
                    for panels in panelRanges {
                        tasks.append(ConvGemmTask(filter: filter, group: group, rows: rows, panels: panels))
                    }
                }
            }
        }
        return tasks
    }

    /// Output channels of one group cut into balanced blocks of whole micro-tiles.
    private func rowSplit(groupRows: Int) -> (blocks: [Range<Int>], maxRows: Int) {
        let microRows = traits.microRows
        let tiles = Self.ceilDiv(groupRows, microRows)
        let blockCount = Self.ceilDiv(tiles, max(1, rowBlock / microRows))
        let blocks = Self.split(tiles, into: blockCount).map {
            ($0.lowerBound * microRows)..<min($0.upperBound * microRows, groupRows)
        }
        return (blocks, Self.ceilDiv(tiles, blockCount) * microRows)
    }

    /// `0..<count` cut into `parts` contiguous ranges whose sizes differ by at most one.
    static func split(_ count: Int, into parts: Int) -> [Range<Int>] {
        precondition(parts >= 1 && parts <= max(1, count), "bad split of \(count) into \(parts)")
        return (0..<parts).map { (count * $0 / parts)..<(count * ($0 + 1) / parts) }
    }
}
