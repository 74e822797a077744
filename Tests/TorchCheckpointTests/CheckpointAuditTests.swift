import CheckpointContainers
import PickleMachine
import TestSupport
import TorchCheckpoint
import XCTest

/// The audit's verdicts and what it reads, on the committed fixtures.
final class CheckpointAuditTests: XCTestCase {
    func global(_ qualified: String) -> PickleGlobal {
        let dot = qualified.lastIndex(of: ".")!
        return PickleGlobal(module: String(qualified[..<dot]), name: String(qualified[qualified.index(after: dot)...]))
    }

    func testTheRuleInItsOrder() {
        let rebuild = global("torch._utils._rebuild_tensor_v2")
        XCTAssertEqual(GlobalRisk.classify(rebuild, usages: [.pushed, .reduce]).risk, .allowed)
        // A code-execution primitive is dangerous even when it is only named.
        XCTAssertEqual(GlobalRisk.classify(global("builtins.eval"), usages: [.pushed]).risk, .dangerous)
        XCTAssertEqual(GlobalRisk.classify(global("subprocess.Popen"), usages: [.newObject]).risk, .dangerous)
        XCTAssertEqual(GlobalRisk.classify(global("os.path.join"), usages: [.pushed]).risk, .dangerous)
        // Python 2 spellings, kept as written in protocol 3+ streams.
        XCTAssertEqual(GlobalRisk.classify(global("__builtin__.eval"), usages: [.pushed]).risk, .dangerous)
        // Any other global that the pickle calls would run: dangerous.
        XCTAssertEqual(GlobalRisk.classify(global("mylib.build"), usages: [.pushed, .reduce]).risk, .dangerous)
        XCTAssertEqual(GlobalRisk.classify(global("mylib.build"), usages: [.obj]).risk, .dangerous)
        // ... except the data constructors the unpickler builds itself: decoded as data, never called.
        XCTAssertEqual(GlobalRisk.classify(global("copyreg._reconstructor"), usages: [.reduce]).risk, .decodedData)
        XCTAssertEqual(GlobalRisk.classify(global("builtins.bytes"), usages: [.pushed, .reduce]).risk, .decodedData)
        // A class only allocated and given state: inert here, imported by torch.load(weights_only=False).
        XCTAssertEqual(
            GlobalRisk.classify(global("mylib.Net"), usages: [.pushed, .newObject, .buildTarget]).risk, .unsafeForTorchLoad)
        XCTAssertEqual(GlobalRisk.classify(global("argparse.Namespace"), usages: [.pushed]).risk, .unsafeForTorchLoad)
    }

    /// numpy's data constructors, pathlib classes and defaultdict by exact name: decoded as data however they are
    /// used; numpy's gadgets stay dangerous even when only named, and any other numpy call is dangerous.
    func testDataConstructorsByExactNameAndNumpyGadgets() {
        for name in [
            "numpy.core.multiarray.scalar", "numpy._core.multiarray._reconstruct", "numpy.dtype",
            "numpy._core.numeric._frombuffer", "pathlib.PosixPath", "pathlib._local.PureWindowsPath",
            "collections.defaultdict",
        ] {
            XCTAssertEqual(GlobalRisk.classify(global(name), usages: [.pushed, .reduce, .buildTarget]).risk, .decodedData, name)
        }
        XCTAssertEqual(GlobalRisk.classify(global("numpy.ndarray"), usages: [.pushed]).risk, .decodedData)
        XCTAssertEqual(GlobalRisk.classify(global("builtins.list"), usages: [.pushed]).risk, .decodedData)
        // A value name called is no data constructor.
        XCTAssertEqual(GlobalRisk.classify(global("numpy.ndarray"), usages: [.reduce]).risk, .dangerous)
        XCTAssertEqual(GlobalRisk.classify(global("builtins.list"), usages: [.reduce]).risk, .dangerous)
        for name in [
            "numpy.f2py.crackfortran.myeval", "numpy.testing._private.utils.runstring", "numpy.load",
            "numpy.distutils.exec_command.exec_command", "numpy.ctypeslib.load_library", "numpy.lib.npyio.load",
        ] {
            XCTAssertEqual(GlobalRisk.classify(global(name), usages: [.pushed]).risk, .dangerous, name)
        }
        XCTAssertEqual(GlobalRisk.classify(global("numpy.frombuffer"), usages: [.reduce]).risk, .dangerous)
        // getattr only as getattr(<global>, 'name') is read as a name; named alone or called otherwise, dangerous.
        XCTAssertEqual(
            GlobalRisk.classify(global("builtins.getattr"), usages: [.pushed, .attributeReference]).risk, .decodedData)
        XCTAssertEqual(
            GlobalRisk.classify(global("builtins.getattr"), usages: [.pushed, .attributeReference, .reduce]).risk, .dangerous)
        XCTAssertEqual(GlobalRisk.classify(global("builtins.getattr"), usages: [.pushed]).risk, .dangerous)
        XCTAssertEqual(GlobalRisk.classify(global("numpy.core.multiarray.scalar.__call__"), usages: [.reduce]).risk, .dangerous)
    }

