import ArgumentParser
import Doppel
import DoppelNeural
import DoppelMath
import DoppelKernels
import Foundation

private typealias Matrix = DoppelNeural.Matrix

/// The GEMM register tile Doppel's products use on this CPU (the figures depend on it).
func gemmTile() -> String { String(cString: doppel_sgemm_tile()) }

/// GEMM throughput for the shapes of MLP training, against numpy/OpenBLAS single-threaded.
struct GemmBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm",
        abstract: "Single-threaded sgemm GFLOP/s for batch-500 MLP shapes (forward nn, weight-gradient tn, input-gradient nt); anchor: numpy/OpenBLAS with 1 thread (scripts/bench_gemm.py).")
    @Option(help: "Layer shapes as in:out, comma-separated.")
    var shapes: String = "128:128,256:256,512:512,128:512,512:128,300:128,128:300,300:256"
    @Option(help: "Rows per batch.")
    var batch: Int = 500
    @Flag(help: "Stand in for a CPU without AVX-512: Doppel on its 6×16 AVX2 tile, and the OpenBLAS anchor on its Haswell (AVX2) kernel.")
    var avx2Only = false
    @OptionGroup var common: Common

    func run() throws {
        if avx2Only { doppel_sgemm_allow_avx512(0) }
        print("Doppel's register tile: \(gemmTile())")
        let pairs = shapes.split(separator: ",").compactMap { p -> (Int, Int)? in
            let f = p.split(separator: ":").compactMap { Int($0) }
            return f.count == 2 ? (f[0], f[1]) : nil
        }
        var anchor: [String: Double] = [:]
        if !common.noPython {
            try FileManager.default.createDirectory(atPath: common.work, withIntermediateDirectories: true)
            let out = common.work + "/gemm-anchor.json"
            if pythonAnchor("bench_gemm.py", ["--repeats", "\(max(common.repeats, 3))", "--threads", "1", "--batch", "\(batch)",
                                              "--coretype", avx2Only ? "Haswell" : "auto",
                                              "--shapes", pairs.map { "\($0.0):\($0.1)" }.joined(separator: ","), "--out", out]) != nil,
               let data = FileManager.default.contents(atPath: out),
               let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let rows = obj["rows"] as? [[String: Any]] {
                for r in rows {
                    if let i = r["in"] as? Int, let o = r["out"] as? Int, let f = r["form"] as? String, let g = r["gflops"] as? Double { anchor["\(i):\(o):\(f)"] = g }
                }
            }
        }
        print("| in | out | form | M×N×K | Doppel GFLOP/s | numpy/OpenBLAS GFLOP/s | ratio |")
        print("|---|---|---|---|---|---|---|")
        var ratios: [Double] = []
        var rng = SeededGenerator(seed: 1)
        func random(_ r: Int, _ c: Int) -> Matrix {
            var m = Matrix(rows: r, cols: c)
            for i in 0..<m.count { m.values[i] = Float(rng.nextUniform() - 0.5) }
            return m
        }
        for (inputs, outputs) in pairs {
            let x = random(batch, inputs), w = random(inputs, outputs), g = random(batch, outputs)
            for form in ["nn", "tn", "nt"] {
                var c = Matrix(rows: 0, cols: 0)
                let (m, n, k): (Int, Int, Int)
                let op: () -> Void
                switch form {
                case "nn": (m, n, k) = (batch, outputs, inputs); op = { Matrix.gemm(x, w, into: &c) }
                case "tn": (m, n, k) = (inputs, outputs, batch); op = { Matrix.gemm(x, transposeA: true, g, into: &c) }
                default: (m, n, k) = (batch, inputs, outputs); op = { Matrix.gemm(g, w, transposeB: true, into: &c) }
                }
                op()
                var inner = 1
                while time(op) * Double(inner) < 0.02 { inner *= 2 }
                var secs: [Double] = []
                for _ in 0..<max(common.repeats, 3) { secs.append(time { for _ in 0..<inner { op() } } / Double(inner)) }
                let gf = 2 * Double(m * n * k) / median(secs) / 1e9
                let a = anchor["\(inputs):\(outputs):\(form)"]
                if let a { ratios.append(gf / a) }
                print("| \(inputs) | \(outputs) | \(form) | \(m)×\(n)×\(k) | \(String(format: "%.1f", gf)) | \(a.map { String(format: "%.1f", $0) } ?? "–") | \(a.map { String(format: "%.2f", gf / $0) } ?? "–") |")
            }
        }
        if !ratios.isEmpty { print(String(format: "median ratio Doppel / OpenBLAS: %.2f (min %.2f, max %.2f)", median(ratios), ratios.min()!, ratios.max()!)) }
    }
}

