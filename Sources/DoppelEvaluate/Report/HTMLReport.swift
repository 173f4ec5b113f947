import DoppelData
import Foundation

/// Renders an ``EvaluationReport`` as one self-contained HTML page (inline CSS and SVG; no network),
/// written for a data-protection officer: the verdict first, then fidelity, utility, privacy and fairness.
public enum HTMLReport {
    static let realColor = "#1f77b4", synColor = "#ff7f0e", holdColor = "#2ca02c"

    public static func render(_ r: EvaluationReport, train: Table, synthetic: Table) -> String {
        var h = """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Doppel evaluation report</title>
        <style>
        body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
        main{max-width:1180px;margin:0 auto;padding:24px}
        h1{font-size:26px;margin:8px 0} h2{font-size:20px;margin:32px 0 8px;border-bottom:2px solid #d9dee7;padding-bottom:4px}
        h3{font-size:15px;margin:16px 0 6px}
        .verdict{padding:16px 20px;border-radius:8px;color:#fff;font-size:18px}
        .pass{background:#1b7f3b}.fail{background:#b42318}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
        .card{background:#fff;border-radius:8px;padding:12px 16px;min-width:150px;box-shadow:0 1px 2px #0001}
        .card b{display:block;font-size:22px}.card span{font-size:12px;color:#5b6475}
        table{border-collapse:collapse;background:#fff;font-size:13px;margin:8px 0}
        td,th{border:1px solid #d9dee7;padding:4px 8px;text-align:left} th{background:#eef1f6}
        .ok{color:#1b7f3b;font-weight:600}.bad{color:#b42318;font-weight:600}
        .grid{display:flex;flex-wrap:wrap;gap:10px}.plot{background:#fff;border-radius:6px;padding:6px}
        .legend span{display:inline-block;margin-right:14px;font-size:12px}
        .sw{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
        p.note{font-size:13px;color:#5b6475;max-width:900px}
        </style></head><body><main>
        <h1>Synthetic data evaluation</h1>
        """
        let names = r.inputs.map { "\($0.role): \(esc(($0.path as NSString).lastPathComponent)) (\(counted($0.rows, "row")))" }.joined(separator: " · ")
        h += "<p class=\"note\">\(names)\(r.model.map { " · synthesizer \(esc($0.synthesizer)), seed \($0.provenance.seed)" } ?? "") · evaluated \(esc(r.createdAt)) by Doppel \(esc(r.doppelVersion))</p>"
        let passed = r.gate.passed
        h += "<div class=\"verdict \(passed ? "pass" : "fail")\"><b>\(passed ? "PASSED" : "FAILED")</b> — release policy \(passed ? "met: no rule failed." : "not met:")"
        if !passed {
            h += "<ul>" + r.gate.rules.filter { !$0.passed }.map { "<li>\(esc($0.rule)): \(esc($0.explanation))</li>" }.joined() + "</ul>"
            let thin = r.gate.inconclusive.count, failed = r.gate.rules.filter { !$0.passed }.count
            if thin > 0 {
                h += "<div style=\"font-size:14px\">\(thin) of \(failed) failed rule(s) are inconclusive rather than measured leaks: the point estimate is within the limit but the sample is too small to prove it. A larger holdout, or more attacks (<code>doppel evaluate --attacks</code>), narrows the intervals; the other rules need a change to the data or the synthesizer.</div>"
            }
        }
        if !r.notMeasured.isEmpty {
            h += "<div style=\"font-size:14px\">Not measured, so not covered by this verdict: \(esc(r.notMeasured.joined(separator: "; "))).</div>"
        }
        h += "</div>"
        if let mismatch = r.provenanceMismatch {
            h += "<p class=\"note\" style=\"color:#b42318\"><b>Provenance mismatch:</b> \(esc(mismatch))</p>"
        }
        h += "<div class=\"cards\">"
        h += card(String(format: "%.3f", r.quality.score), "Quality score (SDMetrics definition, 1 = identical)")
        h += card(String(format: "%.3f", r.quality.columnShapes), "Column shapes")
        h += card(String(format: "%.3f", r.quality.columnPairTrends), "Column pair trends")
        h += card(String(format: "%.3f", r.detection.auc), "Detection ROC AUC (0.5 = indistinguishable)")
        if let u = r.utility, let ratio = u.ratio {
            h += card(String(format: "%.0f%%", ratio * 100), "utility kept: a model trained on synthetic rows reaches this share of the real-trained \(u.task == "regression" ? "R²" : "ROC AUC") predicting '\(esc(u.target))' (logistic/ridge regression)")
        }
        let failed = Set(r.gate.rules.filter { !$0.passed }.map(\.rule))
        h += card(String(format: "%.3f", r.privacy.dcrShare.value), "DCR share (0.5 ideal; limit on 95% upper bound \(fmt(r.policy.maxDcrShareUpper)))", bad: failed.contains("DCR share"))
        h += card(String(format: "%.3f", r.privacy.membershipInferenceAUC), "membership-inference AUC (0.5 = no signal; limit \(fmt(r.policy.maxMembershipAUC)))", bad: failed.contains("membership inference"))
        h += card("\(r.privacy.exactCopies)", "exact copies of training rows (limit \(r.policy.maxExactCopies))", bad: failed.contains("exact copies"))
        h += "</div>"

        // Gate table.
        h += "<h2>Release gate</h2><p class=\"note\">Interval rules are judged on the upper end of the 95% confidence interval, so a release passes only when the evidence shows the risk is small — not merely when no risk was seen.</p>"
        h += "<table><tr><th>rule</th><th>result</th><th>point estimate</th><th>judged value</th><th>limit</th><th>explanation</th></tr>"
        for g in r.gate.rules {
            let result = g.passed ? "pass" : ((g.estimate ?? .infinity) <= g.threshold ? "FAIL (inconclusive)" : "FAIL")
            h += "<tr><td>\(esc(g.rule))</td><td class=\"\(g.passed ? "ok" : "bad")\">\(result)</td><td>\(g.estimate.map { fmt3($0) } ?? fmt3(g.value))</td><td>\(fmt3(g.value))\(g.estimate != nil ? " (95% upper)" : "")</td><td>\(fmt3(g.threshold))</td><td>\(esc(g.explanation))</td></tr>"
        }
        h += "</table>"

        // Fidelity.
        h += "<h2>Fidelity</h2><p class=\"note\">Each column's distribution, training data against synthetic data. Column shapes use the Kolmogorov–Smirnov complement (numbers, dates) and the total-variation complement (categories); pair trends compare correlations (number pairs) and contingency tables (other pairs), exactly as SDMetrics defines them.</p>"
        h += legend([("real (training)", realColor), ("synthetic", synColor)]) + "<p class=\"note\">Bar height = share of rows. Numbers: 20 equal-width bins over the real range (min and max below each chart). Categories: the 12 most frequent.</p>"
        h += "<div class=\"grid\">"
        let scoreByColumn = Dictionary(r.quality.shapes.map { ($0.columns[0], $0) }, uniquingKeysWith: { a, _ in a })
        for (j, spec) in train.schema.columns.enumerated() where spec.isModelled {
            let title = spec.name + (scoreByColumn[spec.name].map { String(format: " — %@ %.3f", $0.metric, $0.score) } ?? "")
            switch (train.columns[j].values, synthetic.columns[j].values) {
            case (.numeric(let a), .numeric(let b)): h += "<div class=\"plot\">" + histogramSVG(title: title, a: a, b: b) + "</div>"
            case (.categorical(let a, let levels), .categorical(let b, _)): h += "<div class=\"plot\">" + barsSVG(title: title, a: a, b: b, levels: levels) + "</div>"
            default: break
            }
        }
        h += "</div>"
        let numeric = train.schema.columns.indices.filter { if case .numeric = train.columns[$0].values { return train.schema.columns[$0].isModelled }; return false }
        if numeric.count >= 2 {
            let names = numeric.map { train.schema.columns[$0].name }
            let cr = correlations(train, numeric), cs = correlations(synthetic, numeric)
            let diff = zip(cr, cs).map { $0 - $1 }
            let maxDiff = diff.filter { !$0.isNaN }.map(abs).max() ?? 0
            h += "<h3>Correlations of numeric columns (Pearson)</h3><p class=\"note\">Blue = negative, white = none, red = positive (scale −1 to +1). The difference map uses its own scale (±\(fmt(max(maxDiff, 0.05)))); the largest absolute difference is \(fmt(maxDiff)).</p><div class=\"grid\">"
            h += "<div class=\"plot\">" + heatmapSVG(title: "real", names: names, values: cr, scale: 1) + "</div>"
            h += "<div class=\"plot\">" + heatmapSVG(title: "synthetic", names: names, values: cs, scale: 1) + "</div>"
            h += "<div class=\"plot\">" + heatmapSVG(title: "difference (real − synthetic)", names: names, values: diff, scale: max(maxDiff, 0.05)) + "</div></div>"
        }
        h += "<h3>Per-column figures</h3><table><tr><th>column</th><th>metric</th><th>score</th><th>missing-rate difference</th><th>coverage</th></tr>"
        for s in r.quality.shapes {
            let c = s.columns[0]
            h += "<tr><td>\(esc(c))</td><td>\(s.metric)</td><td>\(fmt(s.score))</td><td>\(fmt(r.quality.missingRateDifference[c] ?? .nan))</td><td>\(fmt(r.quality.coverage[c] ?? .nan))</td></tr>"
        }
        h += "</table>"
        h += "<p class=\"note\">Detection: logistic regression trained to tell real rows from synthetic rows, \(r.detection.folds)-fold cross-validated ROC AUC \(fmt(r.detection.auc)) (SDMetrics LogisticDetection score \(fmt(r.detection.score))).</p>"

        // Utility.
        h += "<h2>Utility</h2>"
        if let u = r.utility {
            h += "<p class=\"note\">Train on synthetic, test on the real holdout (TSTR), against train on real, test on the same holdout (TRTR), predicting <b>\(esc(u.target))</b> (\(u.task)).</p>"
            h += legend([("TRTR (trained on real)", realColor), ("TSTR (trained on synthetic)", synColor)])
            h += utilitySVG(u)
            h += "<table><tr><th>learner</th><th>figure</th><th>TRTR</th><th>TSTR</th></tr>"
            for (a, b) in zip(u.trtr, u.tstr) {
                for (name, x, y) in [("ROC AUC", a.auc, b.auc), ("accuracy", a.accuracy, b.accuracy), ("R²", a.r2, b.r2), ("MAE", a.mae, b.mae)] where x != nil || y != nil {
                    h += "<tr><td>\(esc(a.learner))</td><td>\(name)</td><td>\(fmt(x ?? .nan))</td><td>\(fmt(y ?? .nan))</td></tr>"
                }
            }
            h += "</table>"
        } else {
            h += "<p class=\"note\">No target column was given (use <code>--target</code>), so utility was not measured.</p>"
        }

        // Privacy.
        h += "<h2>Privacy</h2><p class=\"note\">Every figure compares the synthetic rows with real holdout rows the generator never saw: what the holdout shows is the population's own similarity, not a leak.</p>"
        let p = r.privacy
        h += "<table><tr><th>figure</th><th>synthetic → training</th><th>holdout → training (baseline)</th></tr>"
        h += "<tr><td>exact copies of training rows</td><td>\(p.exactCopies) (\(pct(p.exactCopyRate)))</td><td>\(pct(p.holdoutExactCopyRate))</td></tr>"
        h += "<tr><td>distance to closest record, median (Gower)</td><td>\(fmt(p.dcrSyntheticMedian))</td><td>\(fmt(p.dcrHoldoutMedian))</td></tr>"
        h += "<tr><td>distance to closest record, 5th percentile</td><td>\(fmt(p.dcrSynthetic5thPercentile))</td><td>\(fmt(p.dcrHoldout5thPercentile))</td></tr>"
        h += "<tr><td>nearest-neighbour distance ratio, median</td><td>\(fmt(p.nndrSyntheticMedian))</td><td>\(fmt(p.nndrHoldoutMedian))</td></tr>"
        h += "<tr><td>DCR share (closer to training than to holdout; 0.5 ideal)</td><td colspan=2>\(fmt(p.dcrShare.value)) (95% CI \(fmt(p.dcrShare.lower))–\(fmt(p.dcrShare.upper)))</td></tr>"
        h += "<tr><td>membership-inference ROC AUC (distance attack)</td><td colspan=2>\(fmt(p.membershipInferenceAUC))</td></tr>"
        h += "<tr><td>membership-inference ROC AUC (density-ratio attack, DOMIAS-style)</td><td colspan=2>\(fmt(p.densityRatioMIA_AUC))</td></tr>"
        if let k = r.kAnonymity { h += "<tr><td>k-anonymity of \(esc(k.columns.joined(separator: ", "))) in synthetic</td><td colspan=2>k = \(k.k); \(pct(k.shareBelow5)) of rows in groups smaller than 5</td></tr>" }
        h += "</table><div class=\"grid\"><div class=\"plot\">"
        h += legend([("synthetic → training", synColor), ("holdout → training", holdColor)])
        h += dcrSVG(p.dcrHistogram) + "</div><div class=\"plot\">" + rocSVG(p.membershipROC, auc: p.membershipInferenceAUC) + "</div></div>"
        h += "<p class=\"note\">Left: how far each synthetic row (orange) and each real holdout row (green) is from its closest training row; synthetic rows piling up near 0 would mean copying. The DCR share is a separate, paired test: for each synthetic row, is its closest training row nearer than its closest holdout row (training subsampled to the holdout's size)? 0.5 means the generator did not memorise. Right: the attacker guesses 'member' for records close to some synthetic row; a curve on the diagonal means the attacker learns nothing.</p>"
        if let risks = r.risks, !risks.all.isEmpty {
            h += "<h3>Re-identification risks (Anonymeter method)</h3><table><tr><th>attack</th><th>attack success</th><th>control success</th><th>risk</th><th>95% CI</th><th>attacks</th></tr>"
            for k in risks.all {
                h += "<tr><td>\(esc(k.name))</td><td>\(fmt(k.attackRate))</td><td>\(fmt(k.controlRate))</td><td>\(fmt(k.risk.value))</td><td>\(fmt(k.risk.lower))–\(fmt(k.risk.upper))</td><td>\(k.attacks)</td></tr>"
            }
            h += "</table>"
        }
        if r.quasiIdentifiers.isEmpty { h += "<p class=\"note\">No quasi-identifiers were given (<code>--quasi-identifiers</code>): linkability and k-anonymity were not measured.</p>" }
        if r.sensitive.isEmpty { h += "<p class=\"note\">No sensitive columns were given (<code>--sensitive</code>): attribute inference and fairness were not measured.</p>" }

        // Fairness.
        if !r.fairness.isEmpty {
            h += "<h2>Fairness</h2><p class=\"note\">Rare groups are where utility and re-identification risk concentrate.</p>"
            for f in r.fairness {
                h += "<h3>\(esc(f.column))</h3><table><tr><th>group</th><th>real share</th><th>synthetic share</th><th>holdout rows</th><th>TRTR AUC</th><th>TSTR AUC</th><th>TRTR accuracy</th><th>TSTR accuracy</th><th>DCR share</th></tr>"
                for g in f.groups {
                    h += "<tr><td>\(esc(g.value))</td><td>\(pct(g.realShare))</td><td>\(pct(g.syntheticShare))</td><td>\(g.holdoutRows)</td><td>\(fmt(g.trtrAUC ?? .nan))</td><td>\(fmt(g.tstrAUC ?? .nan))</td><td>\(fmt(g.trtrAccuracy ?? .nan))</td><td>\(fmt(g.tstrAccuracy ?? .nan))</td><td>\(g.dcrShare.map { fmt($0.value) } ?? "–")</td></tr>"
                }
                h += "</table>"
            }
        }

        // Provenance.
        h += "<h2>Provenance</h2><table><tr><th>input</th><th>path</th><th>rows</th><th>SHA-256</th></tr>"
        for i in r.inputs { h += "<tr><td>\(esc(i.role))</td><td>\(esc(i.path))</td><td>\(i.rows)</td><td><code>\(i.sha256)</code></td></tr>" }
        h += "</table>"
        if let m = r.model {
            h += "<p class=\"note\">Model: \(esc(m.synthesizer)), fitted with seed \(m.provenance.seed) on \(m.provenance.trainingRows) rows (training file SHA-256 <code>\(m.provenance.trainingSHA256)</code>) by Doppel \(esc(m.provenance.doppelVersion)) at \(esc(m.provenance.createdAt)). Differential-privacy budget spent: \(m.privacy.epsilon.map { "ε = \(fmt($0)), δ = \(String(format: "%.3g", m.privacy.delta ?? 0))" } ?? "none (not a differentially private synthesizer)").</p>"
            if !m.privacy.steps.isEmpty {
                h += "<details><summary>Privacy ledger (\(m.privacy.steps.count) entries)</summary><ol class=\"note\">" + m.privacy.steps.map { "<li>\(esc($0))</li>" }.joined() + "</ol></details>"
            }
        }
        h += HTMLReport.glossary
        h += "<p class=\"note\">Doppel \(esc(r.doppelVersion)), evaluation seed \(r.seed), created \(esc(r.createdAt)). Timings (steps run side by side, so they overlap): " +
            r.timings.sorted { $0.key < $1.key }.map { "\(esc($0.key)) \(String(format: "%.2f", $0.value)) s" }.joined(separator: ", ") + ".</p>"
        h += "</main></body></html>\n"
        return h
    }

