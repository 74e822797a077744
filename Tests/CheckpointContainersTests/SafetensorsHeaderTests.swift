import XCTest

@testable import CheckpointContainers

/// Every header problem the reader reports, each from the minimal bytes that cause exactly it.
final class SafetensorsHeaderTests: XCTestCase {
    /// `[length][json][data]`; `length` overrides the real header length.
    static func file(_ json: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        file(bytes: Array(json.utf8), data: data, length: length)
    }

    /// `[length][header bytes][data]`, for headers that are not valid UTF-8.
    static func file(bytes header: [UInt8], data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let declared = length ?? UInt64(header.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: declared >> (8 * $0)) } + header + data
    }

    private func read(_ bytes: [UInt8], limits: SafetensorsLimits = .standard) throws -> (String, () throws -> SafetensorsHeader)
    {
        let path = try TemporaryDirectory(self).write(bytes, to: "case.safetensors")
        return (path, { try SafetensorsReader.readHeader(FileReader(path: path), limits: limits) })
    }

    private func assertProblem(
        _ bytes: [UInt8], _ problem: SafetensorsProblem, limits: SafetensorsLimits = .standard,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let (path, reader) = try read(bytes, limits: limits)
        assertThrows(.invalidSafetensors(path: path, problem: problem), file: file, line: line, reader)
    }

    static let f32Pair = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    func testValidHeader() throws {
        let (_, reader) = try read(Self.file(Self.f32Pair, data: [UInt8](repeating: 1, count: 8)))
        let header = try reader()
        XCTAssertEqual(header.tensors, [SafetensorsTensorInfo(name: "t", dtype: .float32, shape: [2], begin: 0, end: 8)])
        XCTAssertNil(header.metadata)
        XCTAssertEqual(header.dataOffset, 8 + UInt64(Self.f32Pair.utf8.count))
    }

    func testEmptyHeaderAndEmptyMetadata() throws {
        let (_, reader) = try read(Self.file(#"{"__metadata__":{}}  "#))
        let header = try reader()
        XCTAssertEqual(header.tensors, [])
        XCTAssertEqual(header.metadata, [])
    }

    func testFileTooSmall() throws {
        try assertProblem([8, 0, 0, 0, 0], .fileTooSmall(size: 5))
    }

    func testHeaderTooLarge() throws {
        try assertProblem(Self.file("{}", length: 100_000_001), .headerTooLarge(length: 100_000_001, limit: 100_000_000))
        try assertProblem(Self.file("{}", length: UInt64.max), .headerTooLarge(length: UInt64.max, limit: 100_000_000))
    }

    func testHeaderBeyondFile() throws {
        try assertProblem(Self.file("{}", length: 3), .headerBeyondFile(length: 3, fileSize: 10))
    }

    func testHeaderNotUTF8() throws {
        try assertProblem(Self.file(bytes: Array("{\"".utf8) + [0xC0, 0x80] + Array("\":1}".utf8)), .headerNotUTF8(offset: 10))
    }

    func testInvalidJSON() throws {
        try assertProblem(Self.file(#"{"t":"#), .invalidJSON(offset: 13, reason: "the header ends where a value should start"))
        try assertProblem(Self.file("{} x"), .invalidJSON(offset: 11, reason: "unexpected text after the JSON value"))
    }

    func testJSONTooDeep() throws {
        var limits = SafetensorsLimits.standard
        limits.maxJSONDepth = 3
        try assertProblem(Self.file(#"{"t":[[[]]]}"#), .jsonTooDeep(offset: 15, limit: 3), limits: limits)
    }

    func testHeaderNotAnObject() throws {
        try assertProblem(Self.file("[]"), .headerNotAnObject)
    }

    func testDuplicateTensorName() throws {
        let json = #"{"t":{"dtype":"U8","shape":[],"data_offsets":[0,1]},"t":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}"#
        try assertProblem(Self.file(json, data: [0]), .duplicateTensorName("t"))
    }

    func testInvalidMetadata() throws {
        try assertProblem(
            Self.file(#"{"__metadata__":[]}"#),
            .invalidMetadata(key: nil, reason: "expected an object of strings, found an array"))
        try assertProblem(
            Self.file(#"{"__metadata__":{"epoch":3}}"#),
            .invalidMetadata(key: "epoch", reason: "expected a string, found the number 3"))
        try assertProblem(
            Self.file(#"{"__metadata__":{"a":"1","a":"2"}}"#),
            .invalidMetadata(key: "a", reason: "the key appears more than once"))
    }

    func testMalformedTensorInfo() throws {
        try assertProblem(
            Self.file(#"{"t":3}"#), .malformedTensorInfo(tensor: "t", reason: "expected an object, found the number 3"))
        try assertProblem(
            Self.file(#"{"t":{"shape":[],"data_offsets":[0,0]}}"#),
            .malformedTensorInfo(tensor: "t", reason: "'dtype' must be a string"))
        try assertProblem(
            Self.file(#"{"t":{"dtype":"U8","data_offsets":[0,0]}}"#),
            .malformedTensorInfo(tensor: "t", reason: "'shape' must be an array"))
        try assertProblem(
            Self.file(#"{"t":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}"#),
            .malformedTensorInfo(tensor: "t", reason: "shape entries must be non-negative integers"))
        try assertProblem(
            Self.file(#"{"t":{"dtype":"U8","shape":[1.0],"data_offsets":[0,0]}}"#),
            .malformedTensorInfo(tensor: "t", reason: "shape entries must be non-negative integers"))
        try assertProblem(
            Self.file(#"{"t":{"dtype":"U8","shape":[0],"data_offsets":[0]}}"#),
            .malformedTensorInfo(tensor: "t", reason: "'data_offsets' must be two non-negative integers"))
        try assertProblem(
            Self.file(#"{"t":{"dtype":"U8","dtype":"U8","shape":[0],"data_offsets":[0,0]}}"#),
            .malformedTensorInfo(tensor: "t", reason: "field 'dtype' appears more than once"))
    }

    func testUnknownDType() throws {
        try assertProblem(
            Self.file(#"{"t":{"dtype":"F4","shape":[],"data_offsets":[0,0]}}"#), .unknownDType(tensor: "t", dtype: "F4"))
    }

    func testTooManyTensorsAndDimensions() throws {
        var limits = SafetensorsLimits.standard
        limits.maxTensors = 1
        limits.maxDimensions = 2
        let two = #"{"a":{"dtype":"U8","shape":[],"data_offsets":[0,1]},"b":{"dtype":"U8","shape":[],"data_offsets":[1,2]}}"#
        try assertProblem(Self.file(two, data: [0, 0]), .tooManyTensors(limit: 1), limits: limits)
        let deep = #"{"a":{"dtype":"U8","shape":[1,1,1],"data_offsets":[0,1]}}"#
        try assertProblem(Self.file(deep, data: [0]), .tooManyDimensions(tensor: "a", count: 3, limit: 2), limits: limits)
    }

    func testSizeOverflow() throws {
        try assertProblem(
            Self.file(#"{"t":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,0]}}"#), .sizeOverflow(tensor: "t"))
        try assertProblem(
            Self.file(#"{"t":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,0]}}"#), .sizeOverflow(tensor: "t"))
    }

    func testOffsetsReversed() throws {
        try assertProblem(
            Self.file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: Array(repeating: 0, count: 8)),
            .offsetsReversed(tensor: "t", begin: 8, end: 0))
    }

    func testOffsetsOutOfRange() throws {
        try assertProblem(Self.file(Self.f32Pair, data: [0, 0, 0, 0]), .offsetsOutOfRange(tensor: "t", end: 8, dataSize: 4))
    }

    func testSizeMismatch() throws {
        try assertProblem(
            Self.file(#"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8)),
            .sizeMismatch(tensor: "t", expected: 12, actual: 8))
    }

    func testOverlappingTensors() throws {
        let json =
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        try assertProblem(Self.file(json, data: Array(repeating: 0, count: 12)), .overlappingTensors(first: "a", second: "b"))
        let empty =
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}"#
        try assertProblem(Self.file(empty, data: Array(repeating: 0, count: 8)), .overlappingTensors(first: "a", second: "e"))
    }

    func testGapBeforeTensor() throws {
        try assertProblem(
            Self.file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: Array(repeating: 0, count: 12)),
            .gapBeforeTensor(tensor: "t", begin: 4, expected: 0))
    }

    func testUncoveredData() throws {
        try assertProblem(Self.file(Self.f32Pair, data: Array(repeating: 0, count: 12)), .uncoveredData(end: 8, dataSize: 12))
    }

    func testZeroSizeTensorsMayShareAnOffset() throws {
        let json =
            #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"b":{"dtype":"I64","shape":[2,0],"data_offsets":[0,0]},"#
            + #""c":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}"#
        let (_, reader) = try read(Self.file(json, data: [7]))
        XCTAssertEqual(try reader().tensors.map(\.name), ["a", "b", "c"])
    }

    func testSniffing() {
        let good = Self.file(Self.f32Pair, data: Array(repeating: 0, count: 8))
        XCTAssertTrue(SafetensorsReader.looksLikeSafetensors(Array(good.prefix(64)), fileSize: UInt64(good.count)))
        XCTAssertFalse(SafetensorsReader.looksLikeSafetensors(Array("PK\u{3}\u{4}0000000".utf8), fileSize: 1000))
        XCTAssertFalse(SafetensorsReader.looksLikeSafetensors(Array(Self.file("[]").prefix(64)), fileSize: 10))
        XCTAssertFalse(SafetensorsReader.looksLikeSafetensors(Array(Self.file("{}", length: 900).prefix(64)), fileSize: 10))
    }

    /// Every problem's description is one line that names its culprit.
    func testDescriptionsNameTheCulprit() {
        let problems: [(SafetensorsProblem, String)] = [
            (.gapBeforeTensor(tensor: "x.w", begin: 4, expected: 0), "'x.w'"),
            (.overlappingTensors(first: "a", second: "b"), "'a' and 'b'"),
            (.invalidJSON(offset: 13, reason: "r"), "offset 13"),
            (.producedSizeMismatch(tensor: "w", expected: 8, actual: 4), "'w'"),
        ]
        for (problem, culprit) in problems {
            let text = ContainerError.invalidSafetensors(path: "/m.safetensors", problem: problem).description
            XCTAssertTrue(text.hasPrefix("/m.safetensors: safetensors: ") && text.contains(culprit), text)
        }
    }
}
