import ArgumentParser
import Doppel
import DoppelNeural
import Foundation
#if canImport(Glibc)
import Glibc
#endif

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doppel-bench",
        abstract: "Doppel benchmarks: figures, and ratios against anchors measured in the same run.",
        discussion: "Machines are shared and noisy: each figure is the median of --repeats runs. Python anchors run only when python3 with the packages in scripts/requirements.txt is present.",
        subcommands: [CSVBench.self, CopulaBench.self, EvaluateBench.self, DeidBench.self, SynthesizersBench.self, GemmBench.self, NeuralBench.self])
}

struct Common: ParsableArguments {
    @Option(help: "Repeats per measurement (the median is reported).")
    var repeats: Int = 3
    @Option(help: "Folder for generated files.")
    var work: String = NSTemporaryDirectory() + "doppel-bench"
    @Flag(help: "Skip the Python anchors.")
    var noPython = false
}

func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }

func time(_ body: () throws -> Void) rethrows -> Double {
    let t = Date(); try body(); return Date().timeIntervalSince(t)
}

/// Runs a command, returning (seconds, stdout, peak RSS of the child in MB).
func runProcess(_ exe: String, _ args: [String]) throws -> (Double, String, Double) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.standardError
    let t = Date()
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let secs = Date().timeIntervalSince(t)
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    return (secs, String(decoding: data, as: UTF8.self), Double(usage.ru_maxrss) / 1024)
}

func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}

/// Runs a Python anchor script; returns its last JSON line, or nil with a note when it cannot run.
func pythonAnchor(_ script: String, _ args: [String]) -> [String: Any]? {
    guard let py = which("python3") else { print("  (python3 not found: anchor skipped)"); return nil }
    let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/\(script)").path
    guard FileManager.default.fileExists(atPath: scriptPath) else { print("  (\(scriptPath) missing: anchor skipped)"); return nil }
    guard let (_, out, _) = try? runProcess(py, [scriptPath] + args),
          let line = out.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
          let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        print("  (anchor \(script) failed or its Python packages are missing: see scripts/README.md)"); return nil
    }
    return obj
}

func sharedPath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/\(name)").path
}

func doppelBinary() -> String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("doppel").path
}

struct CSVBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "csv", abstract: "Read a generated 1,000,000 × 20 mixed CSV (parse, infer, type); anchor: pandas.read_csv.")
    @Option(help: "Rows to generate.") var rows: Int = 1_000_000
    @OptionGroup var common: Common

    func run() throws {
        try FileManager.default.createDirectory(atPath: common.work, withIntermediateDirectories: true)
        let path = common.work + "/mixed-\(rows).csv"
        if !FileManager.default.fileExists(atPath: path) { try BenchData.writeMixedCSV(path: path, rows: rows) }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("File: \(path) (\(rows) rows × 20 columns, \(size / 1_000_000) MB)")
        var secs: [Double] = []
        for _ in 0..<common.repeats {
            secs.append(try time { let doc = try CSVDocument(path: path); _ = try Table(document: doc, schema: SchemaInference.infer(doc)) })
        }
        var parse = 0.0, infer = 0.0, type = 0.0
        var doc: CSVDocument? = nil, schema: Schema? = nil
        parse = try time { doc = try CSVDocument(path: path) }
        infer = time { schema = SchemaInference.infer(doc!) }
        type = try time { _ = try Table(document: doc!, schema: schema!) }
        print(String(format: "  phases (one run): parse %.3f s, infer %.3f s, type %.3f s", parse, infer, type))
        let m = median(secs)
        print(String(format: "doppel read+infer+type: median %.3f s  (%.0f rows/s)", m, Double(rows) / m))
        if !common.noPython, let a = pythonAnchor("bench_pandas_csv.py", [path, "--repeats", "\(common.repeats)"]), let ps = a["median_seconds"] as? Double {
            print(String(format: "pandas.read_csv:        median %.3f s  (%.0f rows/s)", ps, Double(rows) / ps))
            print(String(format: "ratio: Doppel is %.2f× faster than pandas", ps / m))
        }
    }
}

