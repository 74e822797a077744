import XCTest

@testable import ConvEngine
import TestSupport

/// Several filters sharing one packed input give what each gives alone.
final class ConvMultiFilterTests: XCTestCase {
    func testFiltersGiveTheSameResultsAsSeparateCalls() throws {
        var generator = SplitMix64(seed: 42)
        let input = Tensor4<Double>.random(Shape4(2, 6, 9, 7), using: &generator)
        let geometry = ConvGeometry(stride: ConvPair(height: 1, width: 2), padding: 1, groups: 2)
        // Different output channel counts, one without bias: all that may differ between filters.
        let filters = [
            ConvFilter(weight: .random(Shape4(8, 3, 3, 3), using: &generator), bias: (0..<8).map { Double($0) }),
            ConvFilter(weight: .random(Shape4(4, 3, 3, 3), using: &generator), bias: nil),
            ConvFilter(weight: .random(Shape4(14, 3, 3, 3), using: &generator), bias: (0..<14).map { -Double($0) }),
        ]
        for options in [ConvOptions(), .tinyBlocks, .portableSerial] {
            let together = try Conv2D.forward(input, filters: filters, geometry: geometry, options: options)
            XCTAssertEqual(together.count, 3)
            for (index, filter) in filters.enumerated() {
                let alone = try Conv2D.forward(
                    input, weight: filter.weight, bias: filter.bias,
                    geometry: geometry, options: options)
                // Same blocking and kernels for the same filter: the very same bits.
                XCTAssertEqual(together[index], alone, "filter \(index) tuning \(options.tuning)")
            }
        }
    }

    func testSingleFilterFormMatchesReference() throws {
        var generator = SplitMix64(seed: 7)
        let input = Tensor4<Float>.random(Shape4(1, 4, 6, 6), using: &generator)
        let weight = Tensor4<Float>.random(Shape4(5, 4, 3, 3), using: &generator)
        let geometry = ConvGeometry(padding: 1)
        let outputs = try Conv2D.forward(input, filters: [ConvFilter(weight: weight)], geometry: geometry)
        let reference = ConvReference(
            input: input.asDouble, weight: weight.asDouble, bias: nil,
            geometry: ConvGeometry(padding: 1))
        XCTAssertEqual(outputs.count, 1)
        XCTAssertEqual(outputs[0].shape, Shape4(1, 5, 6, 6))
        XCTAssertNil(
            ConvTolerance.firstViolation(
                actual: outputs[0].scalars.map { Double($0) }, expected: reference.values,
                magnitudes: reference.magnitudes, fanIn: 36, unitRoundoff: 0x1p-24))
    }
}
