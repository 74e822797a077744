import DAConvMerge
import XCTest

@testable import CheckpointInspection

/// The names an inspection hands to the DAConv detector: every name the detector could read as a key (by
/// Swift's string comparison), so that leaving the others out finds the same modules.
final class DAConvKeyNamesTests: XCTestCase {
    private func endsInAKey(_ name: String, _ rules: DAConvRules) -> Bool {
        rules.keySuffixes.contains { name == $0 || name.hasSuffix("." + $0) }
    }

    func testEveryNameEndingInAKeyIsHandedOver() {
        let gateK = DAConvRules(branches: [
            .init(name: "ca", kind: .add, gate: "K"), .init(name: "cd", kind: .difference, gate: nil),
        ])
        let names = [
            "cac.weight", "m.cac.weight", "m.cdc.bias", "m.cac_theta", "cdc_theta", "m.xcac.weight", "m.cac.weights",
            "m.running_mean", "", ".", "m.cac.weight\u{301}", "m.cac.weigh\u{0074}", "\u{0600}.cac.weight", "é.cdc.bias",
            "m.ca.weight", "m.\u{212A}", "m.K", "mK", "\u{212A}", "m.cd.bias", "m.cd.b\u{0131}as",
        ]
        for rules in [DAConvRules.standard, gateK] {
            let filter = DAConvKeyNames(rules)
            for name in names where endsInAKey(name, rules) {
                XCTAssertTrue(filter.mayBeKey(name), name)
            }
            XCTAssertFalse(filter.mayBeKey("m.running_mean"))
            XCTAssertFalse(filter.mayBeKey("m.xcac.weight"))
        }
        XCTAssertTrue(DAConvKeyNames(gateK).mayBeKey("m.\u{212A}"))
    }
}
