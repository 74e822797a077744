import XCTest

@testable import ConvEngine
import TestSupport

/// The float64 engine's two panel layouts (6 x 8 and 8 x 6 tiles) add the same products in the same
/// order, so a probe may use either: the choice is about speed only, never about the figures reported.
final class ConvPanelLayoutTests: XCTestCase {
    func testTheLayoutWastingFewerColumnsIsChosen() {
        let best = { ConvPanelLayout.best(forColumns: $0, wide: 8, narrow: 6) }
        XCTAssertEqual(best(18), .narrow, "a probe's 2 x 3 x 3 pixels: 24 wide, 18 narrow")
        XCTAssertEqual(best(6), .narrow)
        XCTAssertEqual(best(8), .wide)
        XCTAssertEqual(best(24), .wide, "a tie stays wide")
        XCTAssertEqual(best(512), .wide)
        XCTAssertEqual(best(1), .narrow, "5 columns wasted against 7")
        XCTAssertEqual(best(16), .wide)
        XCTAssertEqual(ConvKernelCalls.traits(for: .float64, columns: 18).layout, .narrow)
        XCTAssertEqual(ConvKernelCalls.traits(for: .float64, columns: 18).microColumns, 6)
        XCTAssertEqual(ConvKernelCalls.traits(for: .float64, columns: 512).layout, .wide)
        XCTAssertEqual(ConvKernelCalls.traits(for: .float32, columns: 18).layout, .wide, "float32 has one layout")
    }

    /// A probe's shape (batch 2, 3 x 3, padding 1) with channel counts that are not multiples of either
    /// tile, and a strided, dilated, grouped one; every blocking configuration the other tests use.
    func testNarrowPanelsGiveTheBitsOfWidePanels() throws {
        var generator = SplitMix64(seed: 0x9A7E_1A10)
        let problems: [(Shape4, Shape4, ConvGeometry)] = [
            (Shape4(2, 45, 3, 3), Shape4(37, 45, 3, 3), ConvGeometry(stride: 1, padding: 1, dilation: 1, groups: 1)),
            (
                Shape4(2, 12, 5, 5), Shape4(18, 4, 3, 3),
                ConvGeometry(stride: 2, padding: ConvPair(height: 2, width: 2), dilation: 2, groups: 3)
            ),
            (
                Shape4(3, 8, 7, 4), Shape4(11, 8, 5, 3),
                ConvGeometry(stride: 1, padding: ConvPair(height: 2, width: 1), dilation: 1, groups: 1)
            ),
        ]
        for (inputShape, weightShape, geometry) in problems {
            let input = Tensor4<Double>.random(inputShape, using: &generator)
            let weight = Tensor4<Float>.random(weightShape, using: &generator)
            let bias = (0..<weightShape.n).map { _ in Float.random(in: -1..<1, using: &generator) }
            for (name, base) in ConvOptions.testConfigurations {
                var wide = base
                var narrow = base
                wide.tuning.panelLayout = .wide
                narrow.tuning.panelLayout = .narrow
                let label = "\(name) \(inputShape) \(weightShape)"
                let mixedWide = try Conv2D.forward(input, weight: weight, bias: bias, geometry: geometry, options: wide)
                let mixedNarrow = try Conv2D.forward(input, weight: weight, bias: bias, geometry: geometry, options: narrow)
                XCTAssertEqual(
                    mixedWide.scalars.map(\.bitPattern), mixedNarrow.scalars.map(\.bitPattern), "float32 weights, \(label)")
                let converted = weight.asDouble
                let doubleWide = try Conv2D.forward(
                    input, weight: converted, bias: bias.map(Double.init), geometry: geometry, options: wide)
                let doubleNarrow = try Conv2D.forward(
                    input, weight: converted, bias: bias.map(Double.init), geometry: geometry, options: narrow)
                XCTAssertEqual(
                    doubleWide.scalars.map(\.bitPattern), doubleNarrow.scalars.map(\.bitPattern), "float64 weights, \(label)")
                XCTAssertEqual(doubleWide.scalars.map(\.bitPattern), mixedWide.scalars.map(\.bitPattern), label)
            }
        }
    }
}
