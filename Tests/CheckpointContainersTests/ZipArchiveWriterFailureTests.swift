import Foundation
import XCTest

@testable import CheckpointContainers

/// Every way writing can fail, each with its exact error, and that no file is left behind.
final class ZipArchiveWriterFailureTests: XCTestCase {
    func testRefusesAnExistingFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = try directory.write([1, 2, 3], to: "existing.pth")
        assertThrows(.fileExists(path: path)) { try ZipArchiveWriter(path: path) }
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), [1, 2, 3])
    }

    func testProducerErrorIsRethrownAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("broken.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/first", bytes: [1, 2, 3])
        let producer = PatternProducer(total: 100_000, chunkSize: 1000)
        producer.failAfter = 50_000
        try writer.addStored(name: "x/second", size: 100_000, producer: producer)
        XCTAssertThrowsError(try writer.finish()) { XCTAssertEqual($0 as? ProducerFailure, .broken) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }

    func testFillerErrorIsRethrownAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("broken-filler.pth")
        let writer = try ZipArchiveWriter(path: path)
        let filler = PatternFiller(total: 3 * ArchiveOutput.bufferCapacity)
        filler.failAfter = 2 * ArchiveOutput.bufferCapacity  // after two buffers went to the background
        try writer.addStored(name: "x/filled", size: UInt64(3 * ArchiveOutput.bufferCapacity), producer: filler)
        XCTAssertThrowsError(try writer.finish()) { XCTAssertEqual($0 as? ProducerFailure, .broken) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }

    func testProducerYieldingTooFewBytesFails() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("short.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/short", size: 1000, producer: PatternProducer(total: 999, chunkSize: 100))
        assertThrows(.recordSizeMismatch(path: path, record: "x/short", declared: 1000, actual: 999)) {
            try writer.finish()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testProducerYieldingTooManyBytesFails() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("long.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/long", size: 1000, producer: PatternProducer(total: 1001, chunkSize: 100))
        assertThrows(.recordSizeMismatch(path: path, record: "x/long", declared: 1000, actual: 1001)) {
            try writer.finish()
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testHeldRecordOfTheWrongSizeFailsAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("held-short.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/first", size: 3 * 1024 * 1024, producer: PatternFiller(total: 3 * 1024 * 1024))
        try writer.addStored(name: "x/held", size: 12, producer: HeldProducer(RecordBytes(littleEndianFloat32: [1, 2])))
        assertThrows(.recordSizeMismatch(path: path, record: "x/held", declared: 12, actual: 8)) { try writer.finish() }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }

    func testHeldProducerErrorIsRethrownAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("held-broken.pth")
        let writer = try ZipArchiveWriter(path: path)
        let first = PatternProducer.bytes(total: 2 * ArchiveOutput.bufferCapacity)
        try writer.addStored(name: "x/first", size: UInt64(first.count), producer: HeldProducer(RecordBytes(first)))
        let broken = HeldProducer(RecordBytes([1, 2, 3]))
        broken.fails = true
        try writer.addStored(name: "x/broken", size: 3, producer: broken)
        XCTAssertThrowsError(try writer.finish()) { XCTAssertEqual($0 as? ProducerFailure, .broken) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.url.path), [])
    }

    /// A held record's write fails in the background (the file size limit): the next held record or the
    /// end of the archive reports it, and nothing is left.
    func testWriteErrorOfAHeldRecordIsReportedAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("held-too-big.pth")
        let writer = try ZipArchiveWriter(path: path)
        let size = 2 * ArchiveOutput.bufferCapacity
        for index in 0..<3 {
            let bytes = PatternProducer.bytes(total: size, seed: UInt8(index))
            try writer.addStored(name: "x/held\(index)", size: UInt64(size), producer: HeldProducer(RecordBytes(bytes)))
        }
        try withFileSizeLimit(ArchiveOutput.bufferCapacity + 4096) {
            assertThrows(.systemCallFailed(path: path, call: "pwrite", errno: EFBIG)) { try writer.finish() }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    /// A full disk reads as one: the system's words, the call and the file, on one line.
    func testSystemCallFailuresSayWhatHappened() {
        let error = ContainerError.systemCallFailed(path: "/mnt/full/.out.pth.tmp", call: "pwrite", errno: ENOSPC)
        XCTAssertEqual(error.description, "/mnt/full/.out.pth.tmp: pwrite failed: No space left on device (errno 28)")
    }

    func testRefusesDuplicateAndUnsafeNames() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("names.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [])
        assertThrows(.duplicateRecordName(path: path, name: "x/a")) { try writer.addStored(name: "x/a", bytes: []) }
        assertThrows(.unsafeRecordName(path: path, name: "../evil", reason: "the name has a '..' component")) {
            try writer.addStored(name: "../evil", bytes: [])
        }
        writer.discard()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testMissingFolderIsReportedWhenTheFileIsCreated() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("missing-folder/x.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [1])
        assertThrows(.systemCallFailed(path: path, call: "open", errno: ENOENT)) { try writer.finish() }
    }

    func testFileCreatedMeanwhileIsNotReplaced() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("raced.pth")
        let writer = try ZipArchiveWriter(path: path)
        try writer.addStored(name: "x/a", bytes: [1])
        try directory.write([9, 9], to: "raced.pth")
        assertThrows(.fileExists(path: path)) { try writer.finish() }
        XCTAssertEqual(try TemporaryDirectory.contents(of: path), [9, 9])
    }

    func testWriteErrorOfTheBackgroundThreadIsReportedAndLeavesNoFile() throws {
        let directory = try TemporaryDirectory(self)
        let path = directory.path("too-big.pth")
        let writer = try ZipArchiveWriter(path: path)
        let size = 3 * ArchiveOutput.bufferCapacity
        try writer.addStored(name: "x/big", size: UInt64(size), producer: PatternProducer(total: size, chunkSize: 1 << 20))
        try withFileSizeLimit(ArchiveOutput.bufferCapacity + 4096) {
            assertThrows(.systemCallFailed(path: path, call: "pwrite", errno: EFBIG)) { try writer.finish() }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    /// Runs `body` with the process's file size limit lowered (writes past it fail with EFBIG
    /// instead of raising SIGXFSZ, which is ignored meanwhile).
    private func withFileSizeLimit(_ bytes: Int, _ body: () throws -> Void) throws {
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)
        var lowered = saved
        lowered.rlim_cur = rlim_t(bytes)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &lowered), 0)
        defer {
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            signal(SIGXFSZ, previousHandler)
        }
        try body()
    }
}
