import PickleMachine
import XCTest

/// Our Python 2 <-> 3 name tables against CPython's `_compat_pickle`, entry by entry.
final class PythonNameMappingTests: XCTestCase {
    func testModulesMapLikeCPython() {
        for (old, new) in CPythonVectors.importMapping {
            XCTAssertEqual(PythonNameMapping.python3(PickleGlobal(module: old, name: "unmapped_name")).module, new, old)
        }
        for (new, old) in CPythonVectors.reverseImportMapping {
            XCTAssertEqual(PythonNameMapping.python2(PickleGlobal(module: new, name: "unmapped_name")).module, old, new)
        }
    }

    func testGlobalsMapLikeCPython() {
        for (oldModule, oldName, newModule, newName) in CPythonVectors.nameMapping {
            XCTAssertEqual(
                PythonNameMapping.python3(PickleGlobal(module: oldModule, name: oldName)),
                PickleGlobal(module: newModule, name: newName))
        }
        for (newModule, newName, oldModule, oldName) in CPythonVectors.reverseNameMapping {
            XCTAssertEqual(
                PythonNameMapping.python2(PickleGlobal(module: newModule, name: newName)),
                PickleGlobal(module: oldModule, name: oldName))
        }
    }

    func testOtherNamesAreUnchanged() {
        let torch = PickleGlobal(module: "torch._utils", name: "_rebuild_tensor_v2")
        XCTAssertEqual(PythonNameMapping.python3(torch), torch)
        XCTAssertEqual(PythonNameMapping.python2(torch), torch)
        let ordered = PickleGlobal(module: "collections", name: "OrderedDict")
        XCTAssertEqual(PythonNameMapping.python2(ordered), ordered)
    }
}
