import XCTest
import Foundation

/// The synthesizers of issue #4 from the command line: fit, save, load, sample, conditions, budgets.
extension CLITests {
    func testEverySynthesizerFitsSamplesAndServesConditions() throws {
        for spec in [["bayesian-network"], ["cart"], ["bayesian-network", "--epsilon", "2"], ["mst", "--epsilon", "2", "--delta", "1e-9"], ["aim", "--epsilon", "3"],
                     ["tvae", "--epochs", "3"], ["tvae", "--epochs", "2", "--epsilon", "3", "--delta", "1e-6"],
                     ["ctgan", "--epochs", "3", "--layers", "64,64"]] {
            let model = "m-\(spec.joined(separator: "-")).doppel"
            let fit = try run(["fit", heart, "--synthesizer"] + spec + ["--seed", "1", "-o", model])
            XCTAssertEqual(fit.code, 0, fit.err)
            let a = try run(["sample", model, "-n", "300", "--seed", "2", "-o", "-"])
            XCTAssertEqual(a.code, 0, a.err)
            XCTAssertEqual(a.out, try run(["sample", model, "-n", "300", "--seed", "2", "-o", "-"]).out)
            XCTAssertEqual(a.out.split(separator: "\n").count, 301)
            let cond = try run(["sample", model, "-n", "200", "--where", "sex=Female,age>=60", "-o", "-"])
            XCTAssertEqual(cond.code, 0, cond.err)
            let rows = cond.out.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            let header = cond.out.split(separator: "\n")[0].split(separator: ",")
            let sex = header.firstIndex(of: "sex")!, age = header.firstIndex(of: "age")!
            XCTAssertEqual(rows.count, 200)
            XCTAssertTrue(rows.allSatisfy { $0[sex] == "Female" && Double($0[age])! >= 60 }, spec.joined(separator: " "))
        }
    }