    // MARK: pieces

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    static func fmt(_ v: Double) -> String { v.isNaN ? "–" : (v == v.rounded() && abs(v) < 1e9 ? String(Int(v)) : String(format: "%.3f", v)) }
    static func fmt3(_ v: Double) -> String { v.isNaN ? "–" : (v == v.rounded() && abs(v) >= 1 ? String(Int(v)) : String(format: "%.3f", v)) }
    static func pct(_ v: Double) -> String { v.isNaN ? "–" : String(format: "%.1f%%", v * 100) }
    static func card(_ value: String, _ label: String, bad: Bool = false) -> String {
        "<div class=\"card\"\(bad ? " style=\"background:#fdecea\"" : "")><b>\(value)</b><span>\(esc(label))</span></div>"
    }
    static func legend(_ items: [(String, String)]) -> String {
        "<div class=\"legend\">" + items.map { "<span><i class=\"sw\" style=\"background:\($0.1)\"></i>\(esc($0.0))</span>" }.joined() + "</div>"
    }

    static func histogramSVG(title: String, a: [Double], b: [Double]) -> String {
        let hist = Histogram(a: a, b: b, bins: 20, rangeFromFirst: true)
        return barsGrid(title: title, labels: [], a: hist.a, b: hist.b, axis: (hist.edges.first ?? 0, hist.edges.last ?? 1))
    }

    static func barsSVG(title: String, a: [Int32], b: [Int32], levels: [String]) -> String {
        var ca = [Double](repeating: 0, count: levels.count + 1), cb = ca
        for x in a { ca[Int(x) + 1] += 1 }
        for x in b { cb[Int(x) + 1] += 1 }
        let ta = Double(max(a.count, 1)), tb = Double(max(b.count, 1))
        var items: [(label: String, a: Double, b: Double)] = []
        for k in 0..<(levels.count + 1) where ca[k] > 0 || cb[k] > 0 {
            let label: String = k == 0 ? "(missing)" : levels[k - 1]
            items.append((label: label, a: ca[k] / ta, b: cb[k] / tb))
        }
        items.sort { ($0.label == "(missing)" ? 1 : 0, -$0.a) < ($1.label == "(missing)" ? 1 : 0, -$1.a) }
        let hidden = max(0, items.count - 12)
        items = Array(items.prefix(12))
        if hidden > 0 { items.append((label: "+\(hidden) more", a: 0, b: 0)) }
        return barsGrid(title: title, labels: items.map { $0.label }, a: items.map { $0.a }, b: items.map { $0.b }, axis: nil)
    }

    static func barsGrid(title: String, labels: [String], a: [Double], b: [Double], axis: (Double, Double)?, axisLabel: String? = nil, scaleToOne: Bool = false) -> String {
        let w = 270.0, hgt = labels.isEmpty ? 150.0 : 175.0, top = 22.0, bottom = labels.isEmpty ? 18.0 : 62.0
        let plotH = hgt - top - bottom
        let n = max(a.count, 1)
        let maxV = scaleToOne ? 1.0 : max(a.max() ?? 0, b.max() ?? 0, 1e-9)
        let leftPad = labels.isEmpty ? 5.0 : 24.0
        let slot = (w - leftPad - 5) / Double(n)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(hgt))\" font-size=\"10\" font-family=\"sans-serif\">"
        s += "<text x=\"4\" y=\"13\" font-size=\"11\" font-weight=\"600\">\(esc(String(title.prefix(46))))</text>"
        for k in 0..<a.count {
            let x = leftPad + Double(k) * slot
            let ha = a[k] / maxV * plotH, hb = b[k] / maxV * plotH
            s += "<rect x=\"\(f1(x + 1))\" y=\"\(f1(top + plotH - ha))\" width=\"\(f1(slot / 2 - 1))\" height=\"\(f1(ha))\" fill=\"\(realColor)\"/>"
            s += "<rect x=\"\(f1(x + slot / 2))\" y=\"\(f1(top + plotH - hb))\" width=\"\(f1(slot / 2 - 1))\" height=\"\(f1(hb))\" fill=\"\(synColor)\"/>"
            if !labels.isEmpty {
                let label = labels[k].count > 16 ? String(labels[k].prefix(15)) + "…" : labels[k]
                s += "<text x=\"\(f1(x + slot / 2))\" y=\"\(f1(top + plotH + 10))\" text-anchor=\"end\" transform=\"rotate(-35 \(f1(x + slot / 2)) \(f1(top + plotH + 10)))\"><title>\(esc(labels[k]))</title>\(esc(label))</text>"
            }
        }
        s += "<line x1=\"5\" y1=\"\(f1(top + plotH))\" x2=\"\(f1(w - 5))\" y2=\"\(f1(top + plotH))\" stroke=\"#888\"/>"
        if let (lo, hi) = axis {
            s += "<text x=\"5\" y=\"\(f1(hgt - 4))\">\(esc(short(lo)))</text><text x=\"\(f1(w - 5))\" y=\"\(f1(hgt - 4))\" text-anchor=\"end\">\(esc(short(hi)))</text>"
            if let axisLabel { s += "<text x=\"\(f1(w / 2))\" y=\"\(f1(hgt - 4))\" text-anchor=\"middle\">\(esc(axisLabel))</text>" }
        }
        return s + "</svg>"
    }

    static func heatmapSVG(title: String, names: [String], values: [Double], scale: Double) -> String {
        let n = names.count
        let cell = max(8.0, min(34.0, 340.0 / Double(n)))
        let left = 90.0, top = 24.0
        let showValues = n <= 12
        let w = left + cell * Double(n) + 10, hgt = top + cell * Double(n) + 70
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(hgt))\" font-size=\"9\" font-family=\"sans-serif\">"
        s += "<text x=\"4\" y=\"13\" font-size=\"11\" font-weight=\"600\">\(esc(title))</text>"
        for i in 0..<n {
            s += "<text x=\"\(f1(left - 3))\" y=\"\(f1(top + cell * (Double(i) + 0.7)))\" text-anchor=\"end\">\(esc(String(names[i].prefix(14))))</text>"
            for j in 0..<n {
                let v = values[i * n + j]
                s += "<rect x=\"\(f1(left + cell * Double(j)))\" y=\"\(f1(top + cell * Double(i)))\" width=\"\(f1(cell))\" height=\"\(f1(cell))\" fill=\"\(color(v / scale))\"><title>\(esc(names[i])) × \(esc(names[j])): \(fmt(v))</title></rect>"
                if showValues && !v.isNaN {
                    s += "<text x=\"\(f1(left + cell * (Double(j) + 0.5)))\" y=\"\(f1(top + cell * (Double(i) + 0.62)))\" text-anchor=\"middle\" font-size=\"8\">\(String(format: "%.2f", v))</text>"
                }
            }
            let x = left + cell * (Double(i) + 0.6), y = top + cell * Double(n) + 4
            s += "<text x=\"\(f1(x))\" y=\"\(f1(y))\" text-anchor=\"end\" transform=\"rotate(-60 \(f1(x)) \(f1(y)))\">\(esc(String(names[i].prefix(14))))</text>"
        }
        return s + "</svg>"
    }

    static func color(_ v: Double) -> String {
        if v.isNaN { return "#dddddd" }
        let t = max(-1, min(1, v))
        let r, g, b: Int
        if t >= 0 { r = 255; g = Int(255 * (1 - t)); b = Int(255 * (1 - t)) } else { r = Int(255 * (1 + t)); g = Int(255 * (1 + t)); b = 255 }
        return String(format: "#%02x%02x%02x", r, g, b)
    }

    static func utilitySVG(_ u: UtilityReport) -> String {
        var labels: [String] = [], a: [Double] = [], b: [Double] = []
        for (x, y) in zip(u.trtr, u.tstr) {
            let short = x.learner == "gradient boosting" ? "GBT" : (x.learner == "logistic regression" ? "LogReg" : "Ridge")
            if let p = x.auc, let q = y.auc { labels.append("\(short) AUC"); a.append(p); b.append(q) }
            if let p = x.accuracy, let q = y.accuracy { labels.append("\(short) accuracy"); a.append(p); b.append(q) }
            if let p = x.r2, let q = y.r2 { labels.append("\(short) R²"); a.append(max(p, 0)); b.append(max(q, 0)) }
        }
        return "<div class=\"grid\"><div class=\"plot\">" + barsGrid(title: "TRTR vs TSTR (bar height = score, 0–1)", labels: labels, a: a, b: b, axis: nil, scaleToOne: true) + "</div></div>"
    }

    static func dcrSVG(_ hist: Histogram) -> String {
        barsGrid(title: "Distance to closest training row", labels: [], a: hist.b, b: hist.a, axis: (hist.edges.first ?? 0, hist.edges.last ?? 1),
                 axisLabel: "Gower distance (0 = identical row)")
            .replacingOccurrences(of: realColor, with: holdColor)
    }

    static func rocSVG(_ points: [[Double]], auc: Double) -> String {
        let size = 200.0, pad = 30.0
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(size + 2 * pad + 20))\" height=\"\(Int(size + 2 * pad + 10))\" font-size=\"10\" font-family=\"sans-serif\">"
        s += "<text x=\"4\" y=\"13\" font-size=\"11\" font-weight=\"600\">Membership-inference ROC (AUC \(fmt(auc)))</text>"
        s += "<rect x=\"\(pad)\" y=\"\(pad)\" width=\"\(size)\" height=\"\(size)\" fill=\"none\" stroke=\"#888\"/>"
        s += "<line x1=\"\(pad)\" y1=\"\(pad + size)\" x2=\"\(pad + size)\" y2=\"\(pad)\" stroke=\"#bbb\" stroke-dasharray=\"4\"/>"
        let path = points.map { "\(f1(pad + $0[0] * size)),\(f1(pad + size - $0[1] * size))" }.joined(separator: " ")
        s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(synColor)\" stroke-width=\"2\"/>"
        s += "<text x=\"\(pad)\" y=\"\(f1(pad + size + 14))\">false-positive rate (holdout rows called members) →</text>"
        s += "<text transform=\"rotate(-90 10 \(f1(pad + size)))\" x=\"10\" y=\"\(f1(pad + size))\">true-positive rate (training rows found) →</text>"
        s += "<text x=\"\(f1(pad + size * 0.55))\" y=\"\(f1(pad + size * 0.5))\" fill=\"#999\" transform=\"rotate(-45 \(f1(pad + size * 0.55)) \(f1(pad + size * 0.5)))\">random guess</text>"
        for t in [0.0, 0.5, 1.0] {
            s += "<text x=\"\(f1(pad + t * size))\" y=\"\(f1(pad + size + 26))\" text-anchor=\"middle\" font-size=\"9\">\(t)</text>"
            s += "<text x=\"\(f1(pad + size + 4))\" y=\"\(f1(pad + size - t * size + 3))\" font-size=\"9\">\(t)</text>"
        }
        return s + "</svg>"
    }

    static func f1(_ v: Double) -> String { String(format: "%.1f", v) }
    static func short(_ v: Double) -> String { abs(v) >= 1e6 || (abs(v) < 1e-3 && v != 0) ? String(format: "%.2e", v) : String(format: "%.4g", v) }

    static func correlations(_ t: Table, _ cols: [Int]) -> [Double] {
        let n = cols.count
        var out = [Double](repeating: .nan, count: n * n)
        for (a, i) in cols.enumerated() {
            for (b, j) in cols.enumerated() where b >= a {
                if case .numeric(let x) = t.columns[i].values, case .numeric(let y) = t.columns[j].values {
                    let r = a == b ? 1 : (PairTrendMetrics.pearson(x, y) ?? .nan)
                    out[a * n + b] = r; out[b * n + a] = r
                }
            }
        }
        return out
    }
}

