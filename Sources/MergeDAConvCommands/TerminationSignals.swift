import MergeDAConv

/// The tool owns its process, so Ctrl-C, a CI job's SIGTERM or a closed terminal's SIGHUP may remove the
/// hidden temporary file of a merge in progress before ending it (`TerminationCleanup`); a library user
/// decides that for their own program.
public enum TerminationSignals {
    /// Call it once, before the work starts.
    public static func install() {
        TerminationCleanup.install()
    }
}
