import DAConvMerge

// The only file of CheckpointInspection that touches raw memory: it reads each tensor name's UTF-8 bytes in
// place, once per tensor of a checkpoint of tens of thousands.

/// The names ``DAConvDetector`` needs to see: those that are or end in `.` and a rule's key. The detector
/// ignores every other name, so handing it only these finds the same modules without a copy of every name
/// and tensor. Bytes decide only where they agree with Swift's `hasSuffix` (ASCII names and keys without
/// `\r` or `\n`, which form no grapheme with their neighbours); any other name is handed over.
struct DAConvKeyNames {
    /// The keys' bytes; nil when a key is not plain ASCII, and every name is handed over.
    private let keys: [[UInt8]]?
    /// The detector's own first test: whether some key ends in a name's last byte.
    private let filter: DAConvDetector.KeyFilter

    init(_ rules: DAConvRules) {
        let keys = rules.keySuffixes.map { Array($0.utf8) }
        let plain = keys.allSatisfy { key in
            !key.isEmpty && key.allSatisfy { $0 < 0x80 && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        }
        self.keys = plain ? keys : nil
        filter = DAConvDetector.KeyFilter(rules)
    }

    /// Whether the detector needs to see `name`.
    func mayBeKey(_ name: String) -> Bool {
        guard let keys else { return true }
        if let found = name.utf8.withContiguousStorageIfAvailable({ mayBeKey($0, keys) }) { return found }
        var name = name
        return name.withUTF8 { mayBeKey($0, keys) }
    }

    private func mayBeKey(_ bytes: UnsafeBufferPointer<UInt8>, _ keys: [[UInt8]]) -> Bool {
        guard let last = bytes.last else { return false }
        if last >= 0x80 { return true }
        guard filter.mayEndInAKey(lastByte: last) else { return false }
        let matches = keys.contains { key in
            guard bytes.count >= key.count else { return false }
            let tail = bytes.count - key.count
            guard tail == 0 || (tail > 0 && bytes[tail - 1] == UInt8(ascii: ".")) else { return false }
            return key.indices.allSatisfy { bytes[tail + $0] == key[$0] }
        }
        // A non-ASCII name may end in a key by canonical equivalence without ending in its bytes.
        var all: UInt8 = 0
        if !matches { for byte in bytes { all |= byte } }
        return matches || all >= 0x80
    }
}
