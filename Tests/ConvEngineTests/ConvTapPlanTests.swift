import XCTest

@testable import ConvEngine
import TestSupport

/// The tap-list multiply skips the products of weights and padding zeros: its outputs must be the dense
/// multiply's bit for bit (a probe's figures may not depend on which one ran), and it must really skip.
final class ConvTapPlanTests: XCTestCase {
    /// A probe of a 3 x 3 layer (batch 2, 3 x 3 input, padding 1): nine classes of pixels, each the same
    /// pixel of both images, meeting 4 (corners), 6 (edges) or 9 (centre) taps: 49 of 81.
    func testAProbeOfAThreeByThreeLayerMultipliesOnlyTheTapsThatMeetTheInput() throws {
        let shape = try ConvShape(input: Shape4(2, 16, 3, 3), weight: Shape4(8, 16, 3, 3), geometry: ConvGeometry(padding: 1))
        let plan = try XCTUnwrap(ConvTapPlan(shape: shape, depthBlock: 256, denseWidth: 6, budget: 1 << 20))
        XCTAssertEqual(plan.classCount, 9)
        XCTAssertEqual(plan.panelWidth, Array(repeating: ConvTapPlan.pairWidth, count: 9))
        XCTAssertEqual(plan.entries.count, 16 * 49)
        XCTAssertEqual(plan.products, 2 * 16 * 49)
        XCTAssertEqual(plan.denseProducts, 18 * 16 * 9)
        // The top-left pixel of both images (columns 0 and 9) meets kernel rows 1-2 and columns 1-2 only.
        XCTAssertEqual(Array(plan.panelColumns[0..<6]), [0, 9, -1, -1, -1, -1])
        XCTAssertEqual(plan.entries.prefix(4), [4, 5, 7, 8])
    }

    func testNoPlanWhenATapNeverMeetsTheInput() throws {
        // Dilation 3 on a 3 x 3 input padded by 3: the centre tap reads the input, the outer ones never do.
        let shape = try ConvShape(
            input: Shape4(1, 2, 3, 3), weight: Shape4(2, 2, 3, 3), geometry: ConvGeometry(padding: 3, dilation: 3))
        XCTAssertNil(ConvTapPlan(shape: shape, depthBlock: 256, denseWidth: 6, budget: 1 << 20))
    }

    func testNoPlanBeyondTheBudget() throws {
        let shape = try ConvShape(input: Shape4(2, 16, 3, 3), weight: Shape4(8, 16, 3, 3), geometry: ConvGeometry(padding: 1))
        XCTAssertNil(ConvTapPlan(shape: shape, depthBlock: 256, denseWidth: 6, budget: 1000))
    }

    /// Random shapes, geometries, batches, groups and blockings, double and float weights, vector and plain
    /// C kernels: the same bits either way.
    func testTapListOutputsAreTheDenseOutputsBitForBit() throws {
        var generator = SplitMix64(seed: 0x7A95_0001)
        var tapRuns = 0
        for trial in 0..<250 {
            let (inputShape, weightShape, geometry) = ConvRandomShapeTests.randomProblem(using: &generator)
            let input = Tensor4<Double>.random(inputShape, using: &generator)
            let filters = Self.randomFilters(Int.random(in: 1...3, using: &generator), weightShape, using: &generator)
            var options = ConvRandomShapeTests.randomOptions(using: &generator)
            options.packedInputBudget = 32 << 20
            var dense = options
            dense.tuning.tapPanels = false
            var taps = options
            taps.tuning.tapPanels = true
            let label = "trial \(trial): input \(inputShape) weight \(weightShape) \(geometry) tuning \(options.tuning)"
            let shape = try ConvShape(input: inputShape, weight: weightShape, geometry: geometry)
            let plan = ConvPlan(
                shapes: [shape], precision: .float64, traits: ConvKernelCalls.traits(for: .float64, columns: shape.columnCount),
                options: taps)
            if Conv2D.tapPlan(plan, options: taps) != nil { tapRuns += 1 }
            let expected = try Conv2D.forward(input, filters: filters, geometry: geometry, options: dense)
            let actual = try Conv2D.forward(input, filters: filters, geometry: geometry, options: taps)
            Self.assertSameBits(actual, expected, label)
            let doubles = filters.map { ConvFilter(weight: $0.weight.asDouble, bias: $0.bias?.map(Double.init)) }
            let expectedDouble = try Conv2D.forward(input, filters: doubles, geometry: geometry, options: dense)
            let actualDouble = try Conv2D.forward(input, filters: doubles, geometry: geometry, options: taps)
            Self.assertSameBits(actualDouble, expectedDouble, "double weights, " + label)
        }
        XCTAssertGreaterThan(tapRuns, 150, "most random problems have a tap plan")
    }