    func testNumpyCheckpointsAreDecodedAsData() throws {
        for name in ["data_objects/numpy1_p2.pth", "data_objects/numpy2_p5.pth"] {
            let audit = try CheckpointAudit.audit(Fixtures.path(name))
            XCTAssertEqual(audit.dangerous, [], name)
            XCTAssertTrue(audit.isComplete, name)
            XCTAssertTrue(audit.globals.contains { $0.risk == .decodedData }, name)
        }
    }

    func testCheckpointsTorchWritesAreAllowed() throws {
        for name in ["tiny_sd.pth", "train_checkpoint.pth", "legacy_sd.pth", "dtypes_exotic.pth", "protocol4.pth"] {
            let audit = try CheckpointAudit.audit(Fixtures.path(name))
            XCTAssertTrue(audit.isComplete, name)
            XCTAssertFalse(audit.globals.isEmpty, name)
            XCTAssertEqual(audit.globals.filter { $0.risk != .allowed }.map(\.global.qualifiedName), [], name)
        }
    }

    /// Whole pickled models: their classes are unsafe for torch.load, never dangerous; the legacy file's
    /// persistent ids are resolved so the scan reaches its end.
    func testWholeModelsAreUnsafeForTorchLoadOnly() throws {
        for name in ["whole_module.pth", "legacy_whole_module.pth"] {
            let audit = try CheckpointAudit.audit(Fixtures.path(name))
            XCTAssertTrue(audit.isComplete, "\(name): \(audit.pickles)")
            XCTAssertEqual(audit.dangerous, [], name)
            let unsafe = audit.globals.filter { $0.risk == .unsafeForTorchLoad }.map(\.global.qualifiedName)
            XCTAssertTrue(unsafe.contains("daconv_torch.DAConv"), "\(name): \(unsafe)")
            XCTAssertTrue(unsafe.contains("torch.nn.modules.conv.Conv2d"), "\(name): \(unsafe)")
        }
        XCTAssertEqual(try CheckpointAudit.audit(Fixtures.path("legacy_whole_module.pth")).container, "legacy")
    }

    func testDangerousGlobalsAreFoundWhereTheReaderStops() throws {
        let audit = try CheckpointAudit.audit(Fixtures.path("hostile/setstate_os_system.pth"))
        XCTAssertEqual(audit.dangerous.map(\.global.qualifiedName), ["os.system"])
        XCTAssertEqual(audit.dangerous.first?.record, "setstate_os_system/data.pkl")
        XCTAssertFalse(audit.isComplete, "the second BUILD stops the scan")
        let raw = try CheckpointAudit.audit(Fixtures.path("bad/reduce_os_system.pkl"))
        XCTAssertEqual(raw.container, "raw pickle")
        XCTAssertEqual(raw.dangerous.map(\.global.qualifiedName), ["os.system"])
        XCTAssertEqual(raw.dangerous.first?.usages, [.pushed, .reduce])
    }

    func testBytesAfterStopAreScannedAsAnotherPickle() throws {
        let audit = try CheckpointAudit.audit(Fixtures.path("hostile/trailing_bytes_after_stop.pth"))
        XCTAssertEqual(
            audit.pickles.map(\.record),
            [
                "trailing_bytes_after_stop/data.pkl", "trailing_bytes_after_stop/data.pkl after STOP at byte 139",
            ])
        XCTAssertEqual(audit.dangerous.map(\.record), ["trailing_bytes_after_stop/data.pkl after STOP at byte 139"])
    }

    func testUnreadableContainersAreErrorsNamingTheFile() {
        let path = Fixtures.path("bad/duplicate_data_pkl.pth")
        XCTAssertThrowsError(try CheckpointAudit.audit(path)) { error in
            XCTAssertEqual(
                error as? CheckpointError,
                CheckpointError(
                    path: path, .container(.duplicateRecordName(path: path, name: "duplicate_data_pkl/data.pkl"))))
        }
        let empty = Fixtures.path("bad/empty.pth")
        XCTAssertThrowsError(try CheckpointAudit.audit(empty)) { error in
            XCTAssertEqual(error as? CheckpointError, CheckpointError(path: empty, .notACheckpoint("the file is empty")))
        }
        let text = Fixtures.path("bad/text.pth")
        XCTAssertThrowsError(try CheckpointAudit.audit(text)) { error in
            XCTAssertEqual(
                error as? CheckpointError,
                CheckpointError(
                    path: text, .notACheckpoint("it starts with neither a zip header nor a pickle")))
        }
        let noPickle = Fixtures.path("bad/no_data_pkl.pth")
        XCTAssertThrowsError(try CheckpointAudit.audit(noPickle)) { error in
            XCTAssertEqual(
                error as? CheckpointError,
                CheckpointError(
                    path: noPickle, .missingRecord("data.pkl (the archive has no .pkl record)")))
        }
    }
}
