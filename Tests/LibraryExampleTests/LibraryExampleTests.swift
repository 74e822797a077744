import Foundation
import MergeDAConv
import TestSupport
import XCTest

/// docs/library.md shows `LibraryExample.swift` and what it returns for `fixtures/tiny_sd.pth`: this target compiles
/// that file against the library product's public interface (nothing here is `@testable`), runs it, holds its
/// output to torch's facts, and fails when the page and the file drift apart.
final class LibraryExampleTests: XCTestCase {
    private static let repository = Fixtures.directory.deletingLastPathComponent()
    private static let examplePath = "Tests/LibraryExampleTests/LibraryExample.swift"
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Fixtures.scratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// The example merges as torch folds: the written file holds, name for name and byte for byte, the state
    /// dict torch saved after folding in float64 (`tiny_sd.expected.pth`), and both checks name every DAConv.
    func testTheExampleWritesWhatTorchFolds() throws {
        let output = scratch.appendingPathComponent("tiny_plain.pth").path
        let lines = try mergeAndVerify(Fixtures.path("tiny_sd.pth"), into: output)
        let modules = try Fixtures.facts("tiny_sd").daconv.map(\.module)
        XCTAssertEqual(lines.first, "\(Fixtures.path("tiny_sd.pth")): \(modules.count) DAConv modules")
        XCTAssertEqual(lines.dropFirst().dropLast().map { String($0.prefix { $0 != ":" }) }, modules)
        XCTAssertEqual(lines.last, "equivalent")

        let expected = try Fixtures.facts("tiny_sd.expected")
        let written = try CheckpointReader.open(output)
        let tensors = try written.namedTensors()
        XCTAssertEqual(tensors.map(\.name), expected.tensors.map(\.name))
        for (ours, theirs) in zip(tensors, expected.tensors) {
            XCTAssertEqual(ours.tensor.shape, theirs.shape, theirs.name)
            XCTAssertEqual(SHA256.hex(try written.contiguousBytes(of: ours.tensor)), theirs.sha256, theirs.name)
        }
    }

    /// An input the library refuses: the error names the file and the culprit, `MergeFailure` sorts it as the
    /// command line does (exit 3), and nothing is written.
    func testTheExampleRefusesADangerousFileByName() throws {
        let input = Fixtures.path("hostile/newobj_subprocess_popen.pth")
        let output = scratch.appendingPathComponent("out.pth").path
        XCTAssertThrowsError(try mergeAndVerify(input, into: output)) { error in
            let failure = MergeFailure(error, input: input)
            XCTAssertEqual(failure.kind, .unreadableInput)
            XCTAssertTrue(failure.message.hasPrefix(input), failure.message)
            XCTAssertTrue(failure.message.contains("subprocess.Popen"), failure.message)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    /// The page shows this target's example file verbatim, and what it returns for `fixtures/tiny_sd.pth`.
    func testTheDocumentationShowsTheCodeThatRuns() throws {
        let page = try String(contentsOf: Self.repository.appendingPathComponent("docs/library.md"), encoding: .utf8)
        let code = try String(contentsOf: Self.repository.appendingPathComponent(Self.examplePath), encoding: .utf8)
        XCTAssertEqual(try Self.block(after: "<!-- \(Self.examplePath) -->", in: page), code)

        let output = scratch.appendingPathComponent("tiny_plain.pth").path
        let lines = try mergeAndVerify(Fixtures.path("tiny_sd.pth"), into: output)
        let shown = try Self.block(after: "<!-- what it returns for fixtures/tiny_sd.pth -->", in: page)
        XCTAssertEqual(shown, lines.joined(separator: "\n").replacingOccurrences(of: Self.repository.path + "/", with: "") + "\n")
    }

    /// The page tells a package to depend on this repository's product at this release.
    func testTheDocumentationNamesTheProductAndTheRelease() throws {
        let page = try String(contentsOf: Self.repository.appendingPathComponent("docs/library.md"), encoding: .utf8)
        let manifest = try String(contentsOf: Self.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        let command = try String(
            contentsOf: Self.repository.appendingPathComponent("Sources/MergeDAConvCommands/MergeDAConvCommand.swift"),
            encoding: .utf8)
        let version = try XCTUnwrap(command.firstMatch(of: #/static let version = "([^"]+)"/#)?.1)
        XCTAssertNotNil(manifest.firstMatch(of: #/Package\(\s*name: "merge-daconv"/#), "the package's name")
        XCTAssertNotNil(manifest.firstMatch(of: #/\.library\(\s*name: "MergeDAConv"/#), "the library product")
        XCTAssertTrue(page.contains(".package(url: \"https://github.com/OWNER/merge-daconv\", from: \"\(version)\")"))
        XCTAssertTrue(page.contains(".product(name: \"MergeDAConv\", package: \"merge-daconv\")"))
    }

    /// The text of the fenced block that follows `marker` in `page`, without its fences.
    static func block(after marker: String, in page: String) throws -> String {
        let start = try XCTUnwrap(page.range(of: marker), "docs/library.md lacks \(marker)")
        let lines = page[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        let fence = try XCTUnwrap(lines.first, "no block after \(marker)")
        XCTAssertTrue(fence.hasPrefix("```"), "a fenced block must follow \(marker)")
        let body = lines.dropFirst().prefix { $0 != "```" }
        return body.map { $0 + "\n" }.joined()
    }
}
