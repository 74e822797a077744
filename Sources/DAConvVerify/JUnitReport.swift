/// The report as JUnit XML, which CI systems display: one test case per DAConv module, one for pass-through.
extension EquivalenceReport {
    public func junit(suiteName: String = "merge-daconv verify") -> String {
        var cases: [String] = []
        for layer in layers {
            var body = ""
            if !layer.passed {
                let message =
                    layer.problem
                    ?? "max abs error \(Self.scientific(layer.maxAbsError)) exceeds tolerance \(Self.scientific(layer.tolerance))"
                body =
                    "<failure type=\"NotEquivalent\" message=\"\(Self.xml(message))\">"
                    + Self.xml(
                        "module \(layer.module), kernel \(layer.kernel), dtype \(layer.dtype.rawValue), "
                            + "max abs error \(layer.maxAbsError), max rel error \(layer.maxRelError), tolerance \(layer.tolerance)"
                    )
                    + "</failure>"
            }
            cases.append(testCase(className: "daconv", name: layer.module, body: body))
        }
        if let passThrough {
            var body = ""
            if !passThrough.passed {
                let lines = passThrough.textLines()
                body =
                    "<failure type=\"PassThroughDiffers\" message=\"\(Self.xml(lines.first ?? ""))\">"
                    + Self.xml(lines.joined(separator: "\n")) + "</failure>"
            }
            cases.append(testCase(className: "pass-through", name: "pass-through", body: body))
        }
        let failures = layers.filter { !$0.passed }.count + (passThrough?.passed == false ? 1 : 0)
        let attributes = "name=\"\(Self.xml(suiteName))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\""
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<testsuites \(attributes)>",
            "  <testsuite \(attributes) skipped=\"0\">",
        ]
        lines += cases.map { "    " + $0 }
        if !warnings.isEmpty || !dropped.isEmpty {
            let text = (dropped.map { "dropped: \($0)" } + warnings.map { "warning: \($0)" }).joined(separator: "\n")
            lines.append("    <system-out>\(Self.xml(text))</system-out>")
        }
        lines += ["  </testsuite>", "</testsuites>"]
        return lines.joined(separator: "\n") + "\n"
    }

    private func testCase(className: String, name: String, body: String) -> String {
        let open = "<testcase classname=\"\(Self.xml(className))\" name=\"\(Self.xml(name))\""
        return body.isEmpty ? open + "/>" : open + ">" + body + "</testcase>"
    }

    /// Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold.
    static func xml(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n": result += "&#10;"
            case _ where scalar.value < 0x20 && scalar != "\t": continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
