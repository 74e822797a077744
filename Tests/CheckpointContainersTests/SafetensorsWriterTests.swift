import XCTest

@testable import CheckpointContainers

/// The safetensors writer: byte-exact against the reference implementation's own test vectors, its layout
/// order, the order producers are pulled in, and what happens when a producer misbehaves.
final class SafetensorsWriterTests: XCTestCase {
    /// Serves fixed chunks and records when it was pulled.
    final class Chunks: ZipRecordProducer {
        private var chunks: [[UInt8]]
        private let onPull: () -> Void
        private let failure: Error?

        init(_ chunks: [[UInt8]], failure: Error? = nil, onPull: @escaping () -> Void = {}) {
            self.chunks = chunks
            self.failure = failure
            self.onPull = onPull
        }

        func nextChunk() throws -> [UInt8]? {
            onPull()
            if let failure { throw failure }
            return chunks.isEmpty ? nil : chunks.removeFirst()
        }
    }

    struct ProducerFailed: Error {}

    private func tensor(_ name: String, _ dtype: SafetensorsDType, _ shape: [Int], _ bytes: [UInt8]) -> SafetensorsOutputTensor {
        SafetensorsOutputTensor(name: name, dtype: dtype, shape: shape, producer: Chunks([bytes]))
    }

    private func written(
        _ tensors: [SafetensorsOutputTensor], metadata: [SafetensorsMetadataEntry]? = nil
    ) throws -> (path: String, bytes: [UInt8]) {
        let path = try TemporaryDirectory(self).path("out.safetensors")
        try SafetensorsWriter(path: path, tensors: tensors, metadata: metadata).write()
        return (path, try TemporaryDirectory.contents(of: path))
    }

