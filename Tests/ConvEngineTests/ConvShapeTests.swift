import XCTest

@testable import ConvEngine

/// Output shapes under torch's formula, and the small value types' behaviour.
final class ConvShapeTests: XCTestCase {
    func testOutputShapeFollowsTorchsFormula() throws {
        // (in + 2p - d(k - 1) - 1) / s + 1, per axis, with floor division.
        let shape = try ConvShape(
            input: Shape4(3, 4, 17, 15), weight: Shape4(8, 2, 3, 5),
            geometry: ConvGeometry(
                stride: ConvPair(height: 2, width: 3),
                padding: ConvPair(height: 1, width: 0),
                dilation: ConvPair(height: 2, width: 1), groups: 2))
        XCTAssertEqual(shape.output, Shape4(3, 8, 8, 4))
        XCTAssertEqual(shape.fanIn, 30)
        XCTAssertEqual(shape.columnCount, 96)
    }

    func testKernelExactlyCoveringThePaddedInputGivesOnePixel() throws {
        let shape = try ConvShape(
            input: Shape4(1, 1, 3, 1), weight: Shape4(1, 1, 5, 3),
            geometry: ConvGeometry(padding: 1))
        XCTAssertEqual(shape.output, Shape4(1, 1, 1, 1))
    }

    func testTensorSubscriptIsRowMajor() throws {
        var tensor = try Tensor4<Double>(shape: Shape4(2, 3, 4, 5), scalars: (0..<120).map(Double.init))
        XCTAssertEqual(tensor[1, 2, 3, 4], 119)
        XCTAssertEqual(tensor[1, 0, 2, 1], 60 + 10 + 1)
        tensor[0, 0, 0, 1] = -1
        XCTAssertEqual(tensor.scalars[1], -1)
    }

    func testGeometryDescriptionAndLiterals() {
        let geometry = ConvGeometry(stride: 2, padding: ConvPair(height: 1, width: 0), groups: 4)
        XCTAssertEqual(geometry.description, "stride=(2, 2) padding=(1, 0) dilation=(1, 1) groups=4")
        XCTAssertEqual(ConvPair(3)[.width], 3)
    }

    func testKernelNameReflectsTheCPU() throws {
        #if os(Linux) && arch(x86_64)
            let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
            let flags = Set(info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? [])
            let vector = flags.contains("avx2") && flags.contains("fma")
            XCTAssertEqual(Conv2D.kernelName, vector ? "avx2+fma" : "portable")
        #else
            XCTAssertTrue(["avx2+fma", "portable"].contains(Conv2D.kernelName))
        #endif
    }
}
