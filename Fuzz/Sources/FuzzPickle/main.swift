import PickleMachine
import TorchCheckpoint

/// The pickle machine on raw bytes: under torch's allow-list (what the reader uses), under the audit's
/// all-inert policy, and, when a pickle is read, written back by the pickler and read again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPickle(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    if let result = try? Unpickler.unpickle(bytes, policy: TorchAllowList.unpicklerPolicy) {
        if let written = try? Pickler.pickle(result.graph, root: result.root) {
            _ = try? Unpickler.unpickle(written, policy: TorchAllowList.unpicklerPolicy)
        }
    }
    let scan = PickleGlobalScan.scan(bytes, policy: TorchAllowList.unpicklerPolicy)
    for use in scan.globals { _ = GlobalRisk.classify(use.global, usages: Set(use.usages.keys)) }
    return 0
}
