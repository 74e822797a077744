#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Byte comparisons of record names, for the tests a reader makes of every record of an archive: Swift compares
/// strings by canonical equivalence, a per-character walk that a checkpoint of many small tensors pays once per
/// record. Equal bytes are equal strings; where bytes alone cannot tell what a string comparison says, these say
/// nil and the caller compares strings.
enum RecordNameBytes {
    /// Whether `name` is `folder` followed by `key`, byte for byte (false may still be a canonically equal name).
    static func isConcatenation(_ name: String, _ folder: String, _ key: String) -> Bool {
        var name = name
        var folder = folder
        var key = key
        return name.withUTF8 { name in
            folder.withUTF8 { folder in
                key.withUTF8 { key in
                    name.count == folder.count + key.count && equal(name, at: 0, folder)
                        && equal(name, at: folder.count, key)
                }
            }
        }
    }

    /// Whether `name` begins with `prefix` as `String.hasPrefix` says it, when the bytes tell: they begin with
    /// `prefix`'s, the prefix ends in an ASCII character other than a carriage return, and the byte after them is
    /// ASCII or there is none (then the name's characters break where the prefix ends, as the prefix's do). Nil
    /// otherwise, for the caller to compare strings.
    static func hasPrefix(_ name: String, _ prefix: String) -> Bool? {
        var name = name
        var prefix = prefix
        return name.withUTF8 { name in
            prefix.withUTF8 { prefix -> Bool? in
                guard let last = prefix.last, last < 0x80, last != 0x0D, name.count >= prefix.count,
                    equal(name, at: 0, prefix)
                else { return nil }
                return name.count == prefix.count || name[prefix.count] < 0x80 ? true : nil
            }
        }
    }

    /// Whether `bytes[start...]` begins with `part` (the caller checked the lengths).
    private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, _ part: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, let partBase = part.baseAddress else { return part.isEmpty }
        return memcmp(base + start, partBase, part.count) == 0
    }
}
