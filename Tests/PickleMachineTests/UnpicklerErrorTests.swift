import PickleMachine
import XCTest

/// One test per unpickler error case, each with minimal hostile bytes.
final class UnpicklerErrorTests: XCTestCase {
    /// Cut inside the operand of every opcode that has a fixed-width or line operand.
    func testTruncatedAtEveryOpcodeKind() {
        let cuts: [(PickleOpcode, [UInt8])] = [
            (.int, ascii("I12")), (.binInt, hex("4a 01 02")), (.binInt1, hex("4b")), (.binInt2, hex("4d 01")),
            (.long, ascii("L12")), (.long1, hex("8a")), (.long4, hex("8b 01 00")), (.string, ascii("S'a'")),
            (.binString, hex("54 01")), (.shortBinString, hex("55")), (.binBytes, hex("42 01 00 00")),
            (.shortBinBytes, hex("43")), (.binBytes8, hex("8e 01 00 00 00")), (.byteArray8, hex("96")),
            (.unicode, ascii("Vabc")), (.shortBinUnicode, hex("8c")), (.binUnicode, hex("58 00")),
            (.binUnicode8, hex("8d 00 00")), (.float, ascii("F1.5")), (.binFloat, hex("47 3f f0 00")),
            (.get, ascii("g1")), (.binGet, hex("68")), (.longBinGet, hex("6a 00 00")), (.put, ascii("p1")),
            (.binPut, hex("71")), (.longBinPut, hex("72 00")), (.global, ascii("cos\nsys")),
            (.inst, ascii("(ios\n")), (.proto, hex("80")), (.frame, hex("95 00 00 00 00")), (.persID, ascii("P1")),
        ]
        for (opcode, bytes) in cuts {
            let offset = opcode == .inst ? 1 : 0
            assertUnpickleFails(bytes, .truncated(opcode: opcode, offset: offset))
        }
    }

    func testTruncatedWithoutStop() {
        assertUnpickleFails(hex("80 02 4e"), .truncated(opcode: nil, offset: 3))
        assertUnpickleFails([], .truncated(opcode: nil, offset: 0))
        XCTAssertThrowsError(try Unpickler.unpickle(hex("4e 2e"), from: 5, policy: .dataOnly)) {
            XCTAssertEqual($0 as? PickleError, .truncated(opcode: nil, offset: 5))
        }
    }

    func testUnknownOpcode() {
        assertUnpickleFails(hex("80 02 ff"), .unknownOpcode(0xFF, offset: 2))
        assertUnpickleFails(hex("00"), .unknownOpcode(0x00, offset: 0))
    }

    func testUnsupportedProtocol() {
        assertUnpickleFails(hex("80 06 4e 2e"), .unsupportedProtocol(6, offset: 0))
    }

    /// EXT* need a registry and the buffer opcodes out-of-band buffers; neither is provided.
    func testUnsupportedOpcodes() {
        for (opcode, bytes) in [
            (PickleOpcode.ext1, hex("82 01")), (.ext2, hex("83 01 00")), (.ext4, hex("84 01 00 00 00")),
            (.nextBuffer, hex("97")), (.readonlyBuffer, hex("4e 98")),
        ] {
            assertUnpickleFails(bytes + hex("2e"), .unsupportedOpcode(opcode, offset: opcode == .readonlyBuffer ? 1 : 0))
        }
    }

    func testStackUnderflow() {
        assertUnpickleFails(hex("30"), .stackUnderflow(opcode: .pop, offset: 0))
        assertUnpickleFails(hex("2e"), .stackUnderflow(opcode: .stop, offset: 0))
        assertUnpickleFails(hex("4e 86"), .stackUnderflow(opcode: .tuple2, offset: 1))
        assertUnpickleFails(hex("4e 61"), .stackUnderflow(opcode: .append, offset: 1))
        assertUnpickleFails(hex("4e 4e 73"), .stackUnderflow(opcode: .setItem, offset: 2))
        assertUnpickleFails(hex("29 52"), .stackUnderflow(opcode: .reduce, offset: 1))
        assertUnpickleFails(hex("4e 62"), .stackUnderflow(opcode: .build, offset: 1))
        assertUnpickleFails(hex("32"), .stackUnderflow(opcode: .dup, offset: 0))
        assertUnpickleFails(hex("71 00"), .stackUnderflow(opcode: .binPut, offset: 0))
        assertUnpickleFails(hex("28 6f"), .stackUnderflow(opcode: .obj, offset: 1))
        // Items below the topmost mark are out of reach, as in CPython.
        assertUnpickleFails(hex("4e 28 85"), .stackUnderflow(opcode: .tuple1, offset: 2))
        assertUnpickleFails(hex("28 4e 65"), .stackUnderflow(opcode: .appends, offset: 2))
    }

