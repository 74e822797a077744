import CheckpointContainers
import PickleMachine

/// Reads torch's legacy format (torch < 1.6, or `_use_new_zipfile_serialization=False`): five pickles —
/// magic number, protocol version, sys_info, the object, the sorted storage keys — then each storage as an
/// int64 element count followed by its bytes.
///
/// It lives above the pickle machine, not with the zip container, because its framing is made of pickles.
enum LegacyCheckpointReader {
    /// The first bytes of every legacy file: the pickled magic number 0x1950a86a20f9469cfc6c.
    static let magicPrefix: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    static let magicNumber = "119547037146038801333356"

    static func open(path: String, file: FileReader, limits: CheckpointLimits) throws -> Checkpoint {
        let (pickles, header) = try readPickles(file: file, limits: limits)
        let unpickled = pickles.object
        var format = CheckpointFormat(kind: .legacy)
        format.pickleProtocol = unpickled.protocolVersion
        format.legacyProtocolVersion = header.protocolVersion
        format.legacyLittleEndian = header.littleEndian
        let interpreter = try CheckpointUnpickling.interpret(unpickled, limits: limits)
        let storages = try layOutStorages(
            keys: pickles.keys, start: UInt64(pickles.endOffset), file: file, interpreter: interpreter)
        return try Checkpoint(
            path: path, format: format, unpickled: unpickled, interpreter: interpreter, storages: storages,
            bytes: StorageBytes(file: file, archive: nil), limits: limits)
    }

    struct Header {
        var protocolVersion: Int
        var littleEndian: Bool?
    }

    struct Pickles {
        var object: UnpickleResult
        var keys: [String]
        var endOffset: Int
    }

    /// Reads the five pickles from a growing prefix of the file: their total length is only known by parsing.
    static func readPickles(file: FileReader, limits: CheckpointLimits) throws -> (Pickles, Header) {
        var length = min(Int(clamping: file.size), 1 << 20)
        while true {
            let prefix = try file.read(offset: 0, count: length)
            do {
                return try parsePickles(prefix, limits: limits)
            } catch CheckpointError.Reason.pickle(.truncated, _) where length < Int(clamping: file.size) {
                guard length < limits.maxPickleBytes else {
                    throw CheckpointError.Reason.limitExceeded(
                        what: "legacy pickle section in bytes", limit: limits.maxPickleBytes)
                }
                length = min(Int(clamping: file.size), length * 4, limits.maxPickleBytes)
            }
        }
    }

    private static func parsePickles(_ bytes: [UInt8], limits: CheckpointLimits) throws -> (Pickles, Header) {
        let magic = try CheckpointUnpickling.unpickle(bytes, record: "magic number", limits: limits)
        guard describeInteger(magic.root) == magicNumber else {
            throw CheckpointError.Reason.notACheckpoint("the legacy magic number is wrong")
        }
        let version = try CheckpointUnpickling.unpickle(bytes, from: magic.endOffset, record: "protocol version", limits: limits)
        guard case .int(let protocolVersion) = version.root, protocolVersion == 1001 else {
            throw CheckpointError.Reason.invalidRecord(name: "legacy protocol version", detail: "expected 1001")
        }
        let sysInfo = try CheckpointUnpickling.unpickle(bytes, from: version.endOffset, record: "sys_info", limits: limits)
        let littleEndian = sysInfo.graph.lookup(sysInfo.root, "little_endian")?.boolValue
        let object = try CheckpointUnpickling.unpickle(bytes, from: sysInfo.endOffset, record: "object pickle", limits: limits)
        let keysPickle = try CheckpointUnpickling.unpickle(bytes, from: object.endOffset, record: "storage keys", limits: limits)
        guard let items = keysPickle.graph.sequence(keysPickle.root) else {
            throw CheckpointError.Reason.malformed(what: "legacy storage key list", detail: "not a list")
        }
        let keys = try items.map { item -> String in
            guard let key = item.stringValue else {
                throw CheckpointError.Reason.malformed(what: "legacy storage key list", detail: "a key is not a string")
            }
            return key
        }
        let header = Header(protocolVersion: Int(protocolVersion), littleEndian: littleEndian)
        return (Pickles(object: object, keys: keys, endOffset: keysPickle.endOffset), header)
    }

    private static func describeInteger(_ value: PickleValue) -> String? {
        switch value {
        case .int(let number): return String(number)
        case .bigInt(let number): return number.description
        default: return nil
        }
    }

    /// Each key in file order: an int64 count that must match the declaration, then the bytes.
    static func layOutStorages(
        keys: [String], start: UInt64, file: FileReader, interpreter: TensorInterpreter
    ) throws -> [String: TorchStorage] {
        var offset = start
        var roots: [String: (offset: UInt64, declaration: StorageDeclaration)] = [:]
        for key in keys {
            guard let declaration = interpreter.declarations[key], declaration.rootKey == key else {
                throw CheckpointError.Reason.malformed(
                    what: "legacy storage key list", detail: "key \(key) is not declared by any tensor")
            }
            guard offset.addingReportingOverflow(8).partialValue <= file.size, offset <= file.size else {
                throw CheckpointError.Reason.missingRecord("legacy storage \(key) (the file ends at byte \(file.size))")
            }
            let countBytes = try file.read(offset: offset, count: 8)
            let count = Int64(bitPattern: ScalarConversion.loadUInt64(countBytes, 0))
            guard count == Int64(declaration.elementCount) else {
                throw CheckpointError.Reason.malformed(
                    what: "legacy storage \(key) at byte \(offset)",
                    detail: "the file says \(count) elements, the pickle declares \(declaration.elementCount)")
            }
            let (bytes, sizeOverflow) = declaration.elementCount.multipliedReportingOverflow(by: declaration.dtype.elementSize)
            guard !sizeOverflow else {
                throw CheckpointError.Reason.invalidGeometry(tensor: "storage \(key)", detail: "byte count overflows")
            }
            let byteCount = UInt64(bytes)
            let (end, overflow) = (offset + 8).addingReportingOverflow(byteCount)
            guard !overflow, end <= file.size else {
                throw CheckpointError.Reason.sizeMismatch(
                    what: "legacy storage \(key) at byte \(offset + 8)", expected: byteCount,
                    actual: file.size > offset + 8 ? file.size - offset - 8 : 0)
            }
            roots[key] = (offset + 8, declaration)
            offset = end
        }
        var storages: [String: TorchStorage] = [:]
        for key in interpreter.storageOrder {
            guard let declaration = interpreter.declarations[key] else { continue }
            guard let root = roots[declaration.rootKey] else {
                throw CheckpointError.Reason.missingRecord("legacy storage \(declaration.rootKey)")
            }
            let size = declaration.dtype.elementSize
            storages[key] = TorchStorage(
                key: key, dtype: declaration.dtype, elementCount: declaration.elementCount,
                byteCount: declaration.elementCount * size, location: declaration.location,
                isUntyped: declaration.isUntyped,
                source: .fileRange(offset: root.offset + UInt64(declaration.rootElementOffset * size)))
        }
        return storages
    }
}
