import CheckpointContainers

/// Opens any checkpoint this tool reads, telling the formats apart by their first bytes as torch does;
/// safetensors files by a plausible header, or by their `.safetensors` extension when the bytes are neither
/// zip nor legacy torch (so a broken one gets the safetensors error that names its fault).
public enum CheckpointReader {
    /// Parses the structure (pickle, storages, tensor geometry) without reading tensor bytes.
    public static func open(_ path: String, limits: CheckpointLimits = .standard) throws -> Checkpoint {
        do {
            let file = try FileReader(path: path)
            guard file.size > 0 else { throw CheckpointError.Reason.notACheckpoint("the file is empty") }
            let head = try file.read(offset: 0, count: Int(min(file.size, 64)))
            if ZipArchiveReader.looksLikeZip(head) {
                return try ZipCheckpointReader.open(path: path, file: file, limits: limits)
            }
            if head.starts(with: LegacyCheckpointReader.magicPrefix) {
                return try LegacyCheckpointReader.open(path: path, file: file, limits: limits)
            }
            if SafetensorsReader.looksLikeSafetensors(head, fileSize: file.size)
                || path.lowercased().hasSuffix(SafetensorsCheckpointReader.fileExtension)
            {
                return try SafetensorsCheckpointReader.open(path: path, file: file, limits: limits)
            }
            if head.starts(with: Array("PYTORCH1".utf8)) {
                throw CheckpointError.Reason.notACheckpoint("an archive of torch's preview release, which torch no longer reads")
            }
            throw CheckpointError.Reason.notACheckpoint("it starts with neither a zip header nor torch's legacy magic number")
        } catch let error as CheckpointError {
            throw error
        } catch let reason as CheckpointError.Reason {
            throw CheckpointError(path: path, reason)
        } catch let error as ContainerError {
            throw CheckpointError(path: path, .container(error))
        }
    }
}
