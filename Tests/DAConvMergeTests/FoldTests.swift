import DAConvMerge
import XCTest

/// The fold's arithmetic on values small enough to check by hand.
final class FoldTests: XCTestCase {
    /// One output channel, one input channel, 3x3 kernels of ones and twos, gates theta = 0 (sigmoid 1/2).
    func testTwoGatedBranchesFoldByHand() {
        let ones = [Double](repeating: 1, count: 9)
        let twos = [Double](repeating: 2, count: 9)
        let folded = DAConvFold.fold(
            [
                .init(kind: .add, theta: 0, weight: ones, bias: [4]),
                .init(kind: .difference, theta: 0, weight: twos, bias: [6]),
            ], shape: [1, 1, 3, 3])
        // add: 1 everywhere, centre 1 + 9 = 10; difference: 2 everywhere, centre 2 - 18 = -16; halves summed.
        var expected = [Double](repeating: 0.5 * 1 + 0.5 * 2, count: 9)
        expected[4] = 0.5 * 10 + 0.5 * -16
        XCTAssertEqual(folded.weight, expected)
        XCTAssertEqual(folded.bias, [0.5 * 4 + 0.5 * 6])
    }

    func testCentreOfANonSquareKernel() {
        // kh 3, kw 5: the centre is row 1, column 2, index 7.
        let weight = (0..<15).map(Double.init)
        let folded = DAConvFold.fold([.init(kind: .add, theta: nil, weight: weight, bias: nil)], shape: [1, 1, 3, 5])
        var expected = weight
        expected[7] += weight.reduce(0, +)
        XCTAssertEqual(folded.weight, expected)
        XCTAssertNil(folded.bias)
    }

    func testVanillaBranchIsAddedUnchangedAndUngatedBranchesHaveScaleOne() {
        let weight: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let folded = DAConvFold.fold([.init(kind: .vanilla, theta: nil, weight: weight, bias: [1])], shape: [1, 1, 3, 3])
        XCTAssertEqual(folded.weight, weight)
        XCTAssertEqual(folded.bias, [1])
    }

    func testSumsArePerOutputAndInputChannel() {
        // Two output channels x two input channels of 1x1... kernels of 3x3 with distinct constants.
        let weight = (0..<4).flatMap { [Double](repeating: Double($0 + 1), count: 9) }
        let folded = DAConvFold.fold([.init(kind: .difference, theta: nil, weight: weight, bias: nil)], shape: [2, 2, 3, 3])
        for channel in 0..<4 {
            let value = Double(channel + 1)
            XCTAssertEqual(folded.weight[channel * 9 + 4], value - 9 * value)
            XCTAssertEqual(folded.weight[channel * 9], value)
        }
    }

    func testGateIsTheSigmoidOfTheta() {
        XCTAssertEqual(DAConvFold.Branch(kind: .add, theta: 0, weight: [], bias: nil).gate, 0.5)
        XCTAssertEqual(
            DAConvFold.Branch(kind: .add, theta: 2, weight: [], bias: nil).gate, 1 / (1 + 0.1353352832366127), accuracy: 1e-16)
        XCTAssertEqual(DAConvFold.Branch(kind: .add, theta: -800, weight: [], bias: nil).gate, 0)
        XCTAssertEqual(DAConvFold.Branch(kind: .add, theta: nil, weight: [], bias: nil).gate, 1)
    }

    func testBiasFromOneBranchOnly() {
        let bias = DAConvFold.foldBias(
            [
                .init(kind: .add, theta: 0, weight: [], bias: [2, 4]), .init(kind: .difference, theta: 0, weight: [], bias: nil),
            ], outChannels: 2)
        XCTAssertEqual(bias, [1, 2])
    }
}
