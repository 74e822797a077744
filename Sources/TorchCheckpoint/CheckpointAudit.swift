import CheckpointContainers
import PickleMachine

/// Every global the pickles of a file reference, each with its ``GlobalRisk``: what
/// `merge-daconv inspect --audit` prints.
///
/// Unlike ``CheckpointReader``, the audit refuses no callable: it scans every pickle with
/// ``PickleGlobalScan`` (nothing is executed) so that a hostile file is described rather than only
/// refused. It reads every `.pkl` record of a zip archive (not only `data.pkl`), the five pickles of
/// torch's legacy format, or a raw pickle file.
public struct CheckpointAudit: Sendable {
    /// One pickle of the file and how far the scan got.
    public struct Pickle: Sendable, Equatable {
        /// The zip record, or the legacy section (`object pickle`, ...), or `pickle` for a raw pickle file.
        public let record: String
        /// The protocol its PROTO announced (0 without one).
        public let protocolVersion: Int
        /// Why the scan stopped before STOP; globals after that point were not seen.
        public let error: PickleError?
    }

    /// One global, its uses in all pickles together, and its verdict.
    public struct Global: Sendable, Equatable {
        /// The global, Python 2 module names mapped as the unpickler maps them.
        public let global: PickleGlobal
        /// The verdict of ``GlobalRisk/classify(_:usages:)`` on all its uses together.
        public let risk: GlobalRisk
        /// Why the verdict, one clause.
        public let reason: String
        /// How the pickles used it, in ``PickleGlobalUsage`` order.
        public let usages: [PickleGlobalUsage]
        /// The pickle and byte offset that first named it.
        public let record: String
        /// Byte offset, inside that pickle's record, of the opcode that first named it.
        public let offset: Int
    }

    /// The audited file.
    public let path: String
    /// `zip`, `legacy` or `raw pickle`.
    public let container: String
    /// Every pickle scanned, in file order (a pickle found after another's STOP included).
    public let pickles: [Pickle]
    /// Every global of all pickles, in order of first use.
    public let globals: [Global]

    /// The globals judged dangerous; the audit fails (exit status 1) when there is one.
    public var dangerous: [Global] { globals.filter { $0.risk == .dangerous } }
    /// Whether every pickle was scanned to its STOP, so no global can have been missed.
    public var isComplete: Bool { pickles.allSatisfy { $0.error == nil } }

    /// Audits the file at `path`. Throws ``CheckpointError`` when the file is no zip archive, legacy
    /// checkpoint or pickle, or its container is refused (unsafe names, duplicates, a CRC mismatch, ...).
    public static func audit(_ path: String, limits: CheckpointLimits = .standard) throws -> CheckpointAudit {
        do {
            let (container, sources) = try AuditedPickles.read(path, limits: limits)
            return CheckpointAudit(path: path, container: container, scanning: sources, limits: limits)
        } catch let reason as CheckpointError.Reason {
            throw CheckpointError(path: path, reason)
        } catch let error as ContainerError {
            throw CheckpointError(path: path, .container(error))
        }
    }

    init(path: String, container: String, scanning sources: AuditedPickles.Sources, limits: CheckpointLimits) {
        self.path = path
        self.container = container
        var pickles: [Pickle] = []
        var order: [PickleGlobal] = []
        var found: [PickleGlobal: (usages: Set<PickleGlobalUsage>, record: String, offset: Int)] = [:]
        for (record, scan) in AuditedPickles.scan(sources, limits: limits) {
            pickles.append(Pickle(record: record, protocolVersion: scan.protocolVersion, error: scan.error))
            for use in scan.globals {
                if found[use.global] == nil {
                    order.append(use.global)
                    found[use.global] = ([], record, use.offset)
                }
                found[use.global]!.usages.formUnion(use.usages.keys)
            }
        }
        self.pickles = pickles
        self.globals = order.map { global in
            let entry = found[global]!
            let (risk, reason) = GlobalRisk.classify(global, usages: entry.usages)
            return Global(
                global: global, risk: risk, reason: reason,
                usages: PickleGlobalUsage.allCases.filter(entry.usages.contains), record: entry.record, offset: entry.offset)
        }
    }
}

/// Finds the pickles of a file for the audit.
enum AuditedPickles {
    typealias Sources = [(record: String, bytes: [UInt8], start: Int)]

    static let legacySections = ["magic number", "protocol version", "sys_info", "object pickle", "storage keys"]

    /// Scans every source in order, and every pickle found after a STOP of a source that starts at a fixed
    /// offset (a zip record, a raw pickle): torch refuses such bytes, another unpickler could read them. A
    /// negative start continues where the previous pickle ended (legacy sections share one buffer); the
    /// first scan that stops early ends everything, since nothing after it has a known start.
    static func scan(_ sources: Sources, limits: CheckpointLimits) -> [(record: String, scan: PickleGlobalScan.Result)] {
        var results: [(record: String, scan: PickleGlobalScan.Result)] = []
        var nextStart = 0
        for source in sources {
            var start = source.start >= 0 ? source.start : nextStart
            var record = source.record
            while true {
                let scan = PickleGlobalScan.scan(
                    source.bytes, from: start, policy: TorchAllowList.unpicklerPolicy, limits: limits.unpickler)
                results.append((record, scan))
                guard let end = scan.endOffset else { return results }
                nextStart = end
                guard source.start >= 0, end < source.bytes.count else { break }
                start = end
                record = "\(source.record) after STOP at byte \(end)"
            }
        }
        return results
    }

    static func read(_ path: String, limits: CheckpointLimits) throws -> (String, Sources) {
        let file = try FileReader(path: path)
        guard file.size > 0 else { throw CheckpointError.Reason.notACheckpoint("the file is empty") }
        let head = try file.read(offset: 0, count: Int(min(file.size, 64)))
        if ZipArchiveReader.looksLikeZip(head) {
            return ("zip", try zipPickles(path, limits: limits))
        }
        let prefix = try file.read(offset: 0, count: Int(min(file.size, UInt64(limits.maxPickleBytes))))
        if head.starts(with: LegacyCheckpointReader.magicPrefix) {
            return ("legacy", legacySections.map { (record: $0, bytes: prefix, start: -1) })
        }
        if head.count >= 2, head[0] == 0x80, head[1] <= 5 {
            return ("raw pickle", [(record: "pickle", bytes: prefix, start: 0)])
        }
        throw CheckpointError.Reason.notACheckpoint("it starts with neither a zip header nor a pickle")
    }

    /// Every `.pkl` record in directory order (torch reads `data.pkl`; other tools may read others).
    private static func zipPickles(_ path: String, limits: CheckpointLimits) throws -> Sources {
        let archive = try ZipArchiveReader(path: path)
        let records = archive.records.filter { $0.name.hasSuffix(".pkl") }
        guard !records.isEmpty else { throw CheckpointError.Reason.missingRecord("data.pkl (the archive has no .pkl record)") }
        return try records.map { record in
            (record: record.name, bytes: try archive.readAll(record, maxSize: UInt64(limits.maxPickleBytes)), start: 0)
        }
    }
}