    func testMissingMark() {
        let opcodes: [PickleOpcode] = [.tuple, .list, .dict, .appends, .setItems, .addItems, .frozenSet, .popMark, .obj]
        for opcode in opcodes {
            assertUnpickleFails(hex("5d") + [opcode.rawValue], .missingMark(opcode: opcode, offset: 1))
        }
        assertUnpickleFails(ascii("ibuiltins\nset\n"), .missingMark(opcode: .inst, offset: 0))
    }

    func testUnknownMemoIndex() {
        assertUnpickleFails(hex("68 05"), .unknownMemoIndex(5, offset: 0))
        assertUnpickleFails(hex("4e 71 00 6a ff ff ff ff"), .unknownMemoIndex(0xFFFF_FFFF, offset: 3))
        assertUnpickleFails(ascii("g7\n"), .unknownMemoIndex(7, offset: 0))
        assertUnpickleFails(ascii("g-1\n"), .unknownMemoIndex(-1, offset: 0))
    }

    /// A memo index of 2^32 - 1 is a dictionary key, not an array size.
    func testHugeMemoIndexAllocatesNothing() throws {
        let result = try unpickle(hex("4e 72 ff ff ff ff 30 6a ff ff ff ff 2e"))
        XCTAssertEqual(result.root, .none)
    }

    func testLengthBeyondInput() {
        let cases: [(PickleOpcode, [UInt8], UInt64, Int)] = [
            (.binUnicode, hex("58 ff ff ff ff 61 62 63"), 0xFFFF_FFFF, 3),
            (.binUnicode8, hex("8d 00 00 00 00 00 00 00 10 61"), 1 << 60, 1),
            (.binBytes8, hex("8e 00 00 00 00 00 00 00 10"), 1 << 60, 0),
            (.byteArray8, hex("96 ff ff ff ff ff ff ff ff"), UInt64.max, 0),
            (.shortBinBytes, hex("43 0a 01 02"), 10, 2),
            (.binString, hex("54 ff ff ff 7f"), 0x7FFF_FFFF, 0),
            (.long4, hex("8b ff ff ff 7f 00"), 0x7FFF_FFFF, 1),
            (.frame, hex("95 00 00 00 00 00 00 00 10 4e 2e"), 1 << 60, 2),
        ]
        for (opcode, bytes, length, remaining) in cases {
            assertUnpickleFails(bytes, .lengthBeyondInput(opcode: opcode, length: length, offset: 0, remaining: remaining))
        }
    }

    func testRefusedCallableThroughReduce() {
        let named: [(String, String)] = [("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"), ("posix", "system")]
        for (module, name) in named {
            let viaGlobal = ascii("c\(module)\n\(name)\n") + ascii("(S'id'\ntR.")
            let reduceOffset = viaGlobal.count - 2
            assertUnpickleFails(viaGlobal, .refusedCallable(name: "\(module).\(name)", opcode: .reduce, offset: reduceOffset))
            let viaStack =
                hex("80 04") + shortUnicode(module) + shortUnicode(name) + hex("93 8c 02") + ascii("id") + hex("85 52 2e")
            assertUnpickleFails(
                viaStack, .refusedCallable(name: "\(module).\(name)", opcode: .reduce, offset: viaStack.count - 2))
        }
        // Python 2 spellings are mapped before the policy sees them.
        assertUnpickleFails(
            ascii("c__builtin__\neval\n(S'1'\ntR."), .refusedCallable(name: "builtins.eval", opcode: .reduce, offset: 25))
    }

