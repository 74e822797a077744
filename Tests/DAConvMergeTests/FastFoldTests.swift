import XCTest

@testable import DAConvMerge
import TestSupport

/// The fast fold against the reference `DAConvFold.fold` rounded to float32: the same bits, on
/// every kernel path (AVX2 and plain C, whole and partial blocks, kernels too large for a block),
/// any thread count, and for bytes at any alignment.
final class FastFoldTests: XCTestCase {
    /// Shapes covering 1x1, square and oblong kernels, blocks of kernels with partial groups of
    /// four, several blocks (113 3x3 kernels per block), and 33x33 (1089 taps: value by value).
    static let shapes: [[Int]] = [
        [1, 1, 1, 1], [3, 2, 3, 3], [5, 7, 3, 3], [4, 3, 1, 3], [2, 3, 5, 5], [3, 5, 3, 5], [2, 2, 7, 7],
        [16, 15, 3, 3], [1, 2, 3, 1], [2, 1, 33, 33], [0, 4, 3, 3],
    ]

    func testRandomBranchesGiveTheReferenceBits() {
        var generator = SplitMix64(seed: 0xF01D)
        for (trial, shape) in (Self.shapes + Self.shapes).enumerated() {
            let random = FastFoldTestData.randomBranches(shape: shape, count: trial % 5, using: &generator)
            let (branches, expected) = (random.map(\.fast), Self.reference(random, shape: shape))
            for vector in [true, false] {
                for threads in [1, 2, 3] {
                    let actual = FastFold.foldFloat32(
                        branches: branches, shape: shape, threads: threads,
                        vectorKernels: vector)
                    Self.assertSameBits(
                        actual, expected,
                        "shape \(shape) kinds \(branches.map(\.kind)) vector \(vector) threads \(threads)")
                }
            }
        }
    }

    func testBytesAtAnyAlignmentGiveTheSameBits() {
        var generator = SplitMix64(seed: 0xB17E5)
        for shape in [[5, 7, 3, 3], [2, 3, 5, 5], [1, 2, 3, 1]] {
            let branches = FastFoldTestData.randomBranches(shape: shape, count: 3, using: &generator)
            let expected = Self.reference(branches, shape: shape)
            for offset in 0..<4 {
                let byteBranches = branches.map { branch in
                    let padded = [UInt8](repeating: 0xEE, count: offset) + branch.weight.flatMap(Self.littleEndian)
                    return FastFold.ByteBranch(kind: branch.kind, theta: branch.theta, bytes: padded[offset...])
                }
                for vector in [true, false] {
                    let bytes = FastFold.foldFloat32(
                        branches: byteBranches, shape: shape, threads: 2,
                        vectorKernels: vector)
                    XCTAssertEqual(bytes.count, expected.count * 4)
                    let values = stride(from: 0, to: bytes.count, by: 4).map { Self.float(bytes[$0..<$0 + 4]) }
                    Self.assertSameBits(values, expected, "shape \(shape) offset \(offset) vector \(vector)")
                }
            }
        }
    }

    /// Infinities, NaNs, signed zeros, subnormals and sums that overflow float32.
    func testSpecialValuesGiveTheReferenceBits() {
        let specials: [Float] = [
            .infinity, -.infinity, .nan, 0, -0.0, .leastNonzeroMagnitude,
            -.leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1,
        ]
        var generator = SplitMix64(seed: 0x5BEC)
        let shape = [7, 5, 3, 3]
        for _ in 0..<20 {
            var branches = FastFoldTestData.randomBranches(shape: shape, count: 3, using: &generator)
            for b in branches.indices {
                for i in branches[b].weight.indices where Int.random(in: 0..<4, using: &generator) == 0 {
                    branches[b].weight[i] = specials.randomElement(using: &generator)!
                }
            }
            let expected = Self.reference(branches, shape: shape)
            for vector in [true, false] {
                let actual = FastFold.foldFloat32(
                    branches: branches.map(\.fast), shape: shape, threads: 1,
                    vectorKernels: vector)
                Self.assertSameBits(actual, expected, "vector \(vector)")
            }
        }
    }

    /// The folded values worked out by hand: add and difference moves, gates, the centre of an
    /// oblong kernel.
    func testFoldByHand() {
        let ones = [Float](repeating: 1, count: 15)
        let twos = [Float](repeating: 2, count: 15)
        for vector in [true, false] {
            let folded = FastFold.foldFloat32(
                branches: [
                    .init(kind: .add, theta: 0, weight: ones), .init(kind: .difference, theta: 0, weight: twos),
                ], shape: [1, 1, 3, 5], threads: 1, vectorKernels: vector)
            // add: 1, centre 1 + 15; difference: 2, centre 2 - 30; both halved. Centre: row 1, column 2.
            var expected = [Float](repeating: 1.5, count: 15)
            expected[7] = 0.5 * 16 + 0.5 * -28
            XCTAssertEqual(folded, expected)
        }
    }

