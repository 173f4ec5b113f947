import XCTest
import Foundation
import Doppel

/// `scan`, `keygen`, `deid`, `partial`, `rebalance` and `mix` from the command line.
extension CLITests {
    func lines(_ name: String) throws -> [[String]] {
        let doc = try CSVDocument(path: work.appendingPathComponent(name).path)
        return [doc.header] + (0..<doc.rowCount).map { i in (0..<doc.columnCount).map { doc.string(row: i, column: $0) } }
    }

    func testScanKeygenDeidFromTheCommandLine() throws {
        let input = try file("patients.csv", """
        patient_id,full_name,phone,ssn,admit_date,zip,age,diagnosis,notes
        P1001,Maria Gonzalez,(617) 555-2368,123-45-6789,2021-03-01,02139,93,Asthma,Seen by Dr. Baker on 03/04/2021; call 617-222-3434.
        P1002,John Smith,617.222.9876,234-56-7890,2021-05-17,10027,45,COPD,No concerns.
        P1001,Maria Gonzalez,(617) 555-2368,123-45-6789,2021-06-01,02139,93,Asthma,Follow-up with Maria Gonzalez in clinic.
        """ + "\n")
        let scan = try run(["scan", input, "-o", "scan.json"])
        XCTAssertEqual(scan.code, 0, scan.err)
        for expected in ["(A) name", "(D) phone", "(G) ssn", "(C) date", "(B) geography", "in text"] { XCTAssertTrue(scan.out.contains(expected), "missing \(expected) in:\n\(scan.out)") }
        XCTAssertFalse(scan.out.contains("Gonzalez") || scan.out.contains("123-45-6789"), "scan output must not quote values")

        XCTAssertEqual(try run(["deid", input, "--key-file", "none.key", "-o", "d.csv"]).code, 66, "missing key file")
        _ = try file("weak.key", "password\n")
        let weak = try run(["deid", input, "--key-file", "weak.key", "-o", "d.csv"])
        XCTAssertEqual(weak.code, 64); XCTAssertTrue(weak.err.contains("too short"), weak.err)
        XCTAssertEqual(try run(["keygen", "-o", "site.key"]).code, 0)
        XCTAssertEqual(try run(["keygen", "-o", "site.key"]).code, 73, "a key is never overwritten")
        let key = try String(contentsOf: work.appendingPathComponent("site.key"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try run(["deid", input, "--key-file", "site.key", "--method", "nope=keep", "-o", "d.csv"]).code, 64)
        XCTAssertEqual(try run(["deid", input, "--key-file", "site.key", "--method", "zip=scramble", "-o", "d.csv"]).code, 64)

        let r = try run(["deid", input, "--key-file", "site.key", "-o", "d.csv", "--audit", "audit.json"])
        XCTAssertEqual(r.code, 0, r.err)
        let out = try lines("d.csv")
        XCTAssertEqual(out[0], ["patient_id", "full_name", "phone", "ssn", "admit_date", "zip", "age", "diagnosis", "notes"])
        let text = try String(contentsOf: work.appendingPathComponent("d.csv"), encoding: .utf8)
        for secret in ["P1001", "Gonzalez", "Smith", "555-2368", "123-45-6789", "2021-03-01", "02139", "Baker", "03/04/2021", "617-222-3434"] {
            XCTAssertFalse(text.contains(secret), "'\(secret)' survived de-identification")
        }
        XCTAssertEqual(out[1][0], out[3][0], "one patient, one pseudonym")
        XCTAssertEqual(out[1][5], "021"); XCTAssertEqual(out[1][6], "90"); XCTAssertEqual(out[2][6], "45"); XCTAssertEqual(out[1][7], "Asthma")
        let audit = try String(contentsOf: work.appendingPathComponent("audit.json"), encoding: .utf8)
        XCTAssertFalse(audit.contains(key) || audit.contains("Gonzalez") || audit.contains("P1001"))
        XCTAssertTrue(audit.contains("\"keyFingerprint\""))
        // inputs are never overwritten; an audit that cannot be written leaves no data behind
        XCTAssertEqual(try run(["deid", input, "--key-file", "site.key", "-o", input]).code, 64)
        XCTAssertEqual(try run(["deid", input, "--key-file", "site.key", "-o", "site.key"]).code, 64)
        XCTAssertEqual(try run(["deid", input, "--key-file", "site.key", "-o", "d3.csv", "--audit", "d3.csv"]).code, 64)
        XCTAssertEqual(try run(["deid", input, "--key-file", "site.key", "-o", "d4.csv", "--audit", "/nonexistent/a.json"]).code, 73)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("d4.csv").path))
        let piped = try run(["deid", input, "--key-file", "site.key", "-o", "-"])
        XCTAssertEqual(piped.code, 0)
        XCTAssertEqual(piped.out.split(separator: "\n").count, 4, "stdout holds only the CSV; the summary goes to stderr")
        // an existing folder is never replaced by an output; other commands never overwrite their inputs
        try FileManager.default.createDirectory(at: work.appendingPathComponent("folder"), withIntermediateDirectories: true)
        XCTAssertEqual(try run(["deid", input, "--key-file", "site.key", "-o", "folder"]).code, 73)
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("folder").path))
        XCTAssertEqual(try run(["fit", input, "-o", input]).code, 64)
        XCTAssertEqual(try run(["inspect", input, "--schema-out", input]).code, 64)
        // same key, same output
        XCTAssertEqual(try run(["deid", input, "--key-file", "site.key", "-o", "d2.csv"]).code, 0)
        XCTAssertEqual(text, try String(contentsOf: work.appendingPathComponent("d2.csv"), encoding: .utf8))
    }

    func testPartialRebalanceMixFromTheCommandLine() throws {
        XCTAssertEqual(try run(["fit", heart, "--seed", "1", "-o", "h.doppel"]).code, 0)
        let p = try run(["partial", heart, "--synthesize", "thalch,chol", "--model", "h.doppel", "-o", "p.csv"])
        XCTAssertEqual(p.code, 0, p.err)
        let real = try CSVDocument(path: heart), part = try lines("p.csv")
        XCTAssertEqual(part.count - 1, real.rowCount)
        let thalch = real.header.firstIndex(of: "thalch")!, age = real.header.firstIndex(of: "age")!
        var changed = 0, present = 0
        for i in 0..<real.rowCount {
            XCTAssertEqual(part[i + 1][age], real.string(row: i, column: age), "kept columns stay")
            if !real.string(row: i, column: thalch).isEmpty { present += 1; if part[i + 1][thalch] != real.string(row: i, column: thalch) { changed += 1 } }
        }
        XCTAssertGreaterThan(Double(changed) / Double(present), 0.9, "replaced values are new draws")
        XCTAssertEqual(try run(["partial", heart, "--synthesize", "nope", "--model", "h.doppel", "-o", "x.csv"]).code, 64)

        let b = try run(["rebalance", heart, "--model", "h.doppel", "--column", "sex", "--to", "uniform", "--provenance-column", "source", "-o", "b.csv"])
        XCTAssertEqual(b.code, 0, b.err)
        let bal = try lines("b.csv")
        let sex = bal[0].firstIndex(of: "sex")!, src = bal[0].firstIndex(of: "source")!
        let women = bal.dropFirst().filter { $0[sex] == "Female" }.count, men = bal.dropFirst().filter { $0[sex] == "Male" }.count
        XCTAssertEqual(women, men)
        XCTAssertEqual(bal.dropFirst().filter { $0[src] == "real" }.count, real.rowCount)
        XCTAssertTrue(bal.dropFirst().filter { $0[src] == "synthetic" }.allSatisfy { $0[sex] == "Female" })
        for bad in [["--to", "Female=-0.2"], ["--to", "Female=0.7,Male=0.6"], ["--to", "Other=0.5"], ["--column", "age", "--to", "uniform"], ["--column", "nope", "--to", "uniform"]] {
            var args = ["rebalance", heart, "--model", "h.doppel", "-o", "x.csv"] + bad
            if !bad.contains("--column") { args += ["--column", "sex"] }
            XCTAssertEqual(try run(args).code, 64, "\(bad)")
        }

        XCTAssertEqual(try run(["sample", "h.doppel", "-n", "400", "-o", "s.csv"]).code, 0)
        let m = try run(["mix", "--real", heart, "--synthetic", "s.csv", "--synthetic-share", "0.25", "--rows", "800", "--provenance-column", "source", "-o", "m.csv"])
        XCTAssertEqual(m.code, 0, m.err)
        let mixed = try lines("m.csv")
        XCTAssertEqual(mixed.count - 1, 800)
        XCTAssertEqual(mixed.dropFirst().filter { $0.last == "synthetic" }.count, 200)
        XCTAssertEqual(try run(["mix", "--real", heart, "--synthetic", "s.csv", "--synthetic-share", "-0.1", "-o", "x.csv"]).code, 64)
        XCTAssertEqual(try run(["mix", "--real", heart, "--synthetic", "s.csv", "--synthetic-share", "0.9", "-o", "x.csv"]).code, 64, "not enough synthetic rows")
        _ = try file("other.csv", "a,b\n1,2\n")
        let mismatch = try run(["mix", "--real", heart, "--synthetic", "other.csv", "--synthetic-share", "0.5", "-o", "x.csv"])
        XCTAssertEqual(mismatch.code, 65); XCTAssertTrue(mismatch.err.contains("same columns"), mismatch.err)
    }
}