    func testPrivateFitsRecordTheirLedger() throws {
        let r = try run(["fit", heart, "--synthesizer", "mst", "--epsilon", "1", "-o", "mst.doppel"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.err.contains("not covered by ε"), r.err)               // inferred domain: said loudly
        XCTAssertTrue(r.err.contains("ε = 1"), r.err)
        let body = try String(contentsOf: work.appendingPathComponent("mst.doppel"), encoding: .utf8)
        XCTAssertTrue(body.contains("\"accounting\":\"zCDP\""))
        XCTAssertTrue(body.contains("spanning-tree edge"))
        XCTAssertTrue(body.contains("not covered by"))
        // `inspect` on the model file reads the ledger back, step by step; roles belong to fitting
        let shown = try run(["inspect", "mst.doppel"])
        XCTAssertEqual(shown.code, 0, shown.err)
        XCTAssertTrue(shown.out.contains("synthesizer mst") && shown.out.contains("920 rows"), shown.out)
        XCTAssertTrue(shown.out.contains("(ε = 1, δ = ") && shown.out.contains("spanning-tree edge"), shown.out)
        let roles = try run(["inspect", "mst.doppel", "--target", "num"])
        XCTAssertEqual(roles.code, 64)
        XCTAssertTrue(roles.err.contains("is a model file"), roles.err)

        let t = try run(["fit", heart, "--synthesizer", "tvae", "--epochs", "2", "--epsilon", "2", "--delta", "1e-6", "-o", "tvae.doppel"])
        XCTAssertEqual(t.code, 0, t.err)
        let tbody = try String(contentsOf: work.appendingPathComponent("tvae.doppel"), encoding: .utf8)
        XCTAssertTrue(tbody.contains("\"accounting\":\"RDP\""))
        XCTAssertTrue(tbody.contains("DP-SGD"))
        // The ledger line names δ as δ, and the HTML report does not round δ = 1e-6 to 0.
        let ti = try run(["inspect", "tvae.doppel"])
        XCTAssertTrue(ti.out.contains("(this entry alone, at δ = 1e-06)"), ti.out)
        _ = try run(["sample", "tvae.doppel", "-n", "300", "-o", "tvae.csv"])
        XCTAssertEqual(try run(["split", heart, "--train", "tr.csv", "--holdout", "ho.csv"]).code, 0)
        let ev = try run(["evaluate", "--train", "tr.csv", "--holdout", "ho.csv", "--synthetic", "tvae.csv", "--model", "tvae.doppel", "-o", "tvae-eval"])
        XCTAssertTrue([0, 3].contains(ev.code), ev.err)
        let html = try String(contentsOf: work.appendingPathComponent("tvae-eval/report.html"), encoding: .utf8)
        XCTAssertTrue(html.contains("δ = 1e-06"), "HTML report shows δ")
    }

    func testNonsenseBudgetsAndInapplicableOptionsAreRefused() throws {
        for args in [["--synthesizer", "cart", "--epsilon", "1"],
                     ["--synthesizer", "bayesian-network", "--epsilon", "0"],
                     ["--synthesizer", "bayesian-network", "--epsilon=-1"],
                     ["--synthesizer", "mst"],
                     ["--synthesizer", "aim", "--epsilon", "1", "--delta", "1"],
                     ["--synthesizer", "mst", "--epsilon", "1", "--delta", "0.01"],
                     ["--synthesizer", "bayesian-network", "--epsilon", "1", "--delta", "1e-9"],
                     ["--synthesizer", "cart", "--degree", "3"],
                     ["--synthesizer", "gaussian-copula", "--min-leaf", "20"],
                     ["--synthesizer", "bayesian-network", "--degree", "0"],
                     ["--synthesizer", "cart", "--visit-order", "nope"],
                     ["--synthesizer", "cart", "--epochs", "3"],
                     ["--synthesizer", "ctgan", "--epsilon", "1", "--delta", "0.5"],
                     ["--synthesizer", "ctgan", "--batch-size", "55"],
                     ["--synthesizer", "tvae", "--max-grad-norm", "2"],
                     ["--synthesizer", "tvae", "--epochs", "0"],
                     ["--synthesizer", "tvae", "--layers", "a,b"],
                     ["--synthesizer", "tvae", "--epsilon", "0"],
                     ["--synthesizer", "tvae", "--epsilon", "1", "--delta", "0.01"],
                     ["--synthesizer", "tvae", "--delta", "1e-6"],
                     ["--synthesizer", "tvae", "--epsilon", "-1"],
                     ["--synthesizer", "mst", "--epsilon", "1", "--delta", "-1e-9"],
                     ["--synthesizer", "tvae", "--learning-rate", "-1"],
                     ["--synthesizer", "tvae", "--layers", "128,,128"],
                     ["--synthesizer", "tvae", "--layers", "100000000000"],
                     ["--synthesizer", "tvae", "--layers", "8000,8000,8000,8000"],
                     ["--synthesizer", "ctgan", "--embedding-dim", "100000000000"],
                     ["--synthesizer", "ctgan", "--batch-size", "100000000000"],
                     ["--synthesizer", "ctgan", "--patience", "10"],
                     ["--synthesizer", "cart", "--patience", "10"],
                     ["--synthesizer", "tvae", "--patience", "0"],
                     ["--synthesizer", "tvae", "--patience", "10", "--epsilon", "1"]] {
            let r = try run(["fit", heart] + args + ["-o", "x.doppel"])
            XCTAssertEqual(r.code, 64, "\(args): \(r.err)")
            XCTAssertTrue(r.err.contains("error"), r.err)
            if args.contains(where: { $0.hasPrefix("-1") }) { XCTAssertTrue(r.err.contains("(got -1"), "a negative budget is named: \(r.err)") }
            // The warning about what ε covers comes after a fit, never before a refusal.
            XCTAssertFalse(r.err.contains("warning"), "a refused fit comes without warnings: \(r.err)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("x.doppel").path))
        }
    }

    /// `--patience` on the CLI: the fit says where it stopped and which epoch it kept.
    func testEarlyStoppingIsReported() throws {
        let r = try run(["fit", heart, "--synthesizer", "tvae", "--epochs", "400", "--patience", "3", "--layers", "32,32", "--embedding-dim", "8", "--learning-rate", "5e-3", "--seed", "3", "-o", "es.doppel"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.err.contains("Stopped early after epoch") && r.err.contains("of 400") && r.err.contains("kept epoch"), r.err)
        XCTAssertTrue(r.err.contains("92 rows held out"), "a tenth of heart's 920 rows: \(r.err)")
        let inspect = try run(["inspect", "es.doppel"])
        XCTAssertTrue(inspect.out.contains("training: early stopping (patience 3) kept epoch"), inspect.out)
    }

    /// `--where` given twice applies both conditions (it used to keep the last one only), and a numeric
    /// `--target` for ctgan is named in a warning (it conditions on categorical targets only).
    func testRepeatedWhereAndNumericCTGANTarget() throws {
        XCTAssertEqual(try run(["fit", heart, "--seed", "1", "-o", "gc.doppel"]).code, 0)
        let r = try run(["sample", "gc.doppel", "-n", "200", "--where", "sex=Female", "--where", "age>=60", "--seed", "2", "-o", "both.csv"])
        XCTAssertEqual(r.code, 0, r.err)
        let lines = try String(contentsOf: work.appendingPathComponent("both.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let header = lines[0].map(String.init)
        let sex = try XCTUnwrap(header.firstIndex(of: "sex")), age = try XCTUnwrap(header.firstIndex(of: "age"))
        XCTAssertEqual(lines.count, 201)
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0[sex] == "Female" && Double($0[age])! >= 60 }, "both conditions hold in every row")
        let fit = try run(["fit", heart, "--synthesizer", "ctgan", "--epochs", "1", "--target", "age", "-o", "ct.doppel"])
        XCTAssertEqual(fit.code, 0, fit.err)
        XCTAssertTrue(fit.err.contains("warning: ctgan conditions only on a categorical target; 'age' is a numeric column"), fit.err)
    }

    /// Warnings after a fit: a batch no smaller than the table (what each synthesizer then does), a column
    /// whose one non-number made inference give up on numbers, and the Rényi ledger's per-entry ε.
    func testWarningsAfterAFit() throws {
        for (args, says) in [(["--synthesizer", "tvae"], "each epoch is one step on all of them"),
                             (["--synthesizer", "ctgan"], "each step still draws 1000 rows, with repeats"),
                             (["--synthesizer", "ctgan", "--epsilon", "1"], "every row is in every step's batch (a sampling rate of 1")] {
            let r = try run(["fit", heart, "--epochs", "1", "--batch-size", "1000", "-o", "big.doppel"] + args)
            XCTAssertEqual(r.code, 0, r.err)
            XCTAssertTrue(r.err.contains("warning: --batch-size 1000 is not below the 920 training rows: " + says), r.err)
        }
        let inspect = try run(["inspect", "big.doppel"])
        XCTAssertTrue(inspect.out.contains("(Rényi accounting: each entry's ε is what that entry would cost on its own"), inspect.out)
        XCTAssertFalse(try run(["fit", heart, "--synthesizer", "tvae", "--epochs", "1", "-o", "small.doppel"]).err.contains("--batch-size"))
        let csv = (["age,chol"] + (0..<30).map { "\(30 + $0 % 40),\($0 == 17 ? "abc" : String(150 + 3 * $0))" }).joined(separator: "\n") + "\n"
        try csv.write(to: work.appendingPathComponent("stray.csv"), atomically: true, encoding: .utf8)
        let r = try run(["fit", "stray.csv", "-o", "stray.doppel"])
        XCTAssertEqual(r.code, 0, r.err)
        XCTAssertTrue(r.err.contains("warning: column 'chol' was inferred as an identifier column: 97% of values are numbers and 1 value is not (the first on line 19)"), r.err)
        XCTAssertFalse(r.err.contains("abc"), "the value itself stays out of the message")
        // inspect reads a .doppel file as a model even when its header is damaged.
        let junk = try file("junk.doppel", "age,chol\n1,2\n")
        let i = try run(["inspect", junk])
        XCTAssertEqual(i.code, 65, i.err)
        XCTAssertTrue(i.err.contains("not a Doppel model file"), i.err)
    }

    /// Inputs from a first trial on unseen tables: names and e-mail addresses repeated over visits under
    /// names that say nothing become identifiers through the value scan (so none reaches the synthetic
    /// rows); one row is refused; a small table gets a warning; AIM refuses more than 100 columns.
    func testIdentifiersFoundByValueOneRowAndWideAIM() throws {
        let first = ["Maria", "James", "Olivia", "Robert", "Linda", "Michael", "Susan", "David", "Karen", "Thomas"]
        let last = ["Garcia", "Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Moore", "Taylor", "Clark"]
        var lines = ["who,contact,sbp"]
        for i in 0..<300 { let p = i % 100; lines.append("\(first[p % 10]) \(last[p / 10]),\(first[p % 10].lowercased()).\(last[p / 10].lowercased())@example.org,\(100 + i % 70)") }
        let csv = try file("visits.csv", lines.joined(separator: "\n") + "\n")
        let inspect = try run(["inspect", csv])
        XCTAssertTrue(inspect.out.contains("Identifiers found (never modelled; regenerated as fresh values): who (person-name), contact (email)"), inspect.out)
        XCTAssertEqual(try run(["fit", csv, "--synthesizer", "cart", "-o", "v.doppel"]).code, 0)
        XCTAssertEqual(try run(["sample", "v.doppel", "-n", "300", "-o", "v.csv"]).code, 0)
        let out = try String(contentsOf: work.appendingPathComponent("v.csv"), encoding: .utf8)
        XCTAssertFalse(out.contains("@example.org") || last.contains { out.contains($0) }, "real names or e-mails in the synthetic rows")

        let one = try file("one.csv", "age,sex\n61,F\n")
        let r = try run(["fit", one, "-o", "one.doppel"])
        XCTAssertEqual(r.code, 65, r.err); XCTAssertTrue(r.err.contains("1 row: a synthesizer needs at least 2"), r.err)
        let small = try run(["fit", try file("small.csv", "age,sex\n61,F\n70,M\n55,F\n"), "-o", "small.doppel"])
        XCTAssertEqual(small.code, 0, small.err)
        XCTAssertTrue(small.err.contains("warning: only 3 training rows: synthetic rows will often repeat real ones"), small.err)

        // a sentinel stretches the inferred bounds: a private fit says so (its bins would be coarse)
        let sentinel = try file("sentinel.csv", (["hba1c,sex"] + (0..<200).map { "\($0 == 7 ? "99999" : String(5 + Double($0 % 30) / 10)),\($0 % 2 == 0 ? "F" : "M")" }).joined(separator: "\n") + "\n")
        let m = try run(["fit", sentinel, "--synthesizer", "mst", "--epsilon", "1", "-o", "s.doppel"])
        XCTAssertEqual(m.code, 0, m.err)
        XCTAssertTrue(m.err.contains("warning: column 'hba1c': its range 5.0–99999.0 is over 50 times the span of its middle 98% (5.0–7.9)"), m.err)

        let header = (0..<101).map { "c\($0)" }.joined(separator: ",")
        let wide = try file("wide.csv", ([header] + (0..<30).map { i in (0..<101).map { "\(($0 + i) % 3)" }.joined(separator: ",") }).joined(separator: "\n") + "\n")
        let a = try run(["fit", wide, "--synthesizer", "aim", "--epsilon", "1", "-o", "w.doppel"])
        XCTAssertEqual(a.code, 65, a.err); XCTAssertTrue(a.err.contains("aim models at most 100 columns and this table has 101"), a.err)
    }
}