    func testRefusedCallableThroughInstAndObj() {
        assertUnpickleFails(ascii("(S'id'\nios\nsystem\n."), .refusedCallable(name: "os.system", opcode: .inst, offset: 7))
        assertUnpickleFails(
            ascii("(cbuiltins\neval\nS'1'\no."), .refusedCallable(name: "builtins.eval", opcode: .obj, offset: 21))
    }

    /// sys, os, posix, nt and subprocess are refused even by a policy that allows everything,
    /// including through the Python 2 name `commands` (now `subprocess`).
    func testAlwaysRefusedModulesOverrideThePolicy() {
        let everything = UnpicklerPolicy { _ in true }
        for (module, name) in [("os", "system"), ("os.path", "join"), ("nt", "system"), ("sys", "exit")] {
            let bytes = ascii("c\(module)\n\(name)\n)R.")
            assertUnpickleFails(
                bytes, .refusedCallable(name: "\(module).\(name)", opcode: .reduce, offset: bytes.count - 2), policy: everything)
        }
        assertUnpickleFails(
            ascii("ccommands\ngetoutput\n)R."), .refusedCallable(name: "subprocess.getoutput", opcode: .reduce, offset: 21),
            policy: everything)
        XCTAssertNoThrow(try Unpickler.unpickle(ascii("cossify\nf\n)R."), policy: everything))
    }

    /// NEWOBJ only allocates, so even os.system stays an inert object node.
    func testNewObjOfDangerousClassesStaysInert() throws {
        for (module, name) in [("os", "system"), ("builtins", "eval"), ("subprocess", "Popen")] {
            let bytes = hex("80 02") + ascii("c\(module)\n\(name)\n") + hex("29 81 7d 62 2e")
            XCTAssertEqual(try describeUnpickled(bytes, policy: .dataOnly), "object(\(module).\(name), newObject, ())+state({})")
        }
    }

    func testInvalidCallable() {
        assertUnpickleFails(hex("5d 29 52"), .invalidCallable(found: "list", opcode: .reduce, offset: 2))
        assertUnpickleFails(hex("8c 01 61 29 81"), .invalidCallable(found: "str", opcode: .newObj, offset: 4))
        assertUnpickleFails(hex("28 4b 01 6f"), .invalidCallable(found: "int", opcode: .obj, offset: 3))
    }

    func testInvalidOperand() {
        let f = ascii("c__main__\nf\n")
        let cases: [([UInt8], PickleError)] = [
            (f + hex("4e 52"), .invalidOperand(opcode: .reduce, expected: "an argument tuple", found: "None", offset: 13)),
            (f + hex("4e 81"), .invalidOperand(opcode: .newObj, expected: "an argument tuple", found: "None", offset: 13)),
            (f + hex("29 5d 92"), .invalidOperand(opcode: .newObjEx, expected: "a keyword dict", found: "list", offset: 14)),
            (
                hex("4b 01 4b 02 93"),
                .invalidOperand(opcode: .stackGlobal, expected: "two strings", found: "int and int", offset: 4)
            ),
            (hex("28 4e 64"), .invalidOperand(opcode: .dict, expected: "key-value pairs", found: "1 items", offset: 2)),
            (
                hex("7d 28 4e 4e 4e 75"),
                .invalidOperand(opcode: .setItems, expected: "key-value pairs", found: "3 items", offset: 5)
            ),
            (
                hex("54 ff ff ff ff"),
                .invalidOperand(opcode: .binString, expected: "a non-negative length", found: "-1", offset: 0)
            ),
            (hex("8b fe ff ff ff"), .invalidOperand(opcode: .long4, expected: "a non-negative length", found: "-2", offset: 0)),
            (ascii("Np-1\n"), .invalidOperand(opcode: .put, expected: "a non-negative memo index", found: "-1", offset: 1)),
        ]
        for (bytes, error) in cases { assertUnpickleFails(bytes, error) }
    }

