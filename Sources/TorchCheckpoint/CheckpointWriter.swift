import CheckpointContainers
import PickleMachine

/// Options for writing a checkpoint.
public struct CheckpointWriteOptions: Sendable {
    /// Replace an existing destination (otherwise an existing file is an error and stays untouched).
    public var replaceExisting = false
    /// The archive folder; torch uses the destination's file name without its extension.
    public var archiveName: String?
    public var limits = CheckpointLimits.standard
    /// Called as tensor data is written: bytes written so far and in all (for progress bars).
    public var progress: (@Sendable (_ written: Int, _ total: Int) -> Void)?

    public init(replaceExisting: Bool = false) {
        self.replaceExisting = replaceExisting
    }
}

/// What was written.
public struct CheckpointWriteSummary: Sendable, Equatable {
    public let path: String
    public let storages: Int
    public let storageBytes: Int
}

/// Writes a draft in torch's zip format: stored records, data aligned to 64 bytes, storages `0..N-1` in
/// first-pickled order, a protocol-2 pickle using only opcodes torch's weights-only loader accepts.
///
/// The file is built under a temporary name beside the destination; it takes the destination's name only
/// when the caller commits it (after checking it), so the destination only ever holds a complete, checked
/// file, and an existing destination is untouched on any error.
public enum CheckpointWriter {
    /// Writes and commits in one step.
    public static func write(
        _ draft: CheckpointDraft, computed: (any ComputedTensorSource)? = nil, to destination: String,
        options: CheckpointWriteOptions = .init()
    ) throws -> CheckpointWriteSummary {
        let pending = try writePending(draft, computed: computed, to: destination, options: options)
        try pending.commit()
        return pending.summary
    }

    /// Writes the file under a temporary name beside `destination`; commit or discard the result. `computed`
    /// supplies the bytes of the draft's computed tensors as the writer reaches them.
    public static func writePending(
        _ draft: CheckpointDraft, computed: (any ComputedTensorSource)? = nil, to destination: String,
        options: CheckpointWriteOptions = .init()
    ) throws -> PendingCheckpoint {
        if !options.replaceExisting, OutputPlacement.exists(destination) {
            throw CheckpointError(path: destination, .writeFailed("the file already exists (use --force to replace it)"))
        }
        let order: [String]
        var pickle: [[UInt8]]
        do {
            let renumbering = StorageRenumbering(graph: draft.graph, storageCount: draft.storages.count)
            pickle = try Pickler.pickleInPieces(
                draft.graph, root: draft.root, maximumDepth: options.limits.maxDepth,
                persistentIDItems: renumbering.items(forPersistentID:))
            order = renumbering.order
        } catch let reason as CheckpointError.Reason {
            throw CheckpointError(path: destination, reason)
        } catch let error as PickleError {
            throw CheckpointError(path: destination, .pickle(error, record: "data.pkl (writing)"))
        }
        let prefix = options.archiveName ?? archiveName(for: destination)
        let temporary = OutputPlacement.temporaryPath(beside: destination)
        let storageBytes = order.reduce(0) { $0 + (draft.storages[$1]?.byteCount ?? 0) }
        let meter = ProgressMeter(total: storageBytes, report: options.progress)
        do {
            let zip = try ZipArchiveWriter(path: temporary)
            do {
                // torch's record order and layout exactly, so `.format_version` and `.storage_alignment` (which
                // promise that layout: torch may compute storage offsets from them) are true here.
                // Held in the pieces the pickler made (never copied whole); each let go once written.
                let pickleSize = pickle.reduce(0) { $0 + $1.count }
                try zip.addStored(name: "\(prefix)/data.pkl", size: UInt64(pickleSize), producer: PiecesProducer(pickle))
                pickle = []
                try zip.addStored(name: "\(prefix)/.format_version", bytes: Array("1".utf8))
                try zip.addStored(name: "\(prefix)/.storage_alignment", bytes: Array("64".utf8))
                try zip.addStored(name: "\(prefix)/byteorder", bytes: Array("little".utf8))
                let copies = CopiedStorageFiller(meter: meter, records: order.count)
                let dataPrefix = prefix + "/data/"
                for (index, key) in order.enumerated() {
                    guard let storage = draft.storages[key] else {
                        throw CheckpointError.Reason.missingRecord("storage \(key) of the draft")
                    }
                    try zip.addStored(
                        name: dataPrefix + String(index), size: UInt64(storage.byteCount),
                        producer: copies.producer(for: storage, key: key, computed: computed))
                }
                try zip.addStored(name: "\(prefix)/version", bytes: Array("3\n".utf8))
                try zip.finish()
            } catch {
                zip.discard()
                throw error
            }
        } catch {
            OutputPlacement.remove(temporary)
            throw wrap(error, destination, temporary: temporary)
        }
        let summary = CheckpointWriteSummary(path: destination, storages: order.count, storageBytes: storageBytes)
        return PendingCheckpoint(
            temporaryPath: temporary, destination: destination, replaceExisting: options.replaceExisting, summary: summary)
    }

    /// torch's rule: the file name after the last `/`, cut at its last `.`; `archive` for other names.
    static func archiveName(for destination: String) -> String {
        let name = destination.split(separator: "/").last.map(String.init) ?? destination
        let stem = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
        guard !stem.isEmpty, stem.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) else { return "archive" }
        return stem
    }

    /// An error of writing `destination` under the name `temporary`, as the checkpoint error it is: a failure
    /// on the temporary file is a write failure of the destination and is reported under the destination's
    /// name (the user never named the hidden file); errors reading the input keep the input's name.
    static func wrap(_ error: Error, _ destination: String, temporary: String) -> Error {
        switch error {
        case let error as CheckpointError: return error
        case let reason as CheckpointError.Reason: return CheckpointError(path: destination, reason)
        case let error as ContainerError:
            let text = error.description
            guard text.hasPrefix(temporary + ": ") else { return CheckpointError(path: destination, .container(error)) }
            return CheckpointError(path: destination, .writeFailed(String(text.dropFirst(temporary.count + 2))))
        case let error as OutputPlacementError: return CheckpointError(path: destination, .writeFailed(error.description))
        default: return CheckpointError(path: destination, .writeFailed("\(error)"))
        }
    }
}

/// A written checkpoint waiting under its temporary name, to be checked, then committed or discarded.
public final class PendingCheckpoint: @unchecked Sendable {
    /// Where the complete file is now; open it here to check it.
    public let temporaryPath: String
    public let destination: String
    public let summary: CheckpointWriteSummary
    private let replaceExisting: Bool
    private var settled = false

    init(temporaryPath: String, destination: String, replaceExisting: Bool, summary: CheckpointWriteSummary) {
        self.temporaryPath = temporaryPath
        self.destination = destination
        self.replaceExisting = replaceExisting
        self.summary = summary
    }

    /// Gives the file its destination name (atomically; never over an existing file unless replacing).
    public func commit() throws {
        precondition(!settled, "a pending checkpoint is committed or discarded once")
        settled = true
        do {
            try OutputPlacement.place(temporaryPath, at: destination, replacing: replaceExisting)
        } catch {
            OutputPlacement.remove(temporaryPath)
            throw CheckpointWriter.wrap(error, destination, temporary: temporaryPath)
        }
    }

    /// Removes the temporary file.
    public func discard() {
        guard !settled else { return }
        settled = true
        OutputPlacement.remove(temporaryPath)
    }

    deinit {
        discard()
    }
}
