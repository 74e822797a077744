import XCTest

@testable import ConvEngine

/// The engine against outputs computed by torch.nn.functional.conv2d (fixtures/conv).
///
/// Tolerance: 2 * gamma(fanIn + 1) * (|bias| + sum |w| * |x|) per output, gamma(n) = n u / (1 - n u),
/// u = 2^-53 (float64 cases) or 2^-24 (float32 cases); see `ConvTolerance`.
final class ConvTorchFixtureTests: XCTestCase {
    func testFixturesCoverBothPrecisions() throws {
        let cases = try ConvFixtureCase.all()
        XCTAssertEqual(cases.count, 27)
        XCTAssertEqual(Set(cases.map(\.dtype)), ["float32", "float64"])
    }

    func testEngineMatchesTorchInEveryConfiguration() throws {
        for fixture in try ConvFixtureCase.all() {
            if fixture.dtype == "float64" {
                try check(fixture, as: Double.self)
            } else {
                try check(fixture, as: Float.self)
            }
        }
    }

    /// The test's own reference agrees with torch too, so the tolerance is not hiding a wrong
    /// reference.
    func testReferenceMatchesTorch() throws {
        for fixture in try ConvFixtureCase.all() where fixture.dtype == "float64" {
            let (input, weight, bias, torch) = try fixture.tensors(as: Double.self)
            let reference = ConvReference(input: input, weight: weight, bias: bias, geometry: fixture.geometry)
            let violation = ConvTolerance.firstViolation(
                actual: reference.values, expected: torch.scalars, magnitudes: reference.magnitudes,
                fanIn: fixture.fanIn, unitRoundoff: 0x1p-53)
            XCTAssertNil(violation, "\(fixture.name): \(String(describing: violation))")
        }
    }

    private func check<Scalar: ConvScalar>(_ fixture: ConvFixtureCase, as type: Scalar.Type) throws {
        let (input, weight, bias, torch) = try fixture.tensors(as: type)
        let reference = ConvReference(
            input: input.asDouble, weight: weight.asDouble,
            bias: bias?.map { Double($0) }, geometry: fixture.geometry)
        for (name, options) in ConvOptions.testConfigurations {
            let output = try Conv2D.forward(
                input, weight: weight, bias: bias, geometry: fixture.geometry,
                options: options)
            XCTAssertEqual(output.shape, torch.shape, "\(fixture.name) [\(name)]")
            let violation = ConvTolerance.firstViolation(
                actual: output.scalars.map { Double($0) }, expected: torch.scalars.map { Double($0) },
                magnitudes: reference.magnitudes, fanIn: fixture.fanIn,
                unitRoundoff: ConvTolerance.unitRoundoff(type))
            XCTAssertNil(violation, "\(fixture.name) [\(name)]: \(String(describing: violation))")
        }
    }
}