    /// Data constructors refuse arguments Python would not accept (or that are not data).
    func testInvalidDataConstructorArguments() {
        let cases: [(String, [UInt8], String)] = [
            ("collections\nOrderedDict", hex("4b 05 85"), "(int)"),
            ("collections\nOrderedDict", hex("5d 4b 01 61 85"), "(list)"),
            ("builtins\nset", hex("4b 05 85"), "(int)"),
            ("_codecs\nencode", hex("4b 05 85"), "(int)"),
            ("_codecs\nencode", hex("8c 03 e2 82 ac 8c 06") + ascii("latin1") + hex("86"), "(str, str)"),
            ("_codecs\nencode", hex("8c 01 61 8c 05") + ascii("rot13") + hex("86"), "(str, str)"),
            ("builtins\nbytes", hex("8c 01 61 85"), "(str)"),
            ("builtins\nbytearray", hex("5d 4d 00 01 61 85"), "(list)"),
            ("copyreg\n_reconstructor", hex("4e 85"), "(None)"),
        ]
        for (global, args, found) in cases {
            let bytes = hex("80 04") + ascii("c\(global)\n") + args + hex("52 2e")
            let name = global.replacingNewline()
            let expected = PickleError.invalidOperand(
                opcode: .reduce, expected: "arguments \(name) accepts", found: found, offset: bytes.count - 2)
            assertUnpickleFails(bytes, expected, policy: .dataOnly)
        }
    }

    func testInvalidTarget() {
        let cases: [([UInt8], PickleError)] = [
            (hex("7d 4e 61"), .invalidTarget(opcode: .append, target: "dict", offset: 2)),
            (hex("4b 01 4e 61"), .invalidTarget(opcode: .append, target: "int", offset: 3)),
            (hex("5d 4e 4e 73"), .invalidTarget(opcode: .setItem, target: "list", offset: 3)),
            (hex("28 4e 91 28 4e 90"), .invalidTarget(opcode: .addItems, target: "frozenset", offset: 5)),
            (hex("5d 7d 62"), .invalidTarget(opcode: .build, target: "list", offset: 2)),
            (hex("7d 7d 62"), .invalidTarget(opcode: .build, target: "dict", offset: 2)),
            (ascii("cm\nC\n") + hex("4e 62"), .invalidTarget(opcode: .build, target: "global m.C", offset: 6)),
            (
                ascii("cm\nC\n") + hex("29 81 7d 62 7d 62"),
                .invalidTarget(opcode: .build, target: "object m.C that already has state", offset: 10)
            ),
        ]
        for (bytes, error) in cases { assertUnpickleFails(bytes, error) }
    }

    func testUnhashableKey() {
        assertUnpickleFails(hex("7d 5d 4e 73"), .unhashableKey(kind: "list", opcode: .setItem, offset: 3))
        assertUnpickleFails(hex("8f 28 7d 90"), .unhashableKey(kind: "dict", opcode: .addItems, offset: 3))
        assertUnpickleFails(hex("7d 4b 01 5d 86 4e 73"), .unhashableKey(kind: "list", opcode: .setItem, offset: 6))
        assertUnpickleFails(hex("28 8f 91"), .unhashableKey(kind: "set", opcode: .frozenSet, offset: 2))
    }

    func testInvalidText() {
        let cases: [(PickleOpcode, String)] = [
            (.int, "Iabc\n"), (.int, "I\n"), (.int, "I0x\n"), (.int, "I1__0\n"),
            (.int, "I" + String(repeating: "9", count: 4301) + "\n"),
            (.long, "L\n"), (.long, "L12x\n"), (.long, "L012L\n"),
            (.float, "F1e999\n"), (.float, "F 1.0\n"), (.float, "F1_0\n"), (.float, "F0x10\n"), (.float, "F1e\n"),
            (.float, "F\n"),
            (.string, "Sabc\n"), (.string, "S'abc\"\n"), (.string, "S'\\x4'\n"), (.string, "S'a\\'\n"), (.string, "S'\n"),
            (.unicode, "V\\u12\n"), (.unicode, "V\\ud800\n"), (.unicode, "V\\U00110000\n"), (.unicode, "V\\uzzzz\n"),
            (.get, "gx\n"), (.get, "g99999999999999999999\n"), (.put, "N\np0x1\n"),
        ]
        for (opcode, text) in cases {
            let offset = text.hasPrefix("N\n") ? 2 : 0
            assertUnpickleFails(
                ascii(text.replacingOccurrences(of: "N\n", with: "N")), .invalidText(opcode: opcode, offset: offset == 0 ? 0 : 1))
        }
        assertUnpickleFails(hex("28 69 6f e9 0a 73 0a"), .invalidText(opcode: .inst, offset: 1))
        assertUnpickleFails(ascii("c\nf\n."), .invalidText(opcode: .global, offset: 0))
        assertUnpickleFails(ascii("(ibuiltins\n\n."), .invalidText(opcode: .inst, offset: 1))
        assertUnpickleFails(hex("50 e9 0a"), .invalidText(opcode: .persID, offset: 0))
    }

