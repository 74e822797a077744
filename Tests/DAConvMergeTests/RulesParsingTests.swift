import DAConvMerge
import XCTest

final class RulesParsingTests: XCTestCase {
    func testBranchSpecificationsGiveTheRules() throws {
        let rules = try DAConvRules.parse(branchSpecifications: ["a:add:ta", "d:difference:td", "v:vanilla:none"])
        XCTAssertEqual(
            rules.branches,
            [
                .init(name: "a", kind: .add, gate: "ta"), .init(name: "d", kind: .difference, gate: "td"),
                .init(name: "v", kind: .vanilla, gate: nil),
            ])
    }

    func testTheStandardRulesAreThePublicRelease() throws {
        XCTAssertEqual(try DAConvRules.parse(branchSpecifications: ["cac:add:cac_theta", "cdc:difference:cdc_theta"]), .standard)
    }

    func testRulesFileWithCommentsAndBlankLines() throws {
        let text = "# branch kind gate\n\ncac  add  cac_theta\ncdc\tdifference\tcdc_theta  # the DA unit\r\n"
        XCTAssertEqual(try DAConvRules.parse(rulesFile: text, source: "rules.txt"), .standard)
    }

    func testMalformedRulesAreRefusedWithTheirPlace() {
        XCTAssertThrowsError(try DAConvRules.parse(branchSpecifications: ["cac:add"])) {
            XCTAssertEqual(
                $0 as? DAConvRules.ParseError, .malformed(source: "--branch", text: "cac:add", expected: "NAME:KIND:GATE"))
        }
        XCTAssertThrowsError(try DAConvRules.parse(branchSpecifications: ["cac:sum:t"])) {
            XCTAssertEqual($0 as? DAConvRules.ParseError, .unknownKind(source: "--branch", kind: "sum"))
        }
        XCTAssertThrowsError(try DAConvRules.parse(branchSpecifications: ["a:add:t", "a:vanilla:none"])) {
            XCTAssertEqual($0 as? DAConvRules.ParseError, .duplicateBranch(source: "--branch", name: "a"))
        }
        XCTAssertThrowsError(try DAConvRules.parse(rulesFile: "cac add\n", source: "r.txt")) {
            XCTAssertEqual(
                $0 as? DAConvRules.ParseError, .malformed(source: "r.txt line 1", text: "cac add", expected: "NAME KIND GATE"))
        }
        XCTAssertThrowsError(try DAConvRules.parse(rulesFile: "# nothing\n", source: "r.txt")) {
            XCTAssertEqual($0 as? DAConvRules.ParseError, .noBranches(source: "r.txt"))
        }
        XCTAssertThrowsError(try DAConvRules.parse(branchSpecifications: ["../x:add:t"])) {
            guard case .malformed? = $0 as? DAConvRules.ParseError else { return XCTFail("\($0)") }
        }
    }
}
