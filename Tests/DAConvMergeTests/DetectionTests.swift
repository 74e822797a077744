import DAConvMerge
import TestSupport
import TorchCheckpoint
import XCTest

/// Modules that match DAConv's naming but cannot be folded are named with the reason.
final class DetectionTests: XCTestCase {
    // MARK: Unfoldable modules

    private func tensor(_ shape: [Int], _ dtype: TorchDType = .float32) -> TorchTensor {
        TorchTensor(
            storageKey: "0", dtype: dtype, shape: shape, strides: TorchTensor.contiguousStrides(for: shape), storageOffset: 0)
    }

    private func module(
        cac: [Int] = [4, 2, 3, 3], cdc: [Int] = [4, 2, 3, 3], theta: [Int] = [1], dtype: TorchDType = .float32,
        omit: String? = nil
    ) -> [(name: String, tensor: TorchTensor)] {
        let all: [(String, TorchTensor)] = [
            ("m.cac_theta", tensor(theta)), ("m.cdc_theta", tensor([1])),
            ("m.cac.weight", tensor(cac, dtype)), ("m.cac.bias", tensor([cac[0]], dtype)),
            ("m.cdc.weight", tensor(cdc, dtype)), ("m.cdc.bias", tensor([cdc[0]], dtype)),
        ]
        return all.filter { $0.0 != omit }.map { (name: $0.0, tensor: $0.1) }
    }

    private func reason(_ tensors: [(name: String, tensor: TorchTensor)]) -> String? {
        let result = DAConvDetector().detect(in: tensors)
        XCTAssertTrue(result.modules.isEmpty)
        XCTAssertEqual(result.unfoldable.map(\.module), ["m"])
        return result.unfoldable.first?.reason
    }

    func testFoldableModuleIsFound() {
        let result = DAConvDetector().detect(in: module())
        XCTAssertEqual(result.modules.map(\.module), ["m"])
        XCTAssertEqual(result.modules.first?.keys.count, 6)
    }

    func testBranchShapesThatDifferAreRefused() {
        XCTAssertTrue(reason(module(cdc: [4, 2, 5, 5]))?.contains("branch shapes differ") ?? false)
    }

    func testEvenKernelIsRefused() {
        XCTAssertTrue(reason(module(cac: [4, 2, 2, 2], cdc: [4, 2, 2, 2]))?.contains("even") ?? false)
    }

    func testMissingTensorIsRefused() {
        XCTAssertTrue(reason(module(omit: "m.cdc.weight"))?.contains("m.cdc.weight is missing") ?? false)
        XCTAssertTrue(reason(module(omit: "m.cdc_theta"))?.contains("gate m.cdc_theta is missing") ?? false)
    }

    func testNonScalarGateIsRefused() {
        XCTAssertTrue(reason(module(theta: [2]))?.contains("not a scalar") ?? false)
    }

    func testIntegerWeightsAreRefused() {
        XCTAssertTrue(reason(module(dtype: .int64))?.contains("not a floating type") ?? false)
    }

    func testBiasesAreOptional() {
        let tensors = module().filter { !$0.name.hasSuffix(".bias") }
        let result = DAConvDetector().detect(in: tensors)
        XCTAssertEqual(result.modules.first?.hasBias, false)
    }

    func testCustomRulesFindOtherNames() {
        let rules = DAConvRules(branches: [
            .init(name: "a", kind: .add, gate: "ta"), .init(name: "d", kind: .difference, gate: "td"),
            .init(name: "v", kind: .vanilla, gate: nil),
        ])
        let tensors: [(name: String, tensor: TorchTensor)] = [
            ("x.ta", tensor([])), ("x.td", tensor([])), ("x.a.weight", tensor([2, 2, 3, 3])),
            ("x.d.weight", tensor([2, 2, 3, 3])), ("x.v.weight", tensor([2, 2, 3, 3])),
        ]
        XCTAssertEqual(DAConvDetector(rules: rules).detect(in: tensors).modules.map(\.module), ["x"])
        XCTAssertTrue(DAConvDetector().detect(in: tensors).modules.isEmpty)
    }
}
