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
        if nameBytes.isEmpty { return "the name is empty" }
        if nameBytes.count > maxNameLength { return "the name is longer than \(maxNameLength) bytes" }
        if nameBytes.contains(0) { return "the name contains a NUL byte" }
        let name = String(decoding: nameBytes, as: UTF8.self)
        if Array(name.utf8) != nameBytes { return "the name is not valid UTF-8" }
        if nameBytes.first == UInt8(ascii: "/") || nameBytes.first == UInt8(ascii: "\\") {
            return "the name is an absolute path"
        }
        if hasDriveLetter(nameBytes) { return "the name starts with a drive letter" }
        let components = nameBytes.split(
            omittingEmptySubsequences: false, whereSeparator: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") })
        if components.contains(where: { $0.elementsEqual("..".utf8) }) {
            return "the name has a '..' component"
        }
        return nil
    }

    /// Whether the name starts like `C:` (absolute on Windows).
    private static func hasDriveLetter(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2, bytes[1] == UInt8(ascii: ":") else { return false }
        let letter = bytes[0] | 0x20
        return letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z")
    }
}
