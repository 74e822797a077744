import XCTest

@testable import CheckpointContainers

/// Archives that must be refused at open, each with the exact error that names its culprit.
final class HostileArchiveTests: XCTestCase {
    typealias Entry = RawZipBuilder.Entry

    private func open(_ bytes: [UInt8], limits: ZipLimits = .standard) throws -> (String, () throws -> ZipArchiveReader) {
        let path = try TemporaryDirectory(self).write(bytes, to: "hostile.zip")
        return (path, { try ZipArchiveReader(path: path, limits: limits) })
    }

    private func twoRecords() -> RawZipBuilder {
        RawZipBuilder([Entry("x/a", [1, 2, 3]), Entry("x/b", [4, 5])])
    }

    func testEmptyFile() throws {
        let (path, reader) = try open([])
        assertThrows(.emptyFile(path: path), reader)
    }

    func testRandomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let (path, reader) = try open((0..<5000).map { _ in UInt8.random(in: 0...0x4F, using: &generator) })
        assertThrows(.notAZipArchive(path: path), reader)
    }

    func testTruncatedAtSeveralPoints() throws {
        let whole = FixtureArchives.torchSmall
        for cut in [4, 30, 64, 700, whole.count / 2, whole.count - 100, whole.count - 22, whole.count - 1] {
            let (path, reader) = try open(Array(whole[..<cut]))
            assertThrows(.truncated(path: path, detail: "no end-of-central-directory record at the end of the file"), reader)
        }
    }

    func testDuplicateNames() throws {
        let (path, reader) = try open(RawZipBuilder([Entry("x/a", [1]), Entry("x/a", [2])]).bytes())
        assertThrows(.duplicateRecordName(path: path, name: "x/a"), reader)
    }

    func testNamesThatDifferOnlyInUnicodeNormalisationAreDuplicates() throws {
        let (path, reader) = try open(RawZipBuilder([Entry("x/caf\u{E9}", [1]), Entry("x/cafe\u{301}", [2])]).bytes())
        assertThrows(.duplicateRecordName(path: path, name: "x/cafe\u{301}"), reader)
    }

    func testUnsafeNames() throws {
        let cases: [(String, String)] = [
            ("../evil", "the name has a '..' component"),
            ("a/../../evil", "the name has a '..' component"),
            ("a\\..\\evil", "the name has a '..' component"),
            ("/abs", "the name is an absolute path"),
            ("\\abs", "the name is an absolute path"),
            ("C:/abs", "the name starts with a drive letter"),
            ("a\u{0}b", "the name contains a NUL byte"),
            ("", "the name is empty"),
        ]
        for (name, reason) in cases {
            let (path, reader) = try open(RawZipBuilder([Entry(name, [1])]).bytes())
            assertThrows(.unsafeRecordName(path: path, name: name, reason: reason), reader)
        }
    }

    func testNameThatIsNotUTF8() throws {
        var entry = Entry("", [1])
        entry.name = [0x78, 0x2F, 0xFF, 0xFE]
        let (path, reader) = try open(RawZipBuilder([entry]).bytes())
        assertThrows(.unsafeRecordName(path: path, name: "x/\u{FFFD}\u{FFFD}", reason: "the name is not valid UTF-8"), reader)
    }

    func testLocalHeaderNamingAnotherRecord() throws {
        var builder = twoRecords()
        builder.entries[1].localName = Array("x/c".utf8)
        let (path, reader) = try open(builder.bytes())
        assertThrows(.localHeaderMismatch(path: path, record: "x/b", field: "name"), reader)
    }

    func testLocalHeaderWithAnotherMethod() throws {
        var builder = twoRecords()
        builder.entries[0].localMethod = 8
        let (path, reader) = try open(builder.bytes())
        assertThrows(.localHeaderMismatch(path: path, record: "x/a", field: "compression method"), reader)
    }

    func testHeaderOffsetWithoutALocalHeader() throws {
        var builder = twoRecords()
        builder.entries[1].headerOffsetOverride = 1
        let (path, reader) = try open(builder.bytes())
        assertThrows(.malformedLocalHeader(path: path, record: "x/b", offset: 1, reason: "no local header signature"), reader)
    }

    func testHeaderOffsetInsideTheCentralDirectory() throws {
        var builder = twoRecords()
        let directoryOffset = UInt64(
            RawZipBuilder.localRecord(builder.entries[0]).count
                + RawZipBuilder.localRecord(builder.entries[1]).count)
        builder.entries[1].headerOffsetOverride = directoryOffset - 10
        let (path, reader) = try open(builder.bytes())
        assertThrows(.recordOutOfBounds(path: path, record: "x/b", offset: directoryOffset - 10, size: 33), reader)
    }

    func testStoredEntryClaimingAHugeSize() throws {
        var entry = Entry("x/huge", [1, 2, 3])
        entry.zip64 = true
        entry.size = 1 << 40
        entry.compressedSize = 1 << 40
        var builder = RawZipBuilder([entry])
        builder.zip64End = true
        let (path, reader) = try open(builder.bytes())
        assertThrows(.recordOutOfBounds(path: path, record: "x/huge", offset: 36, size: 1 << 40), reader)
    }

    func testRecordsSharingBytes() throws {
        // The first record's data holds a complete local record for the second, which the
        // central directory points into: both read fine on their own but share bytes.
        let hidden = Entry("x/b", [7, 7, 7])
        let outer = Entry("x/a", RawZipBuilder.localRecord(hidden))
        var builder = RawZipBuilder([outer, hidden])
        builder.entries[1].headerOffsetOverride = UInt64(30 + 3)
        let (path, reader) = try open(builder.bytes())
        assertThrows(.overlappingRecords(path: path, first: "x/a", second: "x/b"), reader)
    }

    func testMoreRecordsThanTheLimit() throws {
        let (path, reader) = try open(twoRecords().bytes(), limits: ZipLimits(maxRecords: 1, maxCentralDirectoryBytes: 1 << 20))
        assertThrows(.tooManyRecords(path: path, count: 2, limit: 1), reader)
    }

    func testCentralDirectoryLargerThanTheLimit() throws {
        let (path, reader) = try open(twoRecords().bytes(), limits: ZipLimits(maxRecords: 10, maxCentralDirectoryBytes: 50))
        assertThrows(.centralDirectoryTooLarge(path: path, size: 98, limit: 50), reader)
    }

    func testEntryCountThatCannotFit() throws {
        var builder = twoRecords()
        builder.entryCountOverride = 60_000
        let (path, reader) = try open(builder.bytes())
        assertThrows(.malformedCentralDirectory(path: path, offset: 71, reason: "60000 entries cannot fit in 98 bytes"), reader)
    }

    func testBytesAfterTheDeclaredEntries() throws {
        var builder = twoRecords()
        builder.entryCountOverride = 1
        let (path, reader) = try open(builder.bytes())
        assertThrows(
            .malformedCentralDirectory(path: path, offset: 120, reason: "49 bytes follow the 1 declared entries"), reader)
    }

    func testDirectoryNotEndingAtTheEndRecord() throws {
        var builder = twoRecords()
        builder.directoryOffsetOverride = 10
        let (path, reader) = try open(builder.bytes())
        assertThrows(
            .malformedCentralDirectory(
                path: path, offset: 10, reason: "directory of 98 bytes does not end where the end records start (169)"), reader)
    }

    func testZip64PlaceholdersWithoutZip64Field() throws {
        var builder = twoRecords()
        builder.entries[0].size = 0xFFFF_FFFF
        builder.entries[0].compressedSize = 0xFFFF_FFFF
        let (path, reader) = try open(builder.bytes())
        assertThrows(
            .malformedCentralDirectory(
                path: path, offset: 71, reason: "record 'x/a': placeholder sizes without a zip64 extra field"), reader)
    }

    func testStoredEntryWhoseSizesDisagree() throws {
        var builder = twoRecords()
        builder.entries[0].size = 4
        let (path, reader) = try open(builder.bytes())
        assertThrows(
            .malformedCentralDirectory(
                path: path, offset: 71, reason: "stored record 'x/a' has size 4 but 3 bytes in the file"), reader)
    }

    func testZip64EndRecordDisagreeingWithThePlainOne() throws {
        var builder = twoRecords()
        builder.zip64End = true
        var bytes = builder.bytes()
        bytes[bytes.count - 12] = 3  // the plain end record's total entry count: 3 instead of 2
        let (path, reader) = try open(bytes)
        assertThrows(
            .malformedCentralDirectory(
                path: path, offset: 169, reason: "end record and zip64 end record disagree"), reader)
    }

    func testZip64LocatorPointingElsewhere() throws {
        var builder = twoRecords()
        builder.zip64End = true
        var bytes = builder.bytes()
        bytes[bytes.count - 22 - 20 + 8] = 0  // the locator's record offset: 0 instead of 169
        let (path, reader) = try open(bytes)
        assertThrows(
            .malformedCentralDirectory(
                path: path, offset: 225, reason: "zip64 locator points to 0, not to a record just before it"), reader)
    }

    func testMultiDiskArchive() throws {
        var builder = twoRecords()
        builder.diskNumber = 1
        let (path, reader) = try open(builder.bytes())
        assertThrows(.unsupportedArchive(path: path, reason: "archive spans several disks"), reader)
    }

    func testEncryptedRecord() throws {
        var builder = twoRecords()
        builder.entries[1].flags = 1
        let (path, reader) = try open(builder.bytes())
        assertThrows(.unsupportedArchive(path: path, reason: "record 'x/b' is encrypted"), reader)
    }

    func testInconsistencyOnlyLibzipSees() throws {
        // Local and central modification times differ: harmless to us, refused by ZIP_CHECKCONS.
        var builder = twoRecords()
        builder.entries[0].localTime = 0x0421
        let (path, reader) = try open(builder.bytes())
        assertThrows(.inconsistentArchive(path: path, detail: "libzip: Zip archive inconsistent"), reader)
    }

    func testUnicodePathFieldMakesLibzipSeeAnotherName() throws {
        // Info-ZIP's 0x7075 field: libzip replaces the name by the one in the field, we do not.
        var field: [UInt8] = []
        let other = Array("x/other".utf8)
        field.le(UInt16(0x7075))
        field.le(UInt16(5 + other.count))
        field.append(1)
        field.le(CRC32.checksum(Array("x/a".utf8)))
        field += other
        var builder = twoRecords()
        builder.entries[0].localExtra = field
        builder.entries[0].centralExtra = field
        let (path, reader) = try open(builder.bytes())
        assertThrows(.libzipDisagrees(path: path, record: "x/a", field: "name"), reader)
    }
}
