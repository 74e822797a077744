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
        problem(with: nameBytes[...])
    }

    /// Why `nameBytes` is not acceptable, or nil if it is; one scan of the bytes, allocating nothing for
    /// the ASCII names torch writes.
    static func problem(with nameBytes: ArraySlice<UInt8>) -> String? {
        if nameBytes.isEmpty { return "the name is empty" }
        if nameBytes.count > maxNameLength { return "the name is longer than \(maxNameLength) bytes" }
        var isASCII = true
        var hasDotDotComponent = false
        // Dots the current component has held so far, -1 once it holds anything else.
        var dots = 0
        for byte in nameBytes {
            if byte == 0 { return "the name contains a NUL byte" }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") {
                hasDotDotComponent = hasDotDotComponent || dots == 2
                dots = 0
            } else if byte == UInt8(ascii: ".") {
                if dots >= 0 { dots += 1 }
            } else {
                dots = -1
                if byte >= 0x80 { isASCII = false }
            }
        }
        hasDotDotComponent = hasDotDotComponent || dots == 2
        if !isASCII && String(validating: nameBytes, as: UTF8.self) == nil { return "the name is not valid UTF-8" }
        if nameBytes.first == UInt8(ascii: "/") || nameBytes.first == UInt8(ascii: "\\") {
            return "the name is an absolute path"
        }
        if hasDriveLetter(nameBytes) { return "the name starts with a drive letter" }
        if hasDotDotComponent { return "the name has a '..' component" }
        return nil
    }

    /// Whether the name starts like `C:` (absolute on Windows).
    private static func hasDriveLetter(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 2, bytes[bytes.startIndex + 1] == UInt8(ascii: ":") else { return false }
        let letter = bytes[bytes.startIndex] | 0x20
        return letter >= UInt8(ascii: "a") && letter <= UInt8(ascii: "z")
    }
}
