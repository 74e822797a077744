/// Which record names an archive may contain, for reading and writing alike.
///
/// A checkpoint never needs absolute names or `..`; a tool that extracts archives could be
/// led outside its folder by them, and names that decode ambiguously (invalid UTF-8, NUL)
/// could make two readers see different records. We refuse what we would not write.
enum RecordNameRules {
    /// Longest name a zip header can hold.
    static let maxNameLength = 0xFFFF

    /// Why `nameBytes` is not acceptable, or nil if it is.
    static func problem(with nameBytes: [UInt8]) -> String? {
        problem(in: nameBytes, nameBytes.indices)
    }

    /// Why the name `bytes[range]` is not acceptable, or nil if it is; one scan of the bytes, allocating nothing
    /// for the ASCII names torch writes.
    static func problem(in bytes: [UInt8], _ range: Range<Int>) -> String? {
        problem(in: bytes, range, scan: NameBytes.scan(bytes, range))
    }

    /// The same, given the name's scan (which also gives its key for a ``RecordNameIndex``).
    static func problem(in bytes: [UInt8], _ range: Range<Int>, scan: NameScan) -> String? {
        if range.isEmpty { return "the name is empty" }
        if range.count > maxNameLength { return "the name is longer than \(maxNameLength) bytes" }
        if scan.hasNUL { return "the name contains a NUL byte" }
        if !scan.isASCII && String(validating: bytes[range], as: UTF8.self) == nil { return "the name is not valid UTF-8" }
        let first = bytes[range.lowerBound]
        if first == UInt8(ascii: "/") || first == UInt8(ascii: "\\") { return "the name is an absolute path" }
        if hasDriveLetter(bytes, range) { return "the name starts with a drive letter" }
        if scan.hasDotDotComponent { return "the name has a '..' component" }
        return nil
    }

    /// Whether the name starts like `C:` (absolute on Windows).
    private static func hasDriveLetter(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.count >= 2, bytes[range.lowerBound + 1] == UInt8(ascii: ":") else { return false }
        let letter = bytes[range.lowerBound] | 0x20
        return letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z")
    }
}
