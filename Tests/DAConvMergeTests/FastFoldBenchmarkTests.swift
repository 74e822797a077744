import CheckpointContainers
import Foundation
import XCTest

@testable import DAConvMerge
import TestSupport

/// Measured figures (printed): folding one 512 x 512 x 3 x 3 float32 layer of two gated branches
/// (add and difference), with the reference (bytes decoded to `[Double]`, `DAConvFold.fold`,
/// encoded back) and with the fast fold on floats and on bytes, 1 and 2 threads. Throughput counts
/// the bytes read and written (3 x 9.4 MB). Runs only with `MERGE_DACONV_BENCHMARKS=1`, best built
/// with `-c release`; it still asserts that all give the same bytes.
final class FastFoldBenchmarkTests: XCTestCase {
    func testFoldOfA512ChannelLayer() throws {
        guard ProcessInfo.processInfo.environment["MERGE_DACONV_BENCHMARKS"] == "1" else {
            throw XCTSkip("set MERGE_DACONV_BENCHMARKS=1 to measure")
        }
        let shape = [512, 512, 3, 3]
        var generator = SplitMix64(seed: 0xBE7C)
        let random = FastFoldTestData.randomBranches(shape: shape, count: 2, using: &generator)
        let kinds: [DAConvRules.Kind] = [.add, .difference]
        let thetas = [0.3, -1.2]
        let floats = zip(random, kinds).enumerated().map { FastFold.Branch(kind: $1.1, theta: thetas[$0], weight: $1.0.weight) }
        let bytes = floats.enumerated().map {
            FastFold.ByteBranch(
                kind: $1.kind, theta: thetas[$0],
                bytes: FloatingPointBytes.encode($1.weight.map(Double.init), as: .float32)[...])
        }
        let traffic = Double(3 * shape.reduce(1, *) * 4)
        var expected: [UInt8] = []
        let reference = Self.bestSeconds {
            let branches = bytes.enumerated().map {
                DAConvFold.Branch(
                    kind: $1.kind, theta: thetas[$0],
                    weight: FloatingPointBytes.decode(Array($1.bytes), as: .float32), bias: nil)
            }
            expected = FloatingPointBytes.encode(DAConvFold.fold(branches, shape: shape).weight, as: .float32)
        }
        report("reference (decode, DAConvFold.fold, encode)", reference, traffic)
        for threads in [1, 2] {
            var viaBytes: [UInt8] = []
            var viaFloats: [Float] = []
            report(
                "FastFold bytes, \(threads) thread(s), \(FastFold.kernelName)",
                Self.bestSeconds {
                    viaBytes = FastFold.foldFloat32(branches: bytes, shape: shape, threads: threads)
                }, traffic)
            report(
                "FastFold floats, \(threads) thread(s), \(FastFold.kernelName)",
                Self.bestSeconds {
                    viaFloats = FastFold.foldFloat32(branches: floats, shape: shape, threads: threads)
                }, traffic)
            report(
                "FastFold bytes, \(threads) thread(s), portable",
                Self.bestSeconds {
                    viaBytes = FastFold.foldFloat32(branches: bytes, shape: shape, threads: threads, vectorKernels: false)
                }, traffic)
            XCTAssertEqual(viaBytes, expected)
            XCTAssertEqual(FloatingPointBytes.encode(viaFloats.map(Double.init), as: .float32), expected)
        }
    }

    private func report(_ label: String, _ seconds: Double, _ bytes: Double) {
        print(
            String(
                format: "fold 512x512x3x3, 2 branches: %@: %.2f ms, %.1f GB/s", label, seconds * 1e3,
                bytes / seconds / 1e9))
    }

    /// The best wall time of a few runs, after one warm-up run.
    static func bestSeconds(runs: Int = 15, _ body: () -> Void) -> Double {
        body()
        var best = Double.infinity
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }
}
