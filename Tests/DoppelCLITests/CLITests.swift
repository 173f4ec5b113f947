import XCTest
import Foundation

/// Runs the built `doppel` executable as a user would and checks exit codes, messages and files.
final class CLITests: XCTestCase {
    var binary: URL {
        // The test bundle sits next to the products in .build/<config>/.
        var dir = Bundle(for: CLITests.self).bundleURL.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("doppel").path) { dir = Bundle.main.bundleURL }
        return dir.appendingPathComponent("doppel")
    }
    var heart: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Doppel/Resources/heart_disease_uci.csv").path
    }
    var work: URL!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: binary.path), "doppel executable not built next to the tests")
        work = FileManager.default.temporaryDirectory.appendingPathComponent("doppel-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let work { try? FileManager.default.removeItem(at: work) }
    }

    @discardableResult
    func run(_ args: [String]) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = work
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func file(_ name: String, _ text: String) throws -> String {
        let path = work.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A negative number given to a numeric option is read as its value and refused by name (ArgumentParser
    /// would otherwise take "-0.2" for an option and report a missing value).
    func testNegativeNumbersAreReadAndRefused() throws {
        _ = try run(["keygen", "-o", "k.key"])
        for (args, got) in [(["split", heart, "--holdout-fraction", "-0.2", "--train", "a.csv", "--holdout", "b.csv"], "(got -0.2)"),
                            (["collapse", heart, "--generations", "-2", "--output", "c"], "(got -2)"),
                            (["deid", heart, "--key-file", "k.key", "--shift-days", "-3", "--output", "d.csv"], "(got -3)"),
                            (["mix", "--real", heart, "--synthetic", heart, "--synthetic-share", "-0.5", "--output", "m.csv"], "(got -0.5)"),
                            (["mix", "--real", heart, "--synthetic", heart, "--synthetic-share", "0.5", "--rows", "-4", "--output", "m.csv"], "(got -4)")] {
            let r = try run(args)
            XCTAssertEqual(r.code, 64, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains(got), "\(args): \(r.err)")
            XCTAssertFalse(r.err.contains("Missing value"), r.err)
        }
        // A seed is a non-negative integer: "-3" is named as an invalid value, not taken for an option.
        let r = try run(["split", heart, "--seed", "-3", "--train", "a.csv", "--holdout", "b.csv"])
        XCTAssertEqual(r.code, 64, r.err)
        XCTAssertTrue(r.err.contains("'-3' is invalid"), r.err)
    }

    func testInspectFitSampleRoundTrip() throws {
        let schema = work.appendingPathComponent("schema.json").path
        let r = try run(["inspect", heart, "--schema-out", schema, "--target", "num"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.out.contains("identifier") && r.out.contains("920 rows"))
        XCTAssertEqual(try run(["fit", heart, "--schema", schema, "--seed", "1", "-o", "m.doppel"]).code, 0)
        let a = try run(["sample", "m.doppel", "-n", "500", "--seed", "2", "-o", "a.csv"])
        XCTAssertEqual(a.code, 0, a.err)
        XCTAssertEqual(try run(["sample", "m.doppel", "-n", "500", "--seed", "2", "-o", "b.csv"]).code, 0)
        let ta = try String(contentsOf: work.appendingPathComponent("a.csv"), encoding: .utf8)
        XCTAssertEqual(ta, try String(contentsOf: work.appendingPathComponent("b.csv"), encoding: .utf8))
        XCTAssertEqual(ta.split(separator: "\n").count, 501)
        let stdout = try run(["sample", "m.doppel", "-n", "500", "--seed", "2", "-o", "-"])
        XCTAssertEqual(stdout.out, ta)
        let cond = try run(["sample", "m.doppel", "-n", "200", "--where", "sex=Female,age>=60", "-o", "-"])
        XCTAssertEqual(cond.code, 0, cond.err)
        let rows = cond.out.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertTrue(rows.allSatisfy { $0[2] == "Female" && Int($0[1])! >= 60 })
    }

    func testBadInputsGiveClearErrorsAndExitCodes() throws {
        func expect(_ args: [String], code: Int32, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try run(args)
            XCTAssertEqual(r.code, code, "\(args): \(r.err)", file: file, line: line)
            XCTAssertTrue(r.err.contains(fragment), "\(args): \(r.err)", file: file, line: line)
        }
        try expect(["inspect", "missing.csv"], code: 66, "missing.csv: no such file")
        try expect(["inspect", try file("empty.csv", "")], code: 65, "file is empty")
        try expect(["inspect", try file("header.csv", "a,b\n")], code: 65, "no data rows")
        try expect(["inspect", try file("ragged.csv", "a,b\n1,2\n3,4,5\n")], code: 65, "ragged.csv:3")
        try expect(["inspect", try file("dup.csv", "a,a\n1,2\n")], code: 65, "duplicate column name")
        try expect(["inspect", try file("noname.csv", "a,,c\n1,2,3\n")], code: 65, "has no name")
        try expect(["inspect", try file("quote.csv", "a,b\n1,\"x\n")], code: 65, "unterminated")
        let bad = work.appendingPathComponent("latin1.csv")
        try Data([0x61, 0x0A, 0xE9, 0x0A]).write(to: bad)
        try expect(["inspect", bad.path], code: 65, "latin1.csv:2: invalid UTF-8")
        try expect(["fit", heart, "--synthesizer", "magic", "-o", "m.doppel"], code: 64, "unknown synthesizer 'magic'")
        try expect(["fit", heart, "-o", "/nonexistent-dir/m.doppel"], code: 73, "cannot write output")
        XCTAssertEqual(try run(["fit", heart, "-o", "m.doppel"]).code, 0)
        try expect(["sample", "m.doppel", "-n", "0", "-o", "x.csv"], code: 64, "positive integer")
        try expect(["sample", "m.doppel", "-n", "-5", "-o", "x.csv"], code: 64, "-n")
        try expect(["sample", "m.doppel", "-n", "abc", "-o", "x.csv"], code: 64, "-n")
        try expect(["sample", "m.doppel", "-n", "10", "-o", "/nonexistent-dir/x.csv"], code: 73, "does not exist")
        try expect(["sample", "m.doppel", "-n", "10", "--where", "sex=Alien", "-o", "x.csv"], code: 65, "not a category")
        try expect(["sample", "m.doppel", "-n", "10", "--where", "", "-o", "x.csv"], code: 64, "--where names no condition")
        // Roles on a column that is not modelled (heart's id) are refused, not silently measured as nothing.
        try expect(["inspect", heart, "--sensitive", "id"], code: 64, "--sensitive: 'id' is an identifier column, which is not modelled")
        try expect(["sample", "m.doppel", "-n", "10", "--shard", "9/2", "-o", "x.csv"], code: 64, "--shard")
        try expect(["sample", "m.doppel", "-n", "10", "--shard", "1/4/", "-o", "x.csv"], code: 64, "--shard must look like k/n")
        try expect(["sample", "m.doppel", "-n", "10", "--shard", "-1/4", "-o", "x.csv"], code: 64, "--shard must be k/n with 1 ≤ k ≤ n (got -1/4)")
        // Row counts near Int's limit are refused, not overflowed.
        try expect(["sample", "m.doppel", "-n", "9223372036854775807", "-o", "x.csv"], code: 64, "at most 10^15")
        try expect(["mix", "--real", heart, "--synthetic", heart, "--synthetic-share", "1", "--rows", "9223372036854775807", "--output", "x.csv"],
                   code: 64, "real and synthetic rows there are to draw from")
        try expect(["sample", try file("fake.doppel", "hello\n"), "-n", "10", "-o", "x.csv"], code: 65, "not a Doppel model")
        // A value breaking the declared schema names the file, line, column and value.
        let schema = work.appendingPathComponent("s.json").path
        XCTAssertEqual(try run(["inspect", try file("ok.csv", "a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n"), "--schema-out", schema]).code, 0)
        try expect(["fit", try file("broken.csv", "a,b\n1,2\nx,4\n"), "--schema", schema, "-o", "m2.doppel"], code: 65, "broken.csv:3 (column 'a'): 'x' is not a number")
        try expect(["fit", try file("other.csv", "a,c\n1,2\n"), "--schema", schema, "-o", "m2.doppel"], code: 65, "'b' is in the schema but not in")
        // No partial output is left behind by failures.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0 == "x.csv" || $0 == "m2.doppel" || $0.contains("partial") }
        XCTAssertEqual(leftovers, [])
    }

    /// A sample stopped by a signal leaves no hidden temporary file behind; /dev/null is a valid output.
    func testSignalLeavesNoPartialFileAndDevNullIsAnOutput() throws {
        XCTAssertEqual(try run(["fit", heart, "-o", "m.doppel"]).code, 0)
        let null = try run(["sample", "m.doppel", "-n", "100", "-o", "/dev/null"])
        XCTAssertEqual(null.code, 0, null.err)
        for sig in [SIGTERM, SIGINT] {
            let p = Process()
            p.executableURL = binary
            p.arguments = ["sample", "m.doppel", "-n", "1000000000", "-o", "big.csv"]
            p.currentDirectoryURL = work
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Wait until the temporary file exists and holds rows.
            let deadline = Date().addingTimeInterval(60)
            func partial() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains("partial") } }
            while try partial().isEmpty && Date() < deadline { usleep(20_000) }
            XCTAssertFalse(try partial().isEmpty, "no temporary file appeared")
            usleep(300_000)
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal, "signal \(sig)")
            XCTAssertEqual(p.terminationStatus, sig)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains("partial") || $0 == "big.csv" }, [], "signal \(sig)")
        }
        // A file-size limit (ulimit -f) is a write error with the system's words, exit 73, no leftovers.
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.arguments = ["-c", "ulimit -f 100 && exec \"$0\" sample m.doppel -n 1000000 -o big.csv", binary.path]
        sh.currentDirectoryURL = work
        let err = Pipe()
        sh.standardError = err
        try sh.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sh.waitUntilExit()
        XCTAssertEqual(sh.terminationStatus, 73, message)
        XCTAssertTrue(message.contains("File too large"), message)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.contains("partial") || $0 == "big.csv" }, [])
    }

    func testIdentifierValuesNeverPrinted() throws {
        let schema = work.appendingPathComponent("s.json").path
        XCTAssertEqual(try run(["inspect", try file("ids.csv", "patient_id,age\nP-1001,30\nP-1002,40\nP-1003,50\n"), "--schema-out", schema]).code, 0)
        let out = try run(["fit", try file("ids2.csv", "patient_id,age\nP-9999,30\nP-8888,abc\n"), "--schema", schema, "-o", "m.doppel"])
        XCTAssertNotEqual(out.code, 0)
        XCTAssertFalse(out.err.contains("P-9999") || out.err.contains("P-8888"))
        XCTAssertEqual(try run(["fit", try file("ids3.csv", "patient_id,age\nP-1001,30\nP-1002,40\nP-1003,50\n"), "--schema", schema, "-o", "m.doppel"]).code, 0)
        let s = try run(["sample", "m.doppel", "-n", "50", "-o", "-"])
        XCTAssertFalse(s.out.contains("P-1001") || s.out.contains("P-1002") || s.out.contains("P-1003"))
    }

    func testEvaluateGateExitCode() throws {
        XCTAssertEqual(try run(["demo", "--out", "d"]).code, 0)
        let d = work.appendingPathComponent("d").path
        for f in ["schema.json", "model.doppel", "synthetic.csv", "report.json", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(d)/\(f)"), f)
        }
        // The training data judged as its own synthetic copy fails the gate: exit 3 and the reasons.
        let r = try run(["evaluate", "--train", "\(d)/train.csv", "--holdout", "\(d)/holdout.csv", "--synthetic", "\(d)/train.csv", "-o", "ev"])
        XCTAssertEqual(r.code, 3)
        XCTAssertTrue(r.out.contains("exact copies") && r.out.contains("FAILED"))
        let e = try run(["evaluate", "--train", "\(d)/train.csv", "--holdout", "\(d)/holdout.csv", "--synthetic", "\(d)/synthetic.csv", "--target", "death", "-o", "ev"])
        XCTAssertEqual(e.code, 64); XCTAssertTrue(e.err.contains("no column 'death'"))
        let mismatch = try run(["evaluate", "--train", "\(d)/train.csv", "--holdout", try file("h.csv", "a,b\n1,2\n"), "--synthetic", "\(d)/synthetic.csv", "-o", "ev"])
        XCTAssertEqual(mismatch.code, 65); XCTAssertTrue(mismatch.err.contains("does not have the same columns"))
        // The training file as its own holdout would make the privacy tests meaningless (and pass): refused.
        let selfHoldout = try run(["evaluate", "--train", "\(d)/train.csv", "--holdout", "\(d)/train.csv", "--synthetic", "\(d)/synthetic.csv", "-o", "self"])
        XCTAssertEqual(selfHoldout.code, 64); XCTAssertTrue(selfHoldout.err.contains("has the same contents as --train"), selfHoldout.err)
        // A reordered copy is not byte-identical: it is evaluated, with a warning.
        let trainLines = try String(contentsOfFile: "\(d)/train.csv", encoding: .utf8).split(separator: "\n")
        let reordered = try file("reordered.csv", ([trainLines[0]] + trainLines.dropFirst().reversed()).joined(separator: "\n") + "\n")
        let copy = try run(["evaluate", "--train", "\(d)/train.csv", "--holdout", reordered, "--synthetic", "\(d)/synthetic.csv", "-o", "copy"])
        XCTAssertTrue(copy.err.contains("100% of the holdout rows are also rows of the training file"), copy.err)
        // A policy with a misspelt field is refused, not read as the defaults.
        let typo = try run(["evaluate", "--train", "\(d)/train.csv", "--holdout", "\(d)/holdout.csv", "--synthetic", "\(d)/synthetic.csv",
                            "--policy", try file("p.json", #"{"minquality": 0.99}"#), "-o", "typo"])
        XCTAssertEqual(typo.code, 65); XCTAssertTrue(typo.err.contains("did you mean 'minQuality'?"), typo.err)
        // A model fitted on another file than --train is named in a warning and in the report.
        let same = try run(["evaluate", "--train", "\(d)/train.csv", "--holdout", "\(d)/holdout.csv", "--synthetic", "\(d)/synthetic.csv",
                            "--model", "\(d)/model.doppel", "-o", "ok"])
        XCTAssertFalse(same.err.contains("fitted on another file"), same.err)
        XCTAssertFalse(same.err.contains("of the holdout rows are also rows"), same.err)
        let swapped = try run(["evaluate", "--train", "\(d)/holdout.csv", "--holdout", "\(d)/train.csv", "--synthetic", "\(d)/synthetic.csv",
                               "--model", "\(d)/model.doppel", "-o", "swapped"])
        XCTAssertTrue(swapped.err.contains("warning: the model was fitted on another file"), swapped.err)
        // and it fails the gate: the privacy figures do not describe the rows the model saw
        XCTAssertEqual(swapped.code, 3, swapped.err)
        XCTAssertTrue(swapped.out.contains("✗ provenance: the model (--model) was fitted on another file than --train"), swapped.out)
        // a verdict says which checks it does not cover
        XCTAssertTrue(same.out.contains("Not measured, so not covered by this verdict: linkability (give --quasi-identifiers)"), same.out)
        let html = try String(contentsOfFile: work.appendingPathComponent("swapped/report.html").path, encoding: .utf8)
        XCTAssertTrue(html.contains("Provenance mismatch"))
        let json = try String(contentsOfFile: work.appendingPathComponent("swapped/report.json").path, encoding: .utf8)
        XCTAssertTrue(json.contains("\"provenanceMismatch\""))
        let okJSON = try String(contentsOfFile: work.appendingPathComponent("ok/report.json").path, encoding: .utf8)
        XCTAssertFalse(okJSON.contains("provenanceMismatch"))
    }

    /// `split` writes a seeded random partition (every row on exactly one side, the same files for the
    /// same seed) and refuses a fraction that leaves a side empty or makes no sense.
    func testSplitPartitionsTheRowsReproducibly() throws {
        let a = try run(["split", heart, "--holdout-fraction", "0.25", "--seed", "4", "--train", "t1.csv", "--holdout", "h1.csv"])
        XCTAssertEqual(a.code, 0, a.err)
        XCTAssertEqual(try run(["split", heart, "--holdout-fraction", "0.25", "--seed", "4", "--train", "t2.csv", "--holdout", "h2.csv"]).code, 0)
        func lines(_ name: String) throws -> [String] {
            try String(contentsOf: work.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
        let source = try String(contentsOfFile: heart, encoding: .utf8).split(separator: "\n").map(String.init)
        let (t, h) = (try lines("t1.csv"), try lines("h1.csv"))
        XCTAssertEqual(t.first, h.first)                                        // the same header
        XCTAssertEqual(t.count - 1 + h.count - 1, source.count - 1)             // every row, once
        XCTAssertEqual(Double(h.count - 1), Double(source.count - 1) * 0.25, accuracy: 1)
        XCTAssertEqual(try lines("t1.csv"), try lines("t2.csv"))
        XCTAssertEqual(try lines("h1.csv"), try lines("h2.csv"))
        XCTAssertTrue(a.out.contains("\(t.count - 1) training rows"))
        for bad in ["0", "1", "-0.5"] {
            let r = try run(["split", heart, "--holdout-fraction=\(bad)", "--train", "x.csv", "--holdout", "y.csv"])
            XCTAssertEqual(r.code, 64, bad); XCTAssertTrue(r.err.contains("--holdout-fraction"), r.err)
        }
        XCTAssertEqual(try run(["split", heart, "--train", heart, "--holdout", "y.csv"]).code, 64)   // never overwrites the input
        // --group keeps each patient's rows on one side.
        var visits = ["patient,visit,value"]
        for p in 0..<120 { for v in 0..<(1 + p % 4) { visits.append("p\(p),\(v),\(p * 10 + v)") } }
        let csv = try file("visits.csv", visits.joined(separator: "\n") + "\n")
        let g = try run(["split", csv, "--group", "patient", "--seed", "2", "--train", "gt.csv", "--holdout", "gh.csv"])
        XCTAssertEqual(g.code, 0, g.err)
        func patients(_ name: String) throws -> Set<String> { Set(try lines(name).dropFirst().map { String($0.split(separator: ",")[0]) }) }
        let (gt, gh) = (try patients("gt.csv"), try patients("gh.csv"))
        XCTAssertTrue(gt.isDisjoint(with: gh)); XCTAssertEqual(gt.count + gh.count, 120)
        XCTAssertEqual(Double(try lines("gh.csv").count - 1), Double(visits.count - 1) * 0.2, accuracy: 4)
        XCTAssertFalse(g.err.contains("warning"), g.err)
        // Few, large groups cannot meet the fraction: said so.
        let threeGroups = try file("three.csv", "g,v\n" + (0..<100).map { "\($0 < 70 ? "a" : $0 < 90 ? "b" : "c"),\($0)" }.joined(separator: "\n") + "\n")
        let coarse = try run(["split", threeGroups, "--group", "g", "--seed", "1", "--train", "ct.csv", "--holdout", "ch.csv"])
        XCTAssertTrue(coarse.err.contains("warning: --group g has 3 groups (the largest of 70 rows): the holdout holds"), coarse.err)
        let unknown = try run(["split", csv, "--group", "nope", "--train", "gt2.csv", "--holdout", "gh2.csv"])
        XCTAssertEqual(unknown.code, 64); XCTAssertTrue(unknown.err.contains("--group: no column 'nope'"), unknown.err)
    }

    func testCollapseWritesReportAndDrifts() throws {
        let r = try run(["collapse", heart, "--generations", "2", "--target", "num", "-o", "c"])
        XCTAssertEqual(r.code, 0, r.err)
        let json = try Data(contentsOf: work.appendingPathComponent("c/collapse.json"))
        let obj = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        let gens = obj?["generations"] as? [[String: Any]] ?? []
        XCTAssertEqual(gens.count, 3)
        XCTAssertEqual(gens.first?["quality"] as? Double ?? 0, 1, accuracy: 1e-12)
        XCTAssertLessThan(gens.last?["quality"] as? Double ?? 1, 0.99)
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("c/collapse.html").path))
        XCTAssertEqual(try run(["collapse", heart, "--generations", "0", "-o", "c"]).code, 64)
    }
}

