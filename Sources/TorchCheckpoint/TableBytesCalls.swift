// The only file of TorchCheckpoint's table code that touches raw memory: the loops that run once per cell or
// per byte of a report of tens of thousands of rows, over buffers whose bounds the callers checked.

/// Byte loops of ``TableColumns`` and of the reports that fill it.
public enum TableBytesCalls {
    /// Whether `bytes[range]` holds only ASCII.
    public static func isASCII(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        return bytes.withUnsafeBufferPointer { buffer in
            var all: UInt8 = 0
            for index in range { all |= buffer[index] }
            return all < 0x80
        }
    }

    /// Whether two ranges of `bytes` hold the same bytes.
    public static func equal(_ bytes: [UInt8], _ first: Range<Int>, _ second: Range<Int>) -> Bool {
        precondition(first.lowerBound >= 0 && first.upperBound <= bytes.count)
        precondition(second.lowerBound >= 0 && second.upperBound <= bytes.count)
        guard first.count == second.count else { return false }
        return bytes.withUnsafeBytes { buffer in
            var index = 0
            while index + 8 <= first.count {
                let left = buffer.loadUnaligned(fromByteOffset: first.lowerBound + index, as: UInt64.self)
                let right = buffer.loadUnaligned(fromByteOffset: second.lowerBound + index, as: UInt64.self)
                guard left == right else { return false }
                index += 8
            }
            while index < first.count, buffer[first.lowerBound + index] == buffer[second.lowerBound + index] {
                index += 1
            }
            return index == first.count
        }
    }

    /// Appends the string's UTF-8 bytes (read in place when the string holds them contiguously).
    public static func append(_ text: String, to bytes: inout [UInt8]) {
        let appended: Void? = text.utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        if appended == nil {
            var text = text
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }
    }

    /// Appends the decimal digits of `value`, in groups of three split by commas when `grouped`.
    public static func appendDecimal(_ value: Int, grouped: Bool, to bytes: inout [UInt8]) {
        if value >= 0, value < 1000 {
            // Most sizes and counts of a report: no comma, at most three digits.
            if value >= 100 { bytes.append(UInt8(ascii: "0") + UInt8(value / 100)) }
            if value >= 10 { bytes.append(UInt8(ascii: "0") + UInt8(value / 10 % 10)) }
            bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
            return
        }
        var magnitude = value.magnitude
        var digits = 1
        var scale: UInt = 1
        while magnitude / scale >= 10 {
            scale *= 10
            digits += 1
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        while digits > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / scale))
            magnitude %= scale
            scale /= 10
            digits -= 1
            if grouped, digits > 0, digits % 3 == 0 { bytes.append(UInt8(ascii: ",")) }
        }
    }

    /// Each column's width (its widest cell, in characters) and the rows holding a non-ASCII cell, in order,
    /// of cells ending at `ends` in `cells`, row after row (the cells of a row left open count too).
    static func measure(cells: [UInt8], ends: [Int], columns: Int) -> (widths: [Int], characterRows: [Int]) {
        precondition((ends.last ?? 0) <= cells.count, "cells end in order, within the cell bytes")
        var widths = [Int](repeating: 0, count: columns)
        var characterRows: [Int] = []
        let allASCII = isASCII(cells, 0..<cells.count)
        widths.withUnsafeMutableBufferPointer { widths in
            ends.withUnsafeBufferPointer { ends in
                var start = 0
                var column = 0
                var row = 0
                for end in ends {
                    var width = end - start
                    if !allASCII, !isASCII(cells, start..<end) {
                        width = String(decoding: cells[start..<end], as: UTF8.self).count
                        if characterRows.last != row { characterRows.append(row) }
                    }
                    if width > widths[column] { widths[column] = width }
                    start = end
                    column += 1
                    if column == columns {
                        column = 0
                        row += 1
                    }
                }
            }
        }
        return (widths, characterRows)
    }

    /// Spaces to extend an output by, a block at a time.
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 4096)

    /// Appends `count` spaces.
    static func appendSpaces(_ count: Int, to out: inout [UInt8]) {
        var left = count
        while left > 0 {
            out.append(contentsOf: spaces[0..<min(left, spaces.count)])
            left -= spaces.count
        }
    }
}

extension TableBytesCalls {
    /// How the ASCII rows of a table are laid out.
    struct RowLayout {
        var widths: [Int]
        var alignRight: [Bool]
        var indent: [UInt8]

        /// The longest a row can be with its newline: every cell as wide as its column.
        var lineBound: Int { widths.reduce(indent.count + 1 + 2 * max(0, widths.count - 1), +) }
    }

    /// Appends rows of ASCII cells (`ends`: where each cell ends in `cells`, row after row), each after a
    /// newline unless it is the table's first row, then the indent, its cells padded to the column widths and
    /// no trailing space. The output is first extended by spaces, so padding is a jump of the write position
    /// and only cell bytes are copied; the part no row reached is cut off.
    static func appendRows(
        _ rows: Range<Int>, cells: [UInt8], ends: [Int], layout: RowLayout, into out: inout [UInt8]
    ) {
        let columns = layout.widths.count
        precondition(rows.lowerBound >= 0 && rows.upperBound * columns <= ends.count)
        precondition((ends.last ?? 0) <= cells.count, "cells end in order, within the cell bytes")
        let start = out.count
        appendSpaces(rows.count * layout.lineBound, to: &out)
        let used = out.withUnsafeMutableBufferPointer { output in
            cells.withUnsafeBufferPointer { cells in
                ends.withUnsafeBufferPointer { ends in
                    layout.widths.withUnsafeBufferPointer { widths in
                        layout.alignRight.withUnsafeBufferPointer { alignRight in
                            var cursor = start
                            for row in rows {
                                if row > 0 {
                                    output[cursor] = UInt8(ascii: "\n")
                                    cursor &+= 1
                                }
                                for byte in layout.indent {
                                    output[cursor] = byte
                                    cursor &+= 1
                                }
                                cursor = writeRow(row, cells, ends, widths, alignRight, into: output, at: cursor)
                            }
                            return cursor
                        }
                    }
                }
            }
        }
        out.removeLast(out.count - used)
    }

    /// Writes one row at `start` into space-filled `output`; returns where its last cell byte ends. Positions
    /// stay within the room made for the rows, so they are added without overflow checks.
    private static func writeRow(
        _ row: Int, _ cells: UnsafeBufferPointer<UInt8>, _ ends: UnsafeBufferPointer<Int>,
        _ widths: UnsafeBufferPointer<Int>, _ alignRight: UnsafeBufferPointer<Bool>,
        into output: UnsafeMutableBufferPointer<UInt8>, at start: Int
    ) -> Int {
        let columns = widths.count
        let first = row &* columns
        var cursor = start
        var lineEnd = cursor
        var cellStart = first == 0 ? 0 : ends[first &- 1]
        for column in 0..<columns {
            let cellEnd = ends[first &+ column]
            let pad = widths[column] &- (cellEnd &- cellStart)
            if column > 0 { cursor &+= 2 }
            if alignRight[column] { cursor &+= pad }
            // The cell's own trailing spaces are held back like padding.
            var kept = cellEnd
            while kept > cellStart, cells[kept &- 1] == UInt8(ascii: " ") { kept &-= 1 }
            let length = kept &- cellStart
            if length > 0 {
                (output.baseAddress! + cursor).update(from: cells.baseAddress! + cellStart, count: length)
                cursor &+= length
                lineEnd = cursor
            }
            cursor &+= cellEnd &- kept
            if !alignRight[column] { cursor &+= pad }
            cellStart = cellEnd
        }
        return lineEnd
    }
}