struct CopulaBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "copula", abstract: "Fit the Gaussian copula on support2 and sample rows to a file (via the doppel CLI); anchor: SDV GaussianCopulaSynthesizer.")
    @Option(help: "Training CSV.") var data: String = sharedPath("support2.csv")
    @Option(help: "Rows to sample.") var rows: Int = 1_000_000
    @OptionGroup var common: Common

    func run() throws {
        try FileManager.default.createDirectory(atPath: common.work, withIntermediateDirectories: true)
        let exe = doppelBinary()
        guard FileManager.default.isExecutableFile(atPath: exe) else { throw ValidationError("build the doppel executable first: swift build -c release") }
        let model = common.work + "/copula.doppel", out = common.work + "/copula-sample.csv"
        var fits: [Double] = [], samples: [Double] = [], peak = 0.0
        for _ in 0..<common.repeats {
            let (f, _, _) = try runProcess(exe, ["fit", data, "--seed", "1", "-o", model])
            let (s, _, rss) = try runProcess(exe, ["sample", model, "-n", "\(rows)", "--seed", "2", "-o", out])
            fits.append(f); samples.append(s); peak = max(peak, rss)
        }
        let f = median(fits), s = median(samples)
        print("Data: \(data)")
        print(String(format: "doppel fit: median %.3f s;  sample %d rows to CSV: median %.3f s (%.0f rows/s);  fit+sample %.3f s;  peak RSS of the CLI processes %.0f MB",
                     f, rows, s, Double(rows) / s, f + s, peak))
        if !common.noPython, let a = pythonAnchor("sdv_copula_bench.py", ["--data", data, "--rows", "\(rows)", "--out", common.work + "/sdv.csv"]),
           let total = a["total_seconds"] as? Double {
            print(String(format: "SDV GaussianCopulaSynthesizer: fit %.2f s, sample %.2f s, write %.2f s, total %.2f s",
                         a["fit_seconds"] as? Double ?? .nan, a["sample_seconds"] as? Double ?? .nan, a["write_seconds"] as? Double ?? .nan, total))
            print(String(format: "ratio: Doppel fit+sample is %.1f× faster than SDV", total / (f + s)))
        }
    }
}