/// Seconds per training epoch of TVAE and CTGAN on support2 with SDV's default architecture and batch
/// size; anchor: SDV's TVAE/CTGAN (scripts/bench_sdv_neural.py) on the same file.
struct NeuralBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "neural",
        abstract: "TVAE and CTGAN seconds per epoch on support2 (SDV defaults), as (t(b epochs) − t(a epochs))/(b − a); anchor: SDV TVAE/CTGAN on PyTorch CPU, same method.")
    @Option(help: "CSV to train on (default ../shared/data/support2.csv).")
    var data: String?
    @Option(help: "Synthesizers, comma-separated.")
    var synthesizers: String = "tvae,ctgan"
    @Option(name: .customLong("epochs-a")) var epochsA: Int = 2
    @Option(name: .customLong("epochs-b")) var epochsB: Int = 6
    @Flag(help: "Stand in for a CPU without AVX-512: Doppel on its 6×16 AVX2 tile, and SDV's PyTorch, MKL and oneDNN held to AVX2 (the script's --isa avx2).")
    var avx2Only = false
    @OptionGroup var common: Common

    func run() throws {
        if avx2Only { doppel_sgemm_allow_avx512(0) }
        print("Doppel's register tile: \(gemmTile())")
        let path = data ?? sharedPath("support2.csv")
        let table = try Table.read(csv: path)
        var mine: [String: Double] = [:]
        for name in synthesizers.split(separator: ",").map(String.init) {
            let kind = try SynthesizerKind.parse(name)
            func fitSeconds(_ epochs: Int) throws -> Double {
                var o = FitOptions(); o.neural.epochs = epochs
                return try time { _ = try FittedModel.fit(kind, table: table, seed: 1, options: o) }
            }
            var perEpoch: [Double] = []
            for _ in 0..<common.repeats { perEpoch.append((try fitSeconds(epochsB) - fitSeconds(epochsA)) / Double(epochsB - epochsA)) }
            mine[name] = median(perEpoch)
            print(String(format: "Doppel %@: %.3f s/epoch (median of %d; %d rows)", name, median(perEpoch), common.repeats, table.rowCount))
        }
        guard !common.noPython else { return }
        try FileManager.default.createDirectory(atPath: common.work, withIntermediateDirectories: true)   // the script writes its JSON there
        let names = synthesizers.split(separator: ",").map { $0.uppercased() }
        if let a = pythonAnchor("bench_sdv_neural.py", ["--data", path, "--synthesizers", synthesizers, "--epochs-a", "\(epochsA)", "--epochs-b", "\(epochsB)",
                                                        "--isa", avx2Only ? "avx2" : "native", "--out", common.work + "/sdv-neural.json"]),
           let summary = a["summary"] as? [String: Any] {
            if let isa = summary["isa"] as? [String: Any], let cap = isa["torch_cpu_capability"] as? String { print("SDV's PyTorch CPU capability: \(cap)") }
            let train = summary["per_epoch_seconds_train_only"] as? [String: Double] ?? [:]
            let whole = summary["per_epoch_seconds"] as? [String: Double] ?? [:]
            for n in names {
                let m = mine[n.lowercased()] ?? .nan
                if let t = train[n] { print(String(format: "SDV %@: %.3f s/epoch (training only), %.3f s/epoch (fit difference); Doppel is %.1f× faster per epoch", n, t, whole[n] ?? .nan, t / m)) }
            }
        }
    }
}