    private static func floats(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * $0)) } }
    }

    private static func lengthPrefixed(_ header: String) -> [UInt8] {
        let count = UInt64(header.utf8.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: count >> (8 * $0)) } + Array(header.utf8)
    }

    /// `safetensors/src/tensor.rs`, `test_serialization` and `test_serialization_forced_alignement`.
    func testReferenceVectors() throws {
        let data = Self.floats([0, 1, 2, 3, 4, 5])
        let (_, plain) = try written([tensor("attn.0", .float32, [1, 2, 3], data)])
        XCTAssertEqual(plain, Self.lengthPrefixed(#"{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}"#) + data)
        let (_, padded) = try written([tensor("attn0", .float32, [1, 1, 2, 3], data)])
        XCTAssertEqual(
            padded, Self.lengthPrefixed(#"{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}"# + "       ") + data)
    }

    /// `test_empty`: no tensors, without and with metadata.
    func testReferenceEmptyVectors() throws {
        XCTAssertEqual(try written([]).bytes, Self.lengthPrefixed("{}      "))
        let metadata = [SafetensorsMetadataEntry(key: "framework", value: "pt")]
        XCTAssertEqual(
            try written([], metadata: metadata).bytes, Self.lengthPrefixed(#"{"__metadata__":{"framework":"pt"}}"# + "     "))
    }

    func testLayoutIsByDescendingAlignmentThenName() throws {
        let tensors = [
            tensor("b", .uint8, [3], [1, 2, 3]), tensor("c", .float32, [1], Self.floats([7])),
            tensor("a", .float32, [1], Self.floats([6])), tensor("z", .float64, [1], Array(repeating: 9, count: 8)),
            tensor("h", .bfloat16, [1], [5, 5]),
        ]
        let (path, _) = try written(tensors)
        let header = try SafetensorsReader.readHeader(FileReader(path: path))
        XCTAssertEqual(header.tensors.map(\.name), ["z", "a", "c", "h", "b"])
        XCTAssertEqual(header.tensors.map(\.begin), [0, 8, 12, 16, 18])
        for info in header.tensors {
            XCTAssertEqual((header.dataOffset + info.begin) % UInt64(info.dtype.elementSize), 0, info.name)
        }
    }

    func testProducersArePulledInTheGivenOrderAndWrittenAtTheirOffsets() throws {
        var pulled: [String] = []
        let tensors = ["b", "a"].map { name in
            SafetensorsOutputTensor(
                name: name, dtype: .uint8, shape: [2],
                producer: Chunks([[name == "a" ? 1 : 2], [], [9]]) {
                    if pulled.last != name { pulled.append(name) }
                })
        }
        let (path, bytes) = try written(tensors)
        XCTAssertEqual(pulled, ["b", "a"])
        let header = try SafetensorsReader.readHeader(FileReader(path: path))
        XCTAssertEqual(Array(bytes[Int(header.dataOffset)...]), [1, 9, 2, 9])
    }

    func testNamesAndMetadataAreEscapedAsSerdeJSONDoes() throws {
        let name = "a\"b\\c\n\u{1}\u{7F}é"
        let metadata = [SafetensorsMetadataEntry(key: "k\t", value: "v\r\u{8}\u{C}")]
        let (path, bytes) = try written([tensor(name, .uint8, [], [4])], metadata: metadata)
        let text = String(decoding: bytes[8...], as: UTF8.self)
        XCTAssertTrue(text.hasPrefix(#"{"__metadata__":{"k\t":"v\r\b\f"},"a\"b\\c\n\u0001"# + "\u{7F}é\":"), text)
        let header = try SafetensorsReader.readHeader(FileReader(path: path))
        XCTAssertEqual(header.tensors.map(\.name), [name])
        XCTAssertEqual(header.metadata, metadata)
    }

    func testDuplicateNamesAreRefused() throws {
        let path = try TemporaryDirectory(self).path("dup.safetensors")
        assertThrows(.invalidSafetensors(path: path, problem: .duplicateTensorName("w"))) {
            try SafetensorsWriter(
                path: path, tensors: [tensor("w", .uint8, [1], [1]), tensor("w", .uint8, [1], [2])], metadata: nil)
        }
    }

    func testHeaderAboveTheLimitIsRefused() throws {
        var limits = SafetensorsLimits.standard
        limits.maxHeaderBytes = 16
        let path = try TemporaryDirectory(self).path("big.safetensors")
        assertThrows(.invalidSafetensors(path: path, problem: .headerTooLarge(length: 64, limit: 16))) {
            try SafetensorsWriter(path: path, tensors: [tensor("attn.0", .uint8, [1, 2, 3], [])], metadata: nil, limits: limits)
        }
    }

    func testSizeOverflowIsRefused() throws {
        let path = try TemporaryDirectory(self).path("huge.safetensors")
        assertThrows(.invalidSafetensors(path: path, problem: .sizeOverflow(tensor: "w"))) {
            try SafetensorsWriter(path: path, tensors: [tensor("w", .float64, [1 << 62, 4], [])], metadata: nil)
        }
    }

    func testWrongProducedSizeLeavesNoFile() throws {
        let directory = try TemporaryDirectory(self)
        for (chunks, actual) in [([[UInt8]]([[1, 2, 3]]), UInt64(3)), ([[1], [2, 3, 4, 5]], 5)] {
            let path = directory.path("short.safetensors")
            let writer = try SafetensorsWriter(
                path: path, tensors: [SafetensorsOutputTensor(name: "w", dtype: .uint8, shape: [4], producer: Chunks(chunks))],
                metadata: nil)
            assertThrows(
                .invalidSafetensors(path: path, problem: .producedSizeMismatch(tensor: "w", expected: 4, actual: actual))
            ) {
                try writer.write()
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        }
    }

    func testProducerErrorIsRethrownAndLeavesNoFile() throws {
        let path = try TemporaryDirectory(self).path("failed.safetensors")
        let writer = try SafetensorsWriter(
            path: path,
            tensors: [
                SafetensorsOutputTensor(name: "w", dtype: .uint8, shape: [1], producer: Chunks([], failure: ProducerFailed()))
            ],
            metadata: nil)
        XCTAssertThrowsError(try writer.write()) { XCTAssertTrue($0 is ProducerFailed, "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testExistingFileIsNeverReplaced() throws {
        let directory = try TemporaryDirectory(self)
        let path = try directory.write([42], to: "taken.safetensors")
        assertThrows(.fileExists(path: path)) { try SafetensorsWriter(path: path, tensors: [], metadata: nil).write() }
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), [42])
    }
}
