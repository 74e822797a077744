import XCTest

@testable import ConvEngine
import TestSupport

/// The planner cuts work into pieces that cover the output exactly once, within the memory budget.
final class ConvPlanTests: XCTestCase {
    private let traits = ConvKernelTraits(microRows: 6, microColumns: 8, scalarBytes: 8, depthBlock: 256, rowBlock: 144)

    private func plan(
        _ shapes: [ConvShape], threads: Int = 2, budget: Int = 32 << 20,
        rowBlock: Int? = nil
    ) -> ConvPlan {
        var options = ConvOptions(threads: threads, packedInputBudget: budget)
        options.tuning.rowBlock = rowBlock
        return ConvPlan(shapes: shapes, precision: .float64, traits: traits, options: options)
    }

    /// Each (filter, output channel, column) is computed by exactly one task; each (group,
    /// column) is packed by exactly one task.
    private func assertCoversOnce(_ plan: ConvPlan, file: StaticString = #filePath, line: UInt = #line) {
        let columns = plan.shapes[0].columnCount
        let groups = plan.shapes[0].geometry.groups
        var packed = [Int](repeating: 0, count: groups * columns)
        var computed = plan.shapes.map { [Int](repeating: 0, count: $0.output.c * columns) }
        for index in 0..<plan.chunkCount {
            let chunk = plan.chunk(index)
            XCTAssertLessThanOrEqual(
                chunk.groups.count * chunk.panelCount * plan.shapes[0].fanIn * 8,
                plan.packedElements, file: file, line: line)
            func chunkColumns(_ panels: Range<Int>) -> Range<Int> {
                let first = chunk.columns.lowerBound + panels.lowerBound * 8
                return first..<min(chunk.columns.lowerBound + panels.upperBound * 8, chunk.columns.upperBound)
            }
            for task in plan.packTasks(chunk) {
                for column in chunkColumns(task.panels) { packed[task.group * columns + column] += 1 }
            }
            for task in plan.gemmTasks(chunk) {
                let shape = plan.shapes[task.filter]
                let groupRows = shape.output.c / groups
                XCTAssertLessThanOrEqual(
                    task.rows.count * plan.depthBlock, plan.workspaceElements,
                    file: file, line: line)
                for row in task.rows {
                    for column in chunkColumns(task.panels) {
                        computed[task.filter][(task.group * groupRows + row) * columns + column] += 1
                    }
                }
            }
        }
        XCTAssertEqual(Set(packed), [1], file: file, line: line)
        for counts in computed { XCTAssertEqual(Set(counts), [1], file: file, line: line) }
    }

    func testProbeSizedLayerIsOneChunkWithBalancedRowBlocks() throws {
        let shape = try ConvShape(
            input: Shape4(2, 512, 16, 16), weight: Shape4(512, 512, 3, 3),
            geometry: ConvGeometry(padding: 1))
        let plan = plan([shape, shape, shape])
        XCTAssertEqual(plan.chunkCount, 1)
        let tasks = plan.gemmTasks(plan.chunk(0))
        XCTAssertEqual(tasks.count, 12, "4 row blocks of about 128 channels for each of 3 filters")
        XCTAssertEqual(self.plan([shape]).gemmTasks(plan.chunk(0)).count, 8, "one filter: columns split in 2")
        XCTAssertEqual(Set(tasks.map(\.rows.count)), [126, 128, 132])
        XCTAssertEqual(plan.packedElements, 4608 * 512)
        assertCoversOnce(plan)
    }

    func testSmallBudgetCutsColumnsIntoChunks() throws {
        let shape = try ConvShape(
            input: Shape4(3, 4, 9, 10), weight: Shape4(5, 4, 3, 3),
            geometry: ConvGeometry(padding: 1))
        // One panel is 36 taps x 8 columns x 8 bytes = 2304 bytes; 5000 bytes hold two.
        let plan = plan([shape], budget: 5000)
        XCTAssertEqual(plan.chunkCount, 17)  // ceil(270 / 8) = 34 panels, two per chunk
        XCTAssertEqual(plan.packedElements, 2 * 36 * 8)
        assertCoversOnce(plan)
    }

