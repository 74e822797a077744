import XCTest

@testable import ConvEngine

/// Every `ConvError` case, each triggered by the smallest request that has exactly that fault.
final class ConvErrorTests: XCTestCase {
    private let geometry = ConvGeometry()

    private func shapeError(
        _ input: Shape4, _ weight: Shape4, _ geometry: ConvGeometry = ConvGeometry(),
        file: StaticString = #filePath, line: UInt = #line
    ) -> ConvError? {
        do {
            _ = try ConvShape(input: input, weight: weight, geometry: geometry)
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch {
            return error as? ConvError
        }
    }

    func testExtentOutOfRange() {
        XCTAssertEqual(
            shapeError(Shape4(1, 3, 0, 5), Shape4(2, 3, 1, 1)),
            .extentOutOfRange(.input, dimension: 2, value: 0))
        XCTAssertEqual(
            shapeError(Shape4(1, 3, 4, 4), Shape4(2, 3, 1, -1)),
            .extentOutOfRange(.weight, dimension: 3, value: -1))
        XCTAssertEqual(
            shapeError(Shape4(ConvLimits.maxExtent + 1, 1, 1, 1), Shape4(1, 1, 1, 1)),
            .extentOutOfRange(.input, dimension: 0, value: ConvLimits.maxExtent + 1))
    }

    func testScalarCountMismatch() {
        XCTAssertThrowsError(try Tensor4<Double>(shape: Shape4(1, 2, 3, 4), scalars: [1, 2, 3])) {
            XCTAssertEqual($0 as? ConvError, .scalarCountMismatch(shape: Shape4(1, 2, 3, 4), count: 3))
        }
        // Negative dimensions whose product would equal the count are still refused.
        XCTAssertThrowsError(try Tensor4<Float>(shape: Shape4(-1, -1, 1, 1), scalars: [1])) {
            XCTAssertEqual($0 as? ConvError, .scalarCountMismatch(shape: Shape4(-1, -1, 1, 1), count: 1))
        }
        XCTAssertNil(Shape4(1 << 32, 1 << 32, 1, 1).elementCount, "overflow must not wrap")
    }

    func testTooManyElements() {
        let limit = ConvLimits.maxElements
        XCTAssertEqual(
            shapeError(Shape4(2, 1 << 10, 1 << 10, 1 << 10), Shape4(1, 1 << 10, 1, 1)),
            .tooManyElements(.input, limit: limit))
        XCTAssertEqual(
            shapeError(Shape4(1, 1 << 16, 1, 1), Shape4(1 << 15, 1 << 16, 1, 1)),
            .tooManyElements(.weight, limit: limit))
        // A 1x1 input padded by 2^14 on each side gives (2^15 + 1)^2 > 2^30 output pixels.
        XCTAssertEqual(
            shapeError(Shape4(1, 1, 1, 1), Shape4(1, 1, 1, 1), ConvGeometry(padding: ConvPair(1 << 14))),
            .tooManyElements(.output, limit: limit))
    }

    func testFanInTooLarge() {
        XCTAssertEqual(
            shapeError(Shape4(1, 1 << 12, 16, 32), Shape4(1, 1 << 12, 16, 32)),
            .fanInTooLarge(fanIn: 1 << 21, limit: ConvLimits.maxFanIn))
    }

    func testGeometryOutOfRange() {
        let (input, weight) = (Shape4(1, 4, 5, 5), Shape4(2, 4, 1, 1))
        XCTAssertEqual(
            shapeError(input, weight, ConvGeometry(stride: ConvPair(height: 0, width: 1))),
            .geometryOutOfRange(.stride, axis: .height, value: 0))
        XCTAssertEqual(
            shapeError(input, weight, ConvGeometry(padding: ConvPair(height: 0, width: -1))),
            .geometryOutOfRange(.padding, axis: .width, value: -1))
        XCTAssertEqual(
            shapeError(input, weight, ConvGeometry(dilation: ConvPair(height: -2, width: 1))),
            .geometryOutOfRange(.dilation, axis: .height, value: -2))
        XCTAssertEqual(
            shapeError(input, weight, ConvGeometry(groups: 0)),
            .geometryOutOfRange(.groups, axis: nil, value: 0))
        XCTAssertEqual(
            shapeError(input, weight, ConvGeometry(stride: ConvPair(ConvLimits.maxExtent + 1))),
            .geometryOutOfRange(.stride, axis: .height, value: ConvLimits.maxExtent + 1))
    }

    func testChannelsNotDivisibleByGroups() {
        XCTAssertEqual(
            shapeError(Shape4(1, 6, 4, 4), Shape4(4, 1, 1, 1), ConvGeometry(groups: 4)),
            .channelsNotDivisibleByGroups(.input, channels: 6, groups: 4))
        XCTAssertEqual(
            shapeError(Shape4(1, 6, 4, 4), Shape4(4, 2, 1, 1), ConvGeometry(groups: 3)),
            .channelsNotDivisibleByGroups(.weight, channels: 4, groups: 3))
    }

    func testWeightChannelMismatch() {
        XCTAssertEqual(
            shapeError(Shape4(1, 6, 4, 4), Shape4(4, 4, 3, 3)),
            .weightChannelMismatch(weightChannels: 4, groups: 1, inputChannels: 6))
        XCTAssertEqual(
            shapeError(Shape4(1, 6, 4, 4), Shape4(4, 6, 3, 3), ConvGeometry(groups: 2)),
            .weightChannelMismatch(weightChannels: 6, groups: 2, inputChannels: 6))
    }

    func testKernelLargerThanInput() {
        XCTAssertEqual(
            shapeError(Shape4(1, 1, 2, 5), Shape4(1, 1, 3, 3)),
            .kernelLargerThanInput(.height, paddedInput: 2, kernelExtent: 3))
        let wideDilation = ConvGeometry(dilation: ConvPair(height: 1, width: 3))
        XCTAssertEqual(
            shapeError(Shape4(1, 1, 5, 5), Shape4(1, 1, 3, 3), wideDilation),
            .kernelLargerThanInput(.width, paddedInput: 5, kernelExtent: 7))
    }

    func testBiasCountMismatch() throws {
        let input = try Tensor4<Double>(shape: Shape4(1, 1, 2, 2), scalars: [1, 2, 3, 4])
        let weight = try Tensor4<Double>(shape: Shape4(2, 1, 1, 1), scalars: [1, 1])
        XCTAssertThrowsError(try Conv2D.forward(input, weight: weight, bias: [1, 2, 3])) {
            XCTAssertEqual($0 as? ConvError, .biasCountMismatch(expected: 2, actual: 3))
        }
    }

    func testNoFilters() throws {
        let input = try Tensor4<Float>(shape: Shape4(1, 1, 1, 1), scalars: [1])
        XCTAssertThrowsError(try Conv2D.forward(input, filters: [])) {
            XCTAssertEqual($0 as? ConvError, .noFilters)
        }
    }

    func testFilterKernelMismatch() throws {
        let input = try Tensor4<Double>(shape: Shape4(1, 2, 4, 4), scalars: Array(repeating: 1, count: 32))
        let first = try Tensor4<Double>(shape: Shape4(3, 2, 3, 3), scalars: Array(repeating: 1, count: 54))
        let other = try Tensor4<Double>(shape: Shape4(3, 2, 1, 1), scalars: Array(repeating: 1, count: 6))
        let filters = [ConvFilter(weight: first), ConvFilter(weight: other)]
        XCTAssertThrowsError(try Conv2D.forward(input, filters: filters)) {
            XCTAssertEqual(
                $0 as? ConvError,
                .filterKernelMismatch(index: 1, expected: Shape4(3, 2, 3, 3), actual: Shape4(3, 2, 1, 1)))
        }
    }

    func testInFilterWrapsTheFiltersOwnError() throws {
        let input = try Tensor4<Double>(shape: Shape4(1, 2, 4, 4), scalars: Array(repeating: 1, count: 32))
        let weight = try Tensor4<Double>(shape: Shape4(3, 2, 1, 1), scalars: Array(repeating: 1, count: 6))
        let filters = [ConvFilter(weight: weight, bias: [1, 2, 3]), ConvFilter(weight: weight, bias: [1])]
        XCTAssertThrowsError(try Conv2D.forward(input, filters: filters)) {
            XCTAssertEqual($0 as? ConvError, .inFilter(index: 1, error: .biasCountMismatch(expected: 3, actual: 1)))
        }
    }

    /// Descriptions are one line and name the values at fault.
    func testDescriptionsAreOneLineAndNameTheCulprit() {
        let cases: [(ConvError, String)] = [
            (.extentOutOfRange(.input, dimension: 2, value: 0), "input dimension 2 is 0"),
            (.scalarCountMismatch(shape: Shape4(1, 2, 3, 4), count: 3), "[1, 2, 3, 4] was given 3 scalars"),
            (.tooManyElements(.output, limit: 8), "output would have more than 8 elements"),
            (.fanInTooLarge(fanIn: 9, limit: 8), "is 9; at most 8"),
            (.geometryOutOfRange(.padding, axis: .width, value: -1), "padding (width) is -1; expected 0..."),
            (.geometryOutOfRange(.groups, axis: nil, value: 0), "groups is 0; expected 1..."),
            (
                .channelsNotDivisibleByGroups(.weight, channels: 4, groups: 3),
                "weight has 4 channels, not a multiple of groups=3"
            ),
            (.weightChannelMismatch(weightChannels: 4, groups: 1, inputChannels: 6), "input has 6 channels"),
            (
                .kernelLargerThanInput(.width, paddedInput: 5, kernelExtent: 7),
                "width: dilated kernel extent 7 exceeds padded input size 5"
            ),
            (.biasCountMismatch(expected: 2, actual: 3), "bias has 3 values"),
            (.noFilters, "no filters"),
            (
                .filterKernelMismatch(index: 1, expected: Shape4(3, 2, 3, 3), actual: Shape4(3, 2, 1, 1)),
                "filter 1 has weight shape [3, 2, 1, 1]"
            ),
            (.inFilter(index: 2, error: .noFilters), "filter 2: no filters"),
        ]
        for (error, fragment) in cases {
            XCTAssertTrue(error.description.contains(fragment), "\(error.description) lacks \(fragment)")
            XCTAssertFalse(error.description.contains("\n"))
        }
    }
}
