// The only file of this module, besides the C and POSIX call files and RawMemory, that reads array storage through
// pointers: the per-record loops of a zip directory (40,000 names and headers in a checkpoint of many small
// tensors) scan and compare names here without a bounds or uniqueness check per byte.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one scan of a record name finds, for ``RecordNameRules``.
struct NameScan {
    var hasNUL = false
    var isASCII = true
    /// Some component, between `/` or `\` separators, is exactly `..`.
    var hasDotDotComponent = false
    /// The hash ``NameBytes/key(of:)`` gives the same bytes.
    var hash = 0

    /// The name's key in a ``RecordNameIndex``.
    var key: NameKey { NameKey(hash: hash, isASCII: isASCII) }
}

/// Scans, hashes and compares name bytes held in arrays.
enum NameBytes {
    /// One pass over `bytes[range]`, eight bytes at a time, that also hashes it (``key(of:)`` hashes alike); the
    /// byte by byte pass runs only for a name with a NUL byte or two dots in a row (torch writes neither).
    static func scan(_ bytes: [UInt8], _ range: Range<Int>) -> NameScan {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "name range")
        return bytes.withUnsafeBytes { buffer in
            let name = UnsafeRawBufferPointer(rebasing: buffer[range])
            var words = NameWords()
            var hash = seed
            var offset = 0
            while name.count - offset >= 8 {
                let word = UInt64(littleEndian: name.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                words.add(word)
                hash = fold(hash ^ word, wordFactor)
                offset += 8
            }
            let tail = tailWord(name, from: offset)
            if offset < name.count {
                // 'a', which none of the searches looks for, where the name has no bytes.
                words.add(tail | 0x6161_6161_6161_6161 & ~0 << UInt64(8 * (name.count - offset)))
            }
            let hashed = finished(hash, tail: tail, count: name.count)
            guard words.hasZero || words.hasDotPair else { return NameScan(isASCII: words.highBits == 0, hash: hashed) }
            var scan = scanBytes(name.assumingMemoryBound(to: UInt8.self))
            scan.hash = hashed
            return scan
        }
    }

    private static func scanBytes(_ name: UnsafeBufferPointer<UInt8>) -> NameScan {
        var scan = NameScan()
        // Dots the current component has held so far, -1 once it holds anything else.
        var dots = 0
        for byte in name {
            if byte == 0 { scan.hasNUL = true }
            if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") {
                scan.hasDotDotComponent = scan.hasDotDotComponent || dots == 2
                dots = 0
            } else if byte == UInt8(ascii: ".") {
                if dots >= 0 { dots += 1 }
            } else {
                dots = -1
                if byte >= 0x80 { scan.isASCII = false }
            }
        }
        scan.hasDotDotComponent = scan.hasDotDotComponent || dots == 2
        return scan
    }

    /// The key of `name`'s UTF-8 bytes, with the hash ``scan(_:_:)`` gives those bytes.
    static func key(of name: String) -> NameKey {
        var name = name
        return name.withUTF8 { key(UnsafeRawBufferPointer($0)) }
    }

    /// `name`'s UTF-8 bytes, copied at once (`Array(name.utf8)` copies them one at a time).
    static func array(of name: String) -> [UInt8] {
        var name = name
        return name.withUTF8 { Array($0) }
    }

    /// A random seed per process: which names collide cannot be known in advance (and ``RecordNameIndex`` leaves
    /// bytes for strings if names do collide).
    private static let seed = UInt64.random(in: 1...UInt64.max)

    private static let wordFactor: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// A multiply-and-fold hash of the bytes, eight at a time (a tenth of the instructions of `Hasher`'s SipHash for
    /// the names torch writes), and whether they are all ASCII.
    private static func key(_ memory: UnsafeRawBufferPointer) -> NameKey {
        var hash = seed
        var highBits: UInt64 = 0
        var offset = 0
        while memory.count - offset >= 8 {
            let word = UInt64(littleEndian: memory.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            hash = fold(hash ^ word, wordFactor)
            highBits |= word
            offset += 8
        }
        let tail = tailWord(memory, from: offset)
        highBits |= tail
        let hashed = finished(hash, tail: tail, count: memory.count)
        return NameKey(hash: hashed, isASCII: highBits & 0x8080_8080_8080_8080 == 0)
    }

    /// The bytes from `offset` on (fewer than eight), little-endian, zeros after them.
    private static func tailWord(_ memory: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        var tail: UInt64 = 0
        for index in stride(from: memory.count - 1, through: offset, by: -1) {
            tail = tail << 8 | UInt64(memory[index])
        }
        return tail
    }

    /// The hash after the tail word; the length's low byte goes in the tail's last byte, which the tail never fills
    /// (equal hashes only cost a compare).
    private static func finished(_ hash: UInt64, tail: UInt64, count: Int) -> Int {
        let last = fold(hash ^ tail ^ UInt64(truncatingIfNeeded: count) << 56, 0xD6E8_FEB8_6659_FD93)
        return Int(truncatingIfNeeded: fold(last, seed | 1))
    }

    /// The high and low halves of the 128-bit product, combined.
    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// Whether `a[aStart ..< aStart + count]` equals `b[bStart ..< bStart + count]` (the caller checked both ranges).
    static func equal(_ a: [UInt8], at aStart: Int, _ b: [UInt8], at bStart: Int, count: Int) -> Bool {
        precondition(aStart >= 0 && bStart >= 0 && count >= 0 && aStart <= a.count - count && bStart <= b.count - count)
        return a.withUnsafeBytes { first in
            b.withUnsafeBytes { second in
                count == 0 || memcmp(first.baseAddress! + aStart, second.baseAddress! + bStart, count) == 0
            }
        }
    }
}

/// What eight bytes at a time tell of a name: whether some byte is 0, some two bytes in a row are dots, and the
/// high bits of all bytes (bit tricks that find a zero byte exactly, with no false positives).
private struct NameWords {
    private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    private static let dots: UInt64 = 0x2E2E_2E2E_2E2E_2E2E
    var hasZero = false
    var hasDotPair = false
    var highBits: UInt64 = 0
    /// Whether the last byte of the previous word was a dot.
    private var endsInDot = false

    /// 0x80 in each byte of `word` that is 0, 0 elsewhere.
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~(((word & low7) &+ low7) | word | low7)
    }

    mutating func add(_ word: UInt64) {
        highBits |= word & ~Self.low7
        hasZero = hasZero || Self.zeroBytes(word) != 0
        let dotBytes = Self.zeroBytes(word ^ Self.dots)
        hasDotPair = hasDotPair || dotBytes & (dotBytes >> 8) != 0 || (endsInDot && dotBytes & 0x80 != 0)
        endsInDot = dotBytes >> 63 != 0
    }
}
