import ConvEngine
import DAConvMerge
import DAConvVerify
import Foundation
import TestSupport
import TorchCheckpoint
import XCTest

/// Our DAConv forward pass must give what torch's DAConv module gave on the same inputs (fixtures/*.probes.json,
/// computed in float64 by torch), for every geometry the fixtures cover: kernel 3, 5 and 3x5, groups,
/// dilation 2, stride 2, with and without bias.
final class DAConvForwardTests: XCTestCase {
    struct Probes: Decodable {
        struct Probe: Decodable {
            let module: String
            let kernel: [Int]
            let groups: Int
            let stride: [Int]
            let dilation: [Int]
            let x_shape: [Int]
            let x: [Double]
            let y_shape: [Int]
            let y: [Double]
        }
        let file: String
        let probes: [Probe]
    }

    func testMatchesTorchOnEveryProbe() throws {
        for name in ["tiny_sd", "tiny_sd_f64", "tiny_sd_f16", "tiny_sd_bf16", "zero_dce"] {
            let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("\(name).probes.json"))
            let probes = try JSONDecoder().decode(Probes.self, from: data)
            let checkpoint = try CheckpointReader.open(Fixtures.path("\(name).pth"))
            let modules = try daconvModules(checkpoint)
            for probe in probes.probes {
                let module = try XCTUnwrap(modules.first { $0.module == probe.module }, probe.module)
                let values = try DAConvValues.read(module, from: checkpoint)
                let x = probe.x_shape
                let input = try Tensor4(shape: Shape4(x[0], x[1], x[2], x[3]), scalars: probe.x)
                let (output, _) = try DAConvForward.outputs(
                    values, input: input, stride: ConvPair(height: probe.stride[0], width: probe.stride[1]),
                    dilation: ConvPair(height: probe.dilation[0], width: probe.dilation[1]), groups: probe.groups)
                let shape = output.shape
                XCTAssertEqual([shape.n, shape.c, shape.h, shape.w], probe.y_shape, "\(name) \(probe.module)")
                let scale = probe.y.reduce(0) { max($0, abs($1)) }
                let error = zip(output.scalars, probe.y).reduce(0) { max($0, abs($1.0 - $1.1)) }
                // Both sides compute in float64 from the same weights; only summation order differs.
                XCTAssertLessThan(error, 1e-12 * max(scale, 1), "\(name) \(probe.module)")
            }
        }
    }

    private func daconvModules(_ checkpoint: Checkpoint) throws -> [DAConvModule] {
        DAConvDetector().detect(in: try checkpoint.namedTensors().map { ($0.name, $0.tensor) }).modules
    }
}
