/// Lists every global a pickle references, refusing none: the basis of `merge-daconv inspect --audit`.
///
/// The scan runs the same inert machine as ``Unpickler`` with a policy that keeps every call (even of
/// `os.system`) as an inert node, because an audit must see past the first refused callable. Nothing is
/// ever executed either way. The graph is not returned: only a reader's allow-list may interpret one.
/// A malformed pickle stops the scan; the globals named before that point are still returned.
public enum PickleGlobalScan {
    /// What a scan found.
    public struct Result: Sendable, Equatable {
        /// Every global named before STOP (or before the error), in order of first use, with its uses.
        public var globals: [PickleGlobalUse]
        /// The protocol PROTO announced, 0 without PROTO.
        public var protocolVersion: Int
        /// Index just past STOP, nil when the scan stopped at an error.
        public var endOffset: Int?
        /// Why the scan stopped before STOP, if it did; globals after this point were not seen.
        public var error: PickleError?
    }

    /// Scans the pickle that starts at `start`. Of `policy` only the persistent-id resolution is used (torch's
    /// legacy format names a pickled module's class through one); every callable is kept inert.
    public static func scan(
        _ bytes: [UInt8], from start: Int = 0, policy: UnpicklerPolicy = .dataOnly, limits: UnpicklerLimits = .standard
    ) -> Result {
        precondition(start >= 0, "negative start offset")
        guard start <= bytes.count else {
            return Result(globals: [], protocolVersion: 0, endOffset: nil, error: .truncated(opcode: nil, offset: start))
        }
        var policy = policy
        policy.keepsEveryCallInert = true
        var machine = UnpicklerMachine(bytes: bytes, start: start, policy: policy, limits: limits)
        do {
            let result = try machine.run()
            return Result(
                globals: result.globals, protocolVersion: result.protocolVersion, endOffset: result.endOffset, error: nil)
        } catch let error as PickleError {
            return Result(globals: machine.globalUses, protocolVersion: machine.protocolVersion, endOffset: nil, error: error)
        } catch {
            preconditionFailure("the unpickler throws only PickleError, not \(error)")
        }
    }

    /// Whether the unpickler evaluates `global` itself as a data constructor (OrderedDict, set, frozenset,
    /// bytes, `_codecs.encode`, and copyreg's object constructors), so a REDUCE of it builds data and runs
    /// nothing here, whatever the policy.
    public static func isDataConstructor(_ global: PickleGlobal) -> Bool {
        DataConstructor(global) != nil
    }
}