struct EvaluateBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate", abstract: "Full evaluation of 50,000-row train / holdout / synthetic tables resampled from support2; anchor: SDMetrics QualityReport + Anonymeter.")
    @Option(help: "Source CSV to resample.") var data: String = sharedPath("support2.csv")
    @Option(help: "Rows in each of train, holdout and synthetic.") var rows: Int = 50_000
    @Option(help: "Time one step alone instead of the whole evaluation: distances, utility or detection (no anchor).") var step: String?
    @OptionGroup var common: Common

    static let steps = ["distances", "utility", "detection"]
    func validate() throws {
        if let step, !Self.steps.contains(step) { throw ValidationError("--step: expected one of \(Self.steps.joined(separator: ", ")), got '\(step)'") }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: common.work, withIntermediateDirectories: true)
        let source = try Table.read(csv: data)
        var paths: [String] = []
        for (k, role) in ["train", "holdout"].enumerated() {
            var rng = SeededGenerator(seed: 100 + UInt64(k))
            let t = source.rows((0..<rows).map { _ in rng.nextInt(below: source.rowCount) })
            let p = common.work + "/eval-\(role).csv"
            try t.writeCSV(toPath: p); paths.append(p)
        }
        let train = try Table.read(csv: paths[0], schema: source.schema)
        let model = try GaussianCopula.fit(train, seed: 1)
        let synPath = common.work + "/eval-synthetic.csv"
        let w = try CSVWriter(path: synPath)
        try Sampling.stream(try model.sampler(), total: rows, seed: 3, to: w)
        try w.finish()
        paths.append(synPath)
        let (tr, ho, sy) = try Pipeline.readEvaluationTables(train: paths[0], holdout: paths[1], synthetic: paths[2], schemaPath: nil)
        var secs: [Double] = []
        if let step {
            let work: () throws -> Void
            switch step {
            case "distances": work = { _ = DistancePrivacy.computeWithRows(train: tr, holdout: ho, synthetic: sy, seed: 1) }
            case "utility": work = { _ = try UtilityReport.compute(train: tr, holdout: ho, synthetic: sy, target: "hospdead") }
            case "detection": work = { _ = DetectionReport.compute(real: tr, synthetic: sy, seed: 1) }
            default: return   // refused in validate()
            }
            for _ in 0..<common.repeats { secs.append(try time(work)) }
            print(String(format: "%@ alone: median %.2f s over %d (%@)", step, median(secs), secs.count, secs.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
            return
        }
        var report: EvaluationReport? = nil
        for _ in 0..<common.repeats {
            secs.append(try time {
                report = try Evaluation.run(Evaluation.Inputs(train: tr, holdout: ho, synthetic: sy, target: "hospdead",
                                                              sensitive: ["race", "sex"], quasiIdentifiers: ["age", "sex", "race"], seed: 1))
            })
        }
        let m = median(secs)
        print("Tables: \(rows) rows each (train, holdout, synthetic), \(tr.schema.columns.count) columns")
        print(String(format: "doppel full evaluation (fidelity, detection, utility ×2 learners, DCR/NNDR/MIA with exact NN on all rows, 4 risks, fairness): median %.2f s", m))
        if let r = report { print(r.timings.sorted { $0.key < $1.key }.map { String(format: "  %@ %.2f s", $0.key, $0.value) }.joined(separator: "\n")) }
        if !common.noPython, let a = pythonAnchor("bench_sdmetrics_anonymeter.py", ["--train", paths[0], "--holdout", paths[1], "--synthetic", paths[2],
                                                                             "--n-attacks", "\(RiskReport.maxAttacks)", "--max-secrets", "2", "--skip-multivariate"]),
           let total = a["total_seconds"] as? Double {
            print(String(format: "SDMetrics QualityReport + Anonymeter (univariate singling-out, linkability, inference on 2 secrets; %d attacks each): %.2f s", RiskReport.maxAttacks, total))
            print("  steps: " + a.filter { $0.key.hasSuffix("_seconds") }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
            print(String(format: "ratio: Doppel is %.1f× faster", total / m))
        }
    }
}

enum BenchData {
    /// A deterministic 20-column mixed CSV: integers, decimals, categories, booleans, dates, missing values, quoted text.
    static func writeMixedCSV(path: String, rows: Int) throws {
        let w = try CSVWriter(path: path)
        let header = (0..<20).map { k -> String in ["int", "dec", "cat", "bool", "date"][k % 5] + "\(k / 5)" }
        try w.write(Array((header.joined(separator: ",") + "\n").utf8))
        var rng = SeededGenerator(seed: 1)
        let cats = ["alpha", "beta", "gamma", "delta", "\"quoted, value\"", "epsilon"]
        var line: [UInt8] = []
        for _ in 0..<rows {
            line.removeAll(keepingCapacity: true)
            for k in 0..<20 {
                if k > 0 { line.append(0x2C) }
                if rng.nextUniform() < 0.03 { continue }    // missing
                switch k % 5 {
                case 0: line += Array(String(rng.nextInt(below: 100_000)).utf8)
                case 1: CSVWriter.appendNumber(rng.nextNormal() * 50 + 100, decimals: 3, to: &line)
                case 2: line += Array(cats[rng.nextInt(below: cats.count)].utf8)
                case 3: line += Array((rng.nextUniform() < 0.5 ? "true" : "false").utf8)
                default:
                    let (y, m, d) = CivilDate.civilFromDays(15000 + rng.nextInt(below: 5000))
                    line += Array(String(format: "%04d-%02d-%02d", y, m, d).utf8)
                }
            }
            line.append(0x0A)
            try w.write(line)
        }
        try w.finish()
    }
}

struct DeidBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deid", abstract: "Scan and de-identify a generated table with identifiers of every kind and a free-text note; anchor: reading and rewriting the same CSV unchanged (the I/O floor), in the same run.")
    @Option(help: "Rows to generate.") var rows: Int = 1_000_000
    @OptionGroup var common: Common

    func run() throws {
        try FileManager.default.createDirectory(atPath: common.work, withIntermediateDirectories: true)
        let path = common.work + "/phi-\(rows).csv"
        if !FileManager.default.fileExists(atPath: path) {
            let w = try CSVWriter(path: path)
            var written = 0, part: UInt64 = 0
            while written < rows {
                let n = min(50_000, rows - written)
                var bytes = PHIFixture.generate(rows: n, seed: 100 + part, narrow: true).csv
                if written > 0 { bytes.removeSubrange(0...bytes.firstIndex(of: 10)!) }
                try w.write(bytes)
                written += n; part += 1
            }
            try w.finish()
        }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let doc = try CSVDocument(path: path)
        print("File: \(path) (\(doc.rowCount) rows × \(doc.columnCount) columns, \(size / 1_000_000) MB)")
        let key = try DeidKey(material: Array("a3f1c9e7b5d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c3e1b9d7f5a3c1e9b7d5f3a1".utf8))
        var copy: [Double] = [], scan: [Double] = [], deid: [Double] = []
        let out = common.work + "/phi-deid.csv"
        for _ in 0..<common.repeats {
            copy.append(try time {
                let d = try CSVDocument(path: path)
                let w = try CSVWriter(path: out)
                try w.writeRow(d.header)
                var buf: [UInt8] = []
                d.withFields { fa in
                    for i in 0..<d.rowCount {
                        for j in 0..<d.columnCount { if j > 0 { buf.append(44) }; fa.with(i, j) { CSVWriter.appendField(bytes: $0, to: &buf) } }
                        buf.append(10)
                        if buf.count > 1 << 20 { try? w.write(buf); buf.removeAll(keepingCapacity: true) }
                    }
                }
                try w.write(buf)
                try w.finish()
            })
            scan.append(try time { _ = try IdentifierScan.scan(try CSVDocument(path: path)) })
            deid.append(try time { _ = try Deidentifier.run(input: path, output: out, key: key, options: DeidOptions()) })
        }
        let c = median(copy), s = median(scan), d = median(deid)
        print(String(format: "read + rewrite unchanged (anchor): median %.2f s  (%.0f rows/s)", c, Double(doc.rowCount) / c))
        print(String(format: "doppel scan:                      median %.2f s  (%.0f rows/s)", s, Double(doc.rowCount) / s))
        print(String(format: "doppel deid (scan + transform):   median %.2f s  (%.0f rows/s), %.1f× the I/O floor", d, Double(doc.rowCount) / d, d / c))
    }
}

