/// Reads and validates the header of a safetensors file; tensor bytes are then read by range from the
/// same ``FileReader`` (each tensor's `dataOffset + begin ..< dataOffset + end`, inside the file by
/// construction).
///
/// Every size is checked before it is used: the header length against ``SafetensorsLimits/maxHeaderBytes``
/// and the file size before the header is read, then every offset against the data area.
public enum SafetensorsReader {
    /// Reads the header of `file` and checks it against the file's size.
    public static func readHeader(_ file: FileReader, limits: SafetensorsLimits = .standard) throws -> SafetensorsHeader {
        func problem(_ problem: SafetensorsProblem) -> ContainerError {
            .invalidSafetensors(path: file.path, problem: problem)
        }
        guard file.size >= 8 else { throw problem(.fileTooSmall(size: file.size)) }
        let length = littleEndianUInt64(try file.read(offset: 0, count: 8))
        guard length <= UInt64(limits.maxHeaderBytes) else {
            throw problem(.headerTooLarge(length: length, limit: limits.maxHeaderBytes))
        }
        guard length <= file.size - 8 else { throw problem(.headerBeyondFile(length: length, fileSize: file.size)) }
        let text = try file.read(offset: 8, count: Int(length))
        if let bad = SafetensorsUTF8.firstInvalidIndex(in: text) { throw problem(.headerNotUTF8(offset: 8 + UInt64(bad))) }
        let json: SafetensorsJSON
        do {
            json = try SafetensorsJSONParser.parse(text, maxDepth: limits.maxJSONDepth)
        } catch .invalid(let index, let reason) {
            throw problem(.invalidJSON(offset: 8 + UInt64(index), reason: reason))
        } catch .tooDeep(let index) {
            throw problem(.jsonTooDeep(offset: 8 + UInt64(index), limit: limits.maxJSONDepth))
        }
        do {
            return try SafetensorsHeaderValidation(limits: limits).header(json, length: length, dataSize: file.size - 8 - length)
        } catch {
            throw problem(error)
        }
    }

    /// Whether the first bytes of a file look like safetensors: a header length that fits the file and the
    /// limit, followed by `{`. Zip and legacy torch files fail this (their first 8 bytes read as a huge
    /// length), so the test can run after theirs without ambiguity.
    public static func looksLikeSafetensors(_ head: [UInt8], fileSize: UInt64, limits: SafetensorsLimits = .standard) -> Bool {
        guard head.count >= 9, fileSize >= 10 else { return false }
        let length = littleEndianUInt64(Array(head[0..<8]))
        return length >= 2 && length <= UInt64(limits.maxHeaderBytes) && length <= fileSize - 8 && head[8] == UInt8(ascii: "{")
    }

    static func littleEndianUInt64(_ bytes: [UInt8]) -> UInt64 {
        precondition(bytes.count == 8, "eight bytes")
        return bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
