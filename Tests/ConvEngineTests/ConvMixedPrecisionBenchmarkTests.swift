import Foundation
import XCTest

@testable import ConvEngine
import TestSupport

/// Measured figures (printed): the DAConv check's convolution, 512 -> 512 3x3 with three float32
/// filters on a double probe, with the weights converted to `[Double]` first (as before) and
/// converted while packed (mixed precision). Runs only with `MERGE_DACONV_BENCHMARKS=1`, best
/// built with `-c release`; it still asserts that both give the same bits.
final class ConvMixedPrecisionBenchmarkTests: XCTestCase {
    func testFloatWeightsAgainstConversionFirst() throws {
        guard ProcessInfo.processInfo.environment["MERGE_DACONV_BENCHMARKS"] == "1" else {
            throw XCTSkip("set MERGE_DACONV_BENCHMARKS=1 to measure")
        }
        var generator = SplitMix64(seed: 0xBE7C)
        let filters = (0..<3).map { _ in
            ConvFilter(weight: Tensor4<Float>.random(Shape4(512, 512, 3, 3), using: &generator), bias: nil)
        }
        for size in [3, 16] {
            let input = Tensor4<Double>.random(Shape4(2, 512, size, size), using: &generator)
            for threads in [1, 2] {
                let options = ConvOptions(threads: threads)
                var converted: [Tensor4<Double>] = []
                var mixed: [Tensor4<Double>] = []
                let convertFirst = try Self.bestSeconds {
                    let doubles = filters.map(ConvMixedPrecisionTests.asDouble)
                    converted = try Conv2D.forward(
                        input, filters: doubles, geometry: ConvGeometry(padding: 1),
                        options: options)
                }
                let direct = try Self.bestSeconds {
                    mixed = try Conv2D.forward(
                        input, filters: filters, geometry: ConvGeometry(padding: 1),
                        options: options)
                }
                XCTAssertEqual(mixed, converted)
                print(
                    String(
                        format: "conv 512->512 3x3, 3 filters, input 2x512x%dx%d, %d thread(s): "
                            + "convert to Double first %.2f ms, float weights %.2f ms (%.2fx)",
                        size, size, threads, convertFirst * 1e3, direct * 1e3, convertFirst / direct))
            }
        }
    }

    /// The best wall time of a few runs, after one warm-up run.
    static func bestSeconds(runs: Int = 7, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var best = Double.infinity
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }
}