/// Quality, utility and privacy of every synthesizer on the shared datasets, in one table.
struct SynthesizersBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "synthesizers",
        abstract: "Each synthesizer on each shared dataset (80/20 split): fit time, Quality score, detection AUC, TSTR/TRTR AUC, DCR share, membership AUC.",
        discussion: "One fit per cell (seeded); fit time is the median of --repeats fits.")
    @Option(help: "Datasets as file:target, comma-separated (files under ../shared/data).")
    var datasets: String = "pbc_mayo.csv:status,heart_disease_uci.csv:num,support2.csv:hospdead,thyroid0387.csv:target,gbsg_lymph_node_dates.csv:censdead,covid_testing_chop.csv:result"
    @Option(help: "Synthesizers, comma-separated; privbayes:E is the Bayesian network with ε = E; mst:E, aim:E, tvae:E, ctgan:E are MST, AIM, DP-TVAE, DP-CTGAN with ε = E and δ = 1e-9, or δ = D with name:E:D.")
    var synthesizers: String = "gaussian-copula,bayesian-network,cart,privbayes:1,mst:1"
    @Option(help: "Seed of the split, fits and samples.")
    var seed: UInt64 = 1
    @Option(help: "tvae, ctgan: training epochs (default 300, as SDV).")
    var epochs: Int = 300
    @OptionGroup var common: Common

    func run() throws {
        print("| dataset | synthesizer | fit s | quality | shapes | pair trends | detection AUC | TSTR AUC | TRTR AUC | TSTR/TRTR | DCR share | MIA AUC |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for item in datasets.split(separator: ",") {
            let parts = item.split(separator: ":").map(String.init)
            let path = sharedPath(parts[0])
            guard FileManager.default.fileExists(atPath: path) else { print("| \(parts[0]) | (missing) |"); continue }
            let full = try Table.read(csv: path)
            var schema = full.schema
            if parts.count > 1, let t = schema.index(of: parts[1]) { schema.columns[t].roles.append(.target) }
            let table = Table(schema: schema, columns: full.columns)
            let (train, holdout) = table.split(fraction: 0.8, seed: seed)
            // the split, for anchors run outside (scripts/bench_smartnoise.py)
            try FileManager.default.createDirectory(atPath: common.work, withIntermediateDirectories: true)
            for (t, role) in [(train, "train"), (holdout, "holdout")] {
                let w = try CSVWriter(path: "\(common.work)/\(parts[0].replacingOccurrences(of: ".csv", with: "")).\(role).csv")
                try t.writeCSV(to: w); try w.finish()
            }
            for name in synthesizers.split(separator: ",").map(String.init) {
                var options = FitOptions()
                options.neural.epochs = epochs
                var kindName = name
                if name.hasPrefix("privbayes:") { kindName = "bayesian-network"; options.epsilon = Double(name.dropFirst(10)) }
                if name.contains(":"), !name.hasPrefix("privbayes:") {
                    // name:ε or name:ε:δ (δ defaults to 1e-9)
                    let f = name.split(separator: ":").map(String.init)
                    kindName = f[0]; options.epsilon = Double(f[1]); options.delta = f.count > 2 ? Double(f[2]) : 1e-9
                }
                let kind = try SynthesizerKind.parse(kindName)
                var model: FittedModel? = nil
                var secs: [Double] = []
                for _ in 0..<common.repeats { secs.append(try time { model = try FittedModel.fit(kind, table: train, seed: seed, options: options).0 }) }
                let synthetic = Sampling.table(try model!.sampler(conditions: []), total: train.rowCount, seed: seed &+ 7)
                let r = try Evaluation.run(Evaluation.Inputs(train: train, holdout: holdout, synthetic: synthetic, target: parts.count > 1 ? parts[1] : nil,
                                                             sensitive: [], quasiIdentifiers: [], seed: seed))
                func f(_ v: Double?) -> String { v.map { $0.isNaN ? "–" : String(format: "%.3f", $0) } ?? "–" }
                let tstr = r.utility?.tstr.first?.auc, trtr = r.utility?.trtr.first?.auc
                print("| \(parts[0].replacingOccurrences(of: ".csv", with: "")) | \(name) | \(String(format: "%.3f", median(secs))) | \(f(r.quality.score)) | \(f(r.quality.columnShapes)) | \(f(r.quality.columnPairTrends)) | \(f(r.detection.auc)) | \(f(tstr)) | \(f(trtr)) | \(f(r.utility?.ratio)) | \(f(r.privacy.dcrShare.value)) | \(f(r.privacy.membershipInferenceAUC)) |")
            }
        }
    }
}