    /// A probe's shape with more channels than a step and rows that are not a multiple of the 24-row panels.
    func testProbeShapesWithManyChannelsAreTheDenseOutputsBitForBit() throws {
        var generator = SplitMix64(seed: 0x7A95_0002)
        for (batch, size, kernel, rows) in [(2, 3, 3, 53), (1, 3, 3, 24), (3, 5, 5, 7), (2, 5, 3, 48)] {
            let geometry = ConvGeometry(padding: ConvPair(kernel / 2))
            let input = Tensor4<Double>.random(Shape4(batch, 70, size, size), using: &generator)
            let weight = Tensor4<Float>.random(Shape4(rows, 70, kernel, kernel), using: &generator)
            let bias = (0..<rows).map { _ in Float.random(in: -1..<1, using: &generator) }
            for portable in [false, true] {
                var dense = ConvOptions(threads: 2)
                dense.tuning.portableKernels = portable
                dense.tuning.tapPanels = false
                var taps = dense
                taps.tuning.tapPanels = true
                let expected = try Conv2D.forward(input, weight: weight, bias: bias, geometry: geometry, options: dense)
                let actual = try Conv2D.forward(input, weight: weight, bias: bias, geometry: geometry, options: taps)
                Self.assertSameBits(
                    [actual], [expected], "batch \(batch) size \(size) kernel \(kernel) rows \(rows) portable \(portable)")
            }
        }
    }

    /// A non-finite weight still reaches the outputs: through the pixels whose taps meet the input.
    func testANonFiniteWeightStillReachesTheOutput() throws {
        var generator = SplitMix64(seed: 0x7A95_0003)
        let input = Tensor4<Double>.random(Shape4(2, 4, 3, 3), using: &generator)
        var values = Tensor4<Double>.random(Shape4(3, 4, 3, 3), using: &generator).scalars
        values[0] = .infinity  // channel 0's corner tap, which meets the input at one pixel of each image
        let weight = try Tensor4(shape: Shape4(3, 4, 3, 3), scalars: values)
        var options = ConvOptions()
        options.tuning.tapPanels = true
        let output = try Conv2D.forward(input, weight: weight, geometry: ConvGeometry(padding: 1), options: options)
        XCTAssertTrue(output.scalars.contains { !$0.isFinite })
    }

    /// `count` float32 filters of `shape`, each with or without a bias.
    static func randomFilters(_ count: Int, _ shape: Shape4, using generator: inout SplitMix64) -> [ConvFilter<Float>] {
        (0..<count).map { _ in
            ConvFilter(
                weight: Tensor4<Float>.random(shape, using: &generator),
                bias: Bool.random(using: &generator)
                    ? (0..<shape.n).map { _ in Float.random(in: -1..<1, using: &generator) } : nil)
        }
    }

    /// Fails with the first output whose bits differ.
    static func assertSameBits(
        _ actual: [Tensor4<Double>], _ expected: [Tensor4<Double>], _ label: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        for (filter, (a, e)) in zip(actual, expected).enumerated() {
            if let index = a.scalars.indices.first(where: { a.scalars[$0].bitPattern != e.scalars[$0].bitPattern }) {
                XCTFail(
                    "\(label): filter \(filter) output \(index): \(a.scalars[index]) against \(e.scalars[index])", file: file,
                    line: line)
                return
            }
        }
    }
}
