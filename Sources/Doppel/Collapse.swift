import Foundation

/// Model collapse: refit a synthesizer on its own output, generation after generation, and measure
/// how fidelity and utility drift against the real data ("a photocopy of a photocopy").
public enum Collapse {
    public struct Generation: Codable, Sendable {
        public var generation: Int
        /// Quality score (SDMetrics definition) of this generation against the real training rows.
        public var quality: Double
        public var columnShapes: Double
        public var columnPairTrends: Double
        /// TSTR ROC AUC (logistic regression) on the real holdout, when a categorical target is given.
        public var tstrAUC: Double?
        /// Categories of the real training data still present in this generation (share, over all categorical columns).
        public var categoryCoverage: Double
    }

    public struct Report: Codable, Sendable {
        public var synthesizer: String
        public var seed: UInt64
        public var rows: Int
        public var target: String?
        /// TRTR ROC AUC: the learner trained on the real training rows.
        public var trtrAUC: Double?
        public var generations: [Generation]
    }

    /// Splits `table` 80/20, then for each generation fits on the previous one (generation 0 = the real
    /// training rows) and samples as many rows.
    public static func run(_ table: Table, kind: SynthesizerKind, generations: Int, seed: UInt64, target: String?,
                           progress: (Int) -> Void = { _ in }) throws -> Report {
        guard generations >= 1 else { throw DoppelError.usage(message: "--generations must be at least 1") }
        if let t = target, table.schema.index(of: t) == nil {
            throw DoppelError.usage(message: "--target: no column '\(t)'")
        }
        let (train, holdout) = table.split(fraction: 0.8, seed: seed)
        var current = train
        var out: [Generation] = []
        var trtr: Double? = nil
        func auc(_ t: Table) throws -> Double? {
            guard let target else { return nil }
            return try UtilityReport.compute(train: t, holdout: holdout, synthetic: t, target: target).tstr.first?.auc
        }
        trtr = try auc(train)
        for g in 0...generations {
            let q = QualityReport.compute(real: train, synthetic: current)
            let cov = q.coverage.filter { name, _ in train.schema[name]?.kind == .categorical }.map(\.value)
            out.append(Generation(generation: g, quality: q.score, columnShapes: q.columnShapes, columnPairTrends: q.columnPairTrends,
                                  tstrAUC: try auc(current), categoryCoverage: cov.isEmpty ? 1 : cov.reduce(0, +) / Double(cov.count)))
            progress(g)
            if g == generations { break }
            let model = try FittedModel.fit(kind, table: current, seed: seed &+ UInt64(g))
            current = Sampling.table(try model.sampler(conditions: []), total: train.rowCount, seed: seed &+ 1000 &+ UInt64(g))
        }
        return Report(synthesizer: kind.rawValue, seed: seed, rows: train.rowCount, target: target, trtrAUC: trtr, generations: out)
    }

    /// A self-contained HTML page with the drift plot.
    public static func html(_ r: Report) -> String {
        let w = 560.0, h = 300.0, left = 50.0, bottom = 40.0, top = 20.0
        let n = max(r.generations.count - 1, 1)
        func x(_ g: Int) -> Double { left + (w - left - 20) * Double(g) / Double(n) }
        func y(_ v: Double) -> Double { top + (h - top - bottom) * (1 - v) }
        func line(_ values: [Double?], _ color: String) -> String {
            let pts = values.enumerated().compactMap { g, v in v.map { "\(String(format: "%.1f", x(g))),\(String(format: "%.1f", y($0)))" } }
            return "<polyline points=\"\(pts.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                + values.enumerated().compactMap { g, v in v.map { "<circle cx=\"\(String(format: "%.1f", x(g)))\" cy=\"\(String(format: "%.1f", y($0)))\" r=\"3\" fill=\"\(color)\"/>" } }.joined()
        }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"11\">"
        for t in stride(from: 0.0, through: 1.0, by: 0.25) {
            svg += "<line x1=\"\(left)\" y1=\"\(y(t))\" x2=\"\(w - 20)\" y2=\"\(y(t))\" stroke=\"#ddd\"/><text x=\"\(left - 6)\" y=\"\(y(t) + 4)\" text-anchor=\"end\">\(t)</text>"
        }
        for g in r.generations { svg += "<text x=\"\(x(g.generation))\" y=\"\(h - bottom + 16)\" text-anchor=\"middle\">\(g.generation)</text>" }
        svg += "<text x=\"\((w + left) / 2)\" y=\"\(h - 6)\" text-anchor=\"middle\">generation (0 = real training data)</text>"
        svg += line(r.generations.map { $0.quality }, "#1f77b4")
        svg += line(r.generations.map { $0.tstrAUC }, "#ff7f0e")
        svg += line(r.generations.map { $0.categoryCoverage }, "#2ca02c")
        svg += "</svg>"
        var rows = ""
        for g in r.generations {
            rows += "<tr><td>\(g.generation)</td><td>\(String(format: "%.3f", g.quality))</td><td>\(String(format: "%.3f", g.columnShapes))</td><td>\(String(format: "%.3f", g.columnPairTrends))</td><td>\(g.tstrAUC.map { String(format: "%.3f", $0) } ?? "–")</td><td>\(String(format: "%.3f", g.categoryCoverage))</td></tr>"
        }
        return """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Doppel model collapse</title>
        <style>body{font-family:system-ui,sans-serif;margin:24px;color:#1d2430}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d9dee7;padding:4px 8px}th{background:#eef1f6}
        .k span{margin-right:16px;font-size:13px}.k i{display:inline-block;width:10px;height:10px;margin-right:4px}</style></head><body>
        <h1>Model collapse: \(r.synthesizer), refitted on its own output</h1>
        <p>Each generation is fitted on the previous generation's \(r.rows) synthetic rows and judged against the real training rows (quality) and the real holdout (TSTR\(r.target.map { " on \($0)" } ?? "")). TRTR AUC on real data: \(r.trtrAUC.map { String(format: "%.3f", $0) } ?? "–").</p>
        <div class="k"><span><i style="background:#1f77b4"></i>quality score</span><span><i style="background:#ff7f0e"></i>TSTR ROC AUC</span><span><i style="background:#2ca02c"></i>category coverage</span></div>
        \(svg)
        <table><tr><th>generation</th><th>quality</th><th>column shapes</th><th>pair trends</th><th>TSTR AUC</th><th>category coverage</th></tr>\(rows)</table>
        </body></html>
        """
    }
}