extension HTMLReport {
    /// The terms of the report in plain words, for a reader who is not a statistician.
    static let glossary = """
    <h2>How to read this report</h2><dl class="note">
    <dt><b>Quality score</b></dt><dd>The mean of the column shapes and pair trends (SDMetrics' quality report); 1 means the synthetic table reproduces every column's distribution and every pair's relationship.</dd>
    <dt><b>KS complement, TV complement</b></dt><dd>Column shape scores: 1 − the largest gap between the real and synthetic cumulative distributions (numbers, dates), or 1 − half the summed differences of the category shares. 1 is identical.</dd>
    <dt><b>Coverage</b></dt><dd>For a number or date, the share of the real range [min, max] the synthetic values span; for categories, the share of real categories that appear in the synthetic data.</dd>
    <dt><b>Detection AUC</b></dt><dd>How well a classifier tells real rows from synthetic ones: 0.5 means it cannot, 1 means every row is told apart.</dd>
    <dt><b>TSTR / TRTR</b></dt><dd>Train on synthetic, test on real, against train on real, test on real: a model fitted on the synthetic rows is scored on the real holdout. Close values mean the synthetic data supports the same predictions.</dd>
    <dt><b>Exact copies</b></dt><dd>Synthetic rows identical to a training row in every modelled column. The holdout's own rate shows how often real patients coincide by chance.</dd>
    <dt><b>Gower distance, DCR</b></dt><dd>Distance between two rows, averaged over the columns (range-scaled for numbers, 0 or 1 for categories); DCR is a row's distance to the closest training row.</dd>
    <dt><b>DCR share</b></dt><dd>The share of synthetic rows closer to a training row than to a holdout row. 0.5 is ideal: the generator is no closer to the patients it learned from than to patients it never saw.</dd>
    <dt><b>Membership inference AUC</b></dt><dd>How well an attacker holding the synthetic data tells whether a given real patient was in the training data (by distance, or by the density ratio of the DOMIAS attack). 0.5 means no signal.</dd>
    <dt><b>Singling out, linkability, attribute inference</b></dt><dd>The three risks named by the EU's Article 29 Working Party, measured as in Anonymeter: how much more often an attack that uses the synthetic data succeeds on training patients than on holdout patients it never saw (normalised to 0–1, with a 95% interval). The gate judges the interval's upper end.</dd>
    <dt><b>k-anonymity</b></dt><dd>The size of the rarest combination of the quasi-identifiers in the synthetic table; a combination shared by fewer than k rows may point at one person.</dd>
    <dt><b>ε, δ</b></dt><dd>The differential-privacy budget a private synthesizer spent, from its ledger: smaller ε means any one patient's presence changes the output less.</dd>
    </dl>
    """
}
