import ArgumentParser
import MergeDAConv

/// `merge-daconv inspect --audit FILE [--json]`: prints the audit, then exits 1 when a global is
/// dangerous, 3 when a pickle could not be scanned to its end (or the file cannot be read), else 0.
enum AuditReporting {
    static func run(file: String, json: Bool) throws {
        let audit = try ToolFailure.reporting { try CheckpointAudit.audit(file) }
        if json {
            print(audit.json().serialized())
        } else {
            print(audit.text(), terminator: "")
        }
        if !audit.dangerous.isEmpty { throw ExitCode(ToolFailure.checkFailed) }
        if !audit.isComplete { throw ExitCode(ToolFailure.unreadableInput) }
    }
}