    func testGroupsAreChunkedWhenAllPanelsOfAllGroupsDoNotFit() throws {
        let shape = try ConvShape(
            input: Shape4(1, 12, 5, 5), weight: Shape4(8, 3, 3, 3),
            geometry: ConvGeometry(padding: 1, groups: 4))
        // 4 panels per group of 27 x 8 doubles (1728 bytes each): a budget of 2.5 groups' worth.
        let plan = plan([shape], budget: 1728 * 10)
        XCTAssertEqual(plan.chunkCount, 2)
        XCTAssertEqual(plan.chunk(0).groups, 0..<2)
        XCTAssertEqual(plan.chunk(1).groups, 2..<4)
        assertCoversOnce(plan)
    }

    func testBudgetBelowOnePanelStillHoldsOnePanel() throws {
        let shape = try ConvShape(
            input: Shape4(1, 2, 4, 4), weight: Shape4(4, 1, 3, 3),
            geometry: ConvGeometry(groups: 2))
        let plan = plan([shape], budget: 1)
        XCTAssertEqual(plan.packedElements, 9 * 8)
        XCTAssertEqual(plan.chunkCount, 2)  // 4 columns = one panel per group, 2 groups
        assertCoversOnce(plan)
    }

    func testFewRowsAreSplitByColumnsToFeedEveryThread() throws {
        let shape = try ConvShape(input: Shape4(2, 3, 20, 20), weight: Shape4(4, 3, 3, 3), geometry: ConvGeometry())
        let plan = plan([shape], threads: 2)
        XCTAssertEqual(plan.gemmTasks(plan.chunk(0)).count, 8)
        XCTAssertEqual(self.plan([shape], threads: 1).gemmTasks(plan.chunk(0)).count, 1)
        assertCoversOnce(plan)
    }

    func testRandomPlansCoverEverythingOnce() throws {
        var generator = SplitMix64(seed: 99)
        for _ in 0..<100 {
            let (input, weight, geometry) = ConvRandomShapeTests.randomProblem(using: &generator)
            let shape = try ConvShape(input: input, weight: weight, geometry: geometry)
            let other = try ConvShape(
                input: input, weight: Shape4(geometry.groups * 2, weight.c, weight.h, weight.w),
                geometry: geometry)
            assertCoversOnce(
                plan(
                    [shape, other], threads: Int.random(in: 1...4, using: &generator),
                    budget: [1, 2_000, 1 << 20].randomElement(using: &generator)!,
                    rowBlock: [nil, 6, 12].randomElement(using: &generator)!))
        }
    }

    func testHugeBudgetIsClampedAndHoldsEverythingInOneChunk() throws {
        let shape = try ConvShape(
            input: Shape4(2, 6, 8, 8), weight: Shape4(4, 3, 3, 3),
            geometry: ConvGeometry(padding: 1, groups: 2))
        let plan = plan([shape], budget: Int.max)
        XCTAssertEqual(plan.chunkCount, 1)
        XCTAssertEqual(plan.packedElements, 2 * 16 * 27 * 8)
        assertCoversOnce(plan)
    }

    func testThreadCountsBelowOneMeanOneThread() throws {
        let shape = try ConvShape(input: Shape4(1, 3, 8, 8), weight: Shape4(4, 3, 3, 3), geometry: ConvGeometry())
        XCTAssertEqual(plan([shape], threads: 0).threads, 1)
        XCTAssertEqual(plan([shape], threads: -5).threads, 1)
    }

    func testSplitIsBalancedAndContiguous() {
        XCTAssertEqual(ConvPlan.split(10, into: 3), [0..<3, 3..<6, 6..<10])
        XCTAssertEqual(ConvPlan.split(5, into: 5).map(\.count), [1, 1, 1, 1, 1])
    }
}