    /// Tap sums run in tap order from 0.0: 2^60 - 2^60 + 1 is 1, where a reversed or strided order
    /// would lose the 1 against 2^60.
    func testTapSumsRunInTapOrder() {
        var kernel = [Float](repeating: 0, count: 9)
        kernel[0] = 0x1p60
        kernel[1] = -0x1p60
        kernel[2] = 1
        let weight = Array([[Float]](repeating: kernel, count: 6).joined())  // six kernels: AVX2 groups and a rest
        for vector in [true, false] {
            let folded = FastFold.foldFloat32(
                branches: [.init(kind: .add, gate: 1, weight: weight)],
                shape: [3, 2, 3, 3], threads: 1, vectorKernels: vector)
            for k in 0..<6 { XCTAssertEqual(folded[k * 9 + 4], 1, "kernel \(k) vector \(vector)") }
        }
    }

    /// Each product and sum rounds to double on its own (no fused multiply-add): here a fused
    /// `1 + g * w` lands just above a float32 tie and would round up.
    func testNoFusedMultiplyAdd() {
        let gate = 0x1.fffffc100007ep-25
        let wide = Float(1).nextUp
        XCTAssertEqual(Float(1 + gate * Double(wide)), 1, "rounded product: a tie, to even")
        XCTAssertEqual(Float((1.0).addingProduct(gate, Double(wide))), wide, "fused: above the tie")
        let branches = [
            FastFold.Branch(kind: .vanilla, gate: 1, weight: [Float](repeating: 1, count: 36)),
            FastFold.Branch(kind: .vanilla, gate: gate, weight: [Float](repeating: wide, count: 36)),
        ]
        for vector in [true, false] {
            let folded = FastFold.foldFloat32(branches: branches, shape: [2, 2, 3, 3], threads: 1, vectorKernels: vector)
            XCTAssertEqual(folded, [Float](repeating: 1, count: 36), "vector \(vector)")
        }
    }

    /// The sum starts from +0.0, as the reference's: negative zeros everywhere fold to +0.
    func testNegativeZerosFoldToPositiveZero() {
        let zeros = [Float](repeating: -0.0, count: 18 * 9)
        for kind in DAConvRules.Kind.allCases {
            for vector in [true, false] {
                let folded = FastFold.foldFloat32(
                    branches: [
                        .init(kind: kind, gate: 0.5, weight: zeros),
                        .init(kind: .vanilla, gate: 1, weight: zeros),
                    ],
                    shape: [3, 6, 3, 3], threads: 1, vectorKernels: vector)
                XCTAssertEqual(folded.map(\.bitPattern), [UInt32](repeating: 0, count: 18 * 9), "\(kind) vector \(vector)")
            }
        }
    }

    /// No branch: zeros (+0), as the reference.
    func testNoBranchesGiveZeros() {
        let folded = FastFold.foldFloat32(branches: [FastFold.Branch](), shape: [2, 2, 3, 3])
        XCTAssertEqual(folded.map(\.bitPattern), [UInt32](repeating: 0, count: 36))
        XCTAssertEqual(FastFold.foldFloat32(branches: [FastFold.ByteBranch](), shape: [1, 1, 1, 1]), [0, 0, 0, 0])
    }

    func testGateFromThetaIsTheReferenceGate() {
        for theta in [nil, 0, 2, -3.5, -800] as [Double?] {
            XCTAssertEqual(
                FastFold.Branch(kind: .add, theta: theta, weight: []).gate,
                DAConvFold.Branch(kind: .add, theta: theta, weight: [], bias: nil).gate)
            XCTAssertEqual(
                FastFold.ByteBranch(kind: .add, theta: theta, bytes: []).gate,
                DAConvFold.Branch(kind: .add, theta: theta, weight: [], bias: nil).gate)
        }
    }

    func testRunsCoverEveryKernelOnce() {
        XCTAssertEqual(FastFoldKernelCalls.runs(kernels: 10, threads: 3), [0..<3, 3..<6, 6..<10])
        XCTAssertEqual(FastFoldKernelCalls.runs(kernels: 2, threads: 4), [0..<1, 1..<2])
        XCTAssertEqual(FastFoldKernelCalls.runs(kernels: 0, threads: 2), [0..<0])
        XCTAssertEqual(FastFoldKernelCalls.runs(kernels: 5, threads: 0), [0..<5])
    }

    // MARK: Helpers

    /// `DAConvFold.fold` on the branches converted to `Double`, rounded once to float32 (gates
    /// from the same thetas).
    static func reference(_ branches: [FastFoldTestData.RandomBranch], shape: [Int]) -> [Float] {
        let converted = branches.map {
            DAConvFold.Branch(kind: $0.kind, theta: $0.theta, weight: $0.weight.map(Double.init), bias: nil)
        }
        return DAConvFold.fold(converted, shape: shape).weight.map(Float.init)
    }

    static func assertSameBits(
        _ actual: [Float], _ expected: [Float], _ label: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual.count, expected.count, label, file: file, line: line)
        for (index, (a, e)) in zip(actual, expected).enumerated() {
            let same = a.isNaN ? e.isNaN : a.bitPattern == e.bitPattern
            if !same {
                XCTFail(
                    "\(label): element \(index) is \(a) (\(a.bitPattern)), expected \(e) (\(e.bitPattern))",
                    file: file, line: line)
                return
            }
        }
    }

    static func littleEndian(_ value: Float) -> [UInt8] {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
    }

    static func float(_ bytes: ArraySlice<UInt8>) -> Float {
        Float(bitPattern: bytes.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }
}