    func testInvalidUTF8() {
        assertUnpickleFails(hex("58 01 00 00 00 ff"), .invalidUTF8(opcode: .binUnicode, offset: 0))
        assertUnpickleFails(hex("55 02 c3 28"), .invalidUTF8(opcode: .shortBinString, offset: 0))
        assertUnpickleFails(hex("8c 03 ed a0 80"), .invalidUTF8(opcode: .shortBinUnicode, offset: 0))
        assertUnpickleFails(hex("63 ff 0a 61 0a"), .invalidUTF8(opcode: .global, offset: 0))
        assertUnpickleFails(ascii("S'\\xff'\n"), .invalidUTF8(opcode: .string, offset: 0))
    }

    func testDescriptionsAreOneLineAndNameTheOffset() {
        XCTAssertEqual(PickleError.unknownOpcode(0x93, offset: 1204).description, "unknown opcode 0x93 at byte 1204")
        XCTAssertEqual(
            PickleError.refusedCallable(name: "os.system", opcode: .reduce, offset: 17).description,
            "refused to call os.system (REDUCE at byte 17)")
        let reading: [PickleError] = [
            .truncated(opcode: .binInt, offset: 4321), .truncated(opcode: nil, offset: 4321), .unknownOpcode(0xFF, offset: 4321),
            .unsupportedProtocol(9, offset: 4321), .unsupportedOpcode(.ext1, offset: 4321),
            .unsupportedOpcode(.nextBuffer, offset: 4321),
            .stackUnderflow(opcode: .pop, offset: 4321), .missingMark(opcode: .tuple, offset: 4321),
            .unknownMemoIndex(3, offset: 4321),
            .lengthBeyondInput(opcode: .binBytes8, length: 1 << 60, offset: 4321, remaining: 2),
            .limitExceeded(.nestingDepth, value: 1001, offset: 4321),
            .refusedCallable(name: "os\nx.system", opcode: .reduce, offset: 4321),
            .invalidCallable(found: "list", opcode: .reduce, offset: 4321),
            .invalidOperand(opcode: .dict, expected: "pairs", found: "1 items", offset: 4321),
            .invalidTarget(opcode: .append, target: "dict", offset: 4321),
            .unhashableKey(kind: "list", opcode: .setItem, offset: 4321),
            .invalidText(opcode: .int, offset: 4321), .invalidUTF8(opcode: .binUnicode, offset: 4321),
        ]
        for error in reading {
            XCTAssertFalse(error.description.contains("\n"), error.description)
            XCTAssertTrue(error.description.contains("byte 4321"), error.description)
        }
        let writing: [PickleError] = [
            .danglingNode(index: 7), .argumentsNotTuple(node: 7), .unencodableGlobal(name: "m.a\nb"),
            .integerTooLarge(byteCount: 256), .cycleThroughImmutable(node: 7), .nestingTooDeep(limit: 10, node: 7),
        ]
        for error in writing {
            XCTAssertFalse(error.description.contains("\n"), error.description)
            XCTAssertFalse(error.description.isEmpty)
        }
    }

    private func shortUnicode(_ text: String) -> [UInt8] {
        [0x8C, UInt8(text.utf8.count)] + ascii(text)
    }
}

extension String {
    fileprivate func replacingNewline() -> String {
        String(map { $0 == "\n" ? "." : $0 })
    }

    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }

    private func range(of target: String) -> Range<String.Index>? {
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(target) { return index..<self.index(index, offsetBy: target.count) }
            index = self.index(after: index)
        }
        return nil
    }
}
