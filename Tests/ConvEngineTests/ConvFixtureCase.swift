import Foundation

@testable import ConvEngine

/// One case of fixtures/conv/cases.json, written by fixtures/conv/make_conv_fixtures.py with torch.
struct ConvFixtureCase: Decodable {
    struct Span: Decodable {
        let offset: Int
        let count: Int
    }

    let name: String
    let dtype: String
    let file: String
    let input_shape: [Int]
    let weight_shape: [Int]
    let output_shape: [Int]
    let stride: [Int]
    let padding: [Int]
    let dilation: [Int]
    let groups: Int
    let layout: [String: Span]

    private struct Document: Decodable {
        let cases: [ConvFixtureCase]
    }

    /// The fixtures folder, found from this source file's path (Tests/DAConvVerifyTests/...).
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/conv")

    static func all() throws -> [ConvFixtureCase] {
        let data = try Data(contentsOf: directory.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode(Document.self, from: data).cases
    }

    var geometry: ConvGeometry {
        ConvGeometry(
            stride: ConvPair(height: stride[0], width: stride[1]),
            padding: ConvPair(height: padding[0], width: padding[1]),
            dilation: ConvPair(height: dilation[0], width: dilation[1]), groups: groups)
    }

    var fanIn: Int { weight_shape[1] * weight_shape[2] * weight_shape[3] }

    /// The case's tensors, decoded from its little-endian .bin file.
    func tensors<Scalar: ConvScalar>(as _: Scalar.Type) throws
        -> (input: Tensor4<Scalar>, weight: Tensor4<Scalar>, bias: [Scalar]?, output: Tensor4<Scalar>)
    {
        let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let width = Scalar.convPrecision == .float64 ? 8 : 4
        func values(_ key: String) -> [Scalar]? {
            guard let span = layout[key] else { return nil }
            return (0..<span.count).map { index in
                let start = (span.offset + index) * width
                let bits = (0..<width).reduce(UInt64(0)) { $0 | UInt64(bytes[start + $1]) << (8 * $1) }
                return width == 8 ? Scalar(Double(bitPattern: bits)) : Scalar(Float(bitPattern: UInt32(bits)))
            }
        }
        func shape(_ dims: [Int]) -> Shape4 { Shape4(dims[0], dims[1], dims[2], dims[3]) }
        return (
            try Tensor4(shape: shape(input_shape), scalars: values("input")!),
            try Tensor4(shape: shape(weight_shape), scalars: values("weight")!),
            values("bias"),
            try Tensor4(shape: shape(output_shape), scalars: values("output")!)
        )
    }
}
