import DoppelData
import DoppelLearn
import DoppelMath
import Foundation

/// Scores of one learner on the real holdout.
public struct LearnerScores: Codable, Sendable, Equatable {
    public var learner: String
    /// Classification: ROC AUC (binary: positive = last class; multiclass: macro one-vs-rest) and accuracy.
    public var auc: Double?
    public var accuracy: Double?
    /// Regression: R² and mean absolute error.
    public var r2: Double?
    public var mae: Double?
}

/// Train-on-synthetic / test-on-real against train-on-real / test-on-real, per learner.
public struct UtilityReport: Codable, Sendable, Equatable {
    public var target: String
    public var task: String
    public var trtr: [LearnerScores]
    public var tstr: [LearnerScores]
    /// TSTR / TRTR of the headline figure (AUC for classification, R² for regression), first learner.
    public var ratio: Double?
    /// The first learner's class probabilities on the holdout rows with a target (not written to JSON),
    /// reused by the per-group fairness figures.
    public var holdoutPredictions: HoldoutPredictions? = nil

    public struct HoldoutPredictions: Sendable, Equatable {
        public var rows: [Int]
        public var labels: [Int]
        public var classes: Int
        public var trtr: [Double]
        public var tstr: [Double]
    }

    enum CodingKeys: String, CodingKey { case target, task, trtr, tstr, ratio }

    public static func compute(train: Table, holdout: Table, synthetic: Table, target: String) throws -> UtilityReport {
        guard let t = train.schema.index(of: target) else { throw DoppelError.usage(message: "--target: no column '\(target)'") }
        let spec = train.schema.columns[t]
        guard spec.isModelled else { throw DoppelError.usage(message: "--target '\(target)' is \(spec.kind.withArticle) column; choose a numeric or categorical column") }
        let features = train.schema.columns.indices.filter { $0 != t && train.schema.columns[$0].isModelled }
        let enc = FeatureEncoder(reference: train, columns: features, mode: .standardized)
        var trtr: [LearnerScores] = [], tstr: [LearnerScores] = []
        var predictions: HoldoutPredictions? = nil
        let task: String
        switch train.columns[t].values {
        case .categorical(_, let levels):
            task = "classification"
            let (xh, yh) = Supervised.xy(holdout, enc, t)
            let (xt, yt) = Supervised.xy(train, enc, t)
            let (xs, ys) = Supervised.xy(synthetic, enc, t)
            let present = Array(Set(yt.map { Int($0) })).sorted()
            guard present.count >= 2 else { throw DoppelError.badInput(path: "training data", line: nil, column: target, message: "the target has a single class; utility needs at least two") }
            let pairs = try fitOnBoth(Supervised.classifiers) { learner, real in
                real ? Supervised.classify(learner, xt, yt, xh, yh, width: enc.width, classes: levels.count)
                     : Supervised.classify(learner, xs, ys, xh, yh, width: enc.width, classes: levels.count)
            }
            for ((a, pa), (b, pb)) in pairs {
                trtr.append(a); tstr.append(b)
                if predictions == nil, case .categorical(let hc, _) = holdout.columns[t].values {
                    let rows = (0..<holdout.rowCount).filter { hc[$0] >= 0 }
                    predictions = HoldoutPredictions(rows: rows, labels: yh.map { Int($0) }, classes: levels.count, trtr: pa, tstr: pb)
                }
            }
        case .numeric:
            task = "regression"
            let (xh, yh) = Supervised.xy(holdout, enc, t)
            let (xt, yt) = Supervised.xy(train, enc, t)
            let (xs, ys) = Supervised.xy(synthetic, enc, t)
            let pairs = try fitOnBoth(Supervised.regressors) { learner, real in
                real ? Supervised.regress(learner, xt, yt, xh, yh, width: enc.width)
                     : Supervised.regress(learner, xs, ys, xh, yh, width: enc.width)
            }
            for (a, b) in pairs { trtr.append(a); tstr.append(b) }
        case .text:
            throw DoppelError.usage(message: "--target '\(target)' is not modelled")
        }
        var ratio: Double? = nil
        if let a = trtr.first, let b = tstr.first {
            if let x = a.auc, let y = b.auc, x > 0 { ratio = y / x }
            else if let x = a.r2, let y = b.r2, x > 0 { ratio = y / x }
        }
        return UtilityReport(target: target, task: task, trtr: trtr, tstr: tstr, ratio: ratio, holdoutPredictions: predictions)
    }
}

extension UtilityReport {
    /// Fits every learner on the real training rows and on the synthetic rows — each fit is independent
    /// and takes seconds, so all run side by side, the slowest learner (the last) first — and returns
    /// (on real, on synthetic) per learner, in the order of `learners`.
    static func fitOnBoth<T>(_ learners: [String], _ fit: (_ learner: String, _ real: Bool) throws -> T) throws -> [(T, T)] {
        let jobs = learners.reversed().flatMap { learner in [(learner, true), (learner, false)] }
        let fitted = try parallelMap(jobs.count) { k in try fit(jobs[k].0, jobs[k].1) }
        return learners.indices.map { li in
            let job = 2 * (learners.count - 1 - li)
            return (fitted[job], fitted[job + 1])
        }
    }
}

/// Supervised helpers shared by utility, detection and fairness.
public enum Supervised {
    public static let classifiers = ["logistic regression", "gradient boosting"]
    public static let regressors = ["ridge regression", "gradient boosting"]

    /// Features and labels of the rows whose target is present. Labels are category codes or numbers.
    public static func xy(_ table: Table, _ enc: FeatureEncoder, _ t: Int) -> ([Double], [Double]) {
        let x = enc.transform(table)
        let w = enc.width
        var keep: [Int] = []
        var y: [Double] = []
        switch table.columns[t].values {
        case .categorical(let c, _): for i in 0..<table.rowCount where c[i] >= 0 { keep.append(i); y.append(Double(c[i])) }
        case .numeric(let v): for i in 0..<table.rowCount where !v[i].isNaN { keep.append(i); y.append(v[i]) }
        case .text: break
        }
        if keep.count == table.rowCount { return (x, y) }
        var out = [Double](repeating: 0, count: keep.count * w)
        for (r, i) in keep.enumerated() { for k in 0..<w { out[r * w + k] = x[i * w + k] } }
        return (out, y)
    }

    /// Class probabilities on the test rows from a learner trained on (x, y).
    public static func probabilities(_ learner: String, _ x: [Double], _ y: [Double], _ xt: [Double], width: Int, classes: Int) -> [Double] {
        let n = y.count, m = xt.count / max(width, 1)
        let labels = y.map { Int($0) }
        if learner == "gradient boosting" {
            let model = GradientBoosting.fitClassifier(x: x, rows: n, cols: width, labels: labels, classes: classes)
            return model.predictProbabilities(x: xt, rows: m)
        }
        let model = LogisticRegression.fit(x: x, rows: n, cols: width, labels: labels, classes: classes)
        return model.predictProbabilities(x: xt, rows: m)
    }

    static func classify(_ learner: String, _ x: [Double], _ y: [Double], _ xh: [Double], _ yh: [Double], width: Int, classes: Int) -> (LearnerScores, [Double]) {
        guard !y.isEmpty, !yh.isEmpty else { return (LearnerScores(learner: learner), []) }
        let p = probabilities(learner, x, y, xh, width: width, classes: classes)
        return (LearnerScores(learner: learner, auc: multiclassAUC(p, yh.map { Int($0) }, classes: classes),
                              accuracy: accuracy(p, yh.map { Int($0) }, classes: classes)), p)
    }

    static func regress(_ learner: String, _ x: [Double], _ y: [Double], _ xh: [Double], _ yh: [Double], width: Int) -> LearnerScores {
        guard !y.isEmpty, !yh.isEmpty else { return LearnerScores(learner: learner) }
        let m = yh.count
        let pred: [Double]
        if learner == "gradient boosting" {
            pred = GradientBoosting.fitRegressor(x: x, rows: y.count, cols: width, targets: y).predict(x: xh, rows: m)
        } else {
            pred = RidgeRegression.fit(x: x, rows: y.count, cols: width, targets: y).predict(x: xh, rows: m)
        }
        let mean = yh.reduce(0, +) / Double(m)
        var ssRes = 0.0, ssTot = 0.0, mae = 0.0
        for i in 0..<m { ssRes += (yh[i] - pred[i]) * (yh[i] - pred[i]); ssTot += (yh[i] - mean) * (yh[i] - mean); mae += abs(yh[i] - pred[i]) }
        return LearnerScores(learner: learner, r2: ssTot > 0 ? 1 - ssRes / ssTot : nil, mae: mae / Double(m))
    }

    /// Binary: AUC of the probability of the larger class code present; multiclass: unweighted mean of
    /// one-vs-rest AUCs over classes present in the test labels (scikit-learn `roc_auc_score(multi_class="ovr", average="macro")`).
    public static func multiclassAUC(_ p: [Double], _ y: [Int], classes k: Int) -> Double? {
        let present = Array(Set(y)).sorted()
        guard present.count >= 2 else { return nil }
        if present.count == 2 {
            let pos = present[1]
            return ROC.auc(scores: y.indices.map { p[$0 * k + pos] }, labels: y.map { $0 == pos })
        }
        let aucs = present.compactMap { c in ROC.auc(scores: y.indices.map { p[$0 * k + c] }, labels: y.map { $0 == c }) }
        return aucs.isEmpty ? nil : aucs.reduce(0, +) / Double(aucs.count)
    }

    public static func accuracy(_ p: [Double], _ y: [Int], classes k: Int) -> Double {
        var correct = 0
        for i in y.indices {
            var best = 0
            for c in 1..<k where p[i * k + c] > p[i * k + best] { best = c }
            if best == y[i] { correct += 1 }
        }
        return Double(correct) / Double(max(y.count, 1))
    }
}

/// Detection test: can a classifier tell real rows from synthetic ones?
public struct DetectionReport: Codable, Sendable, Equatable {
    /// Cross-validated ROC AUC of logistic regression separating real from synthetic (0.5 = indistinguishable).
    public var auc: Double
    /// SDMetrics' `LogisticDetection` score: 1 − mean over folds of (2·max(AUC_fold, 0.5) − 1).
    public var score: Double
    /// 3, as SDMetrics' `LogisticDetection`.
    public var folds: Int

    public static func compute(real: Table, synthetic: Table, seed: UInt64, folds: Int = 3) -> DetectionReport {
        let enc = FeatureEncoder(reference: real, mode: .standardized)
        let w = enc.width
        var rng = SeededGenerator(seed: seed, stream: 0xDE7)
        let n = min(real.rowCount, synthetic.rowCount)
        func pick(_ t: Table) -> [Double] {
            var idx = Array(0..<t.rowCount)
            rng.shuffle(&idx)
            return enc.transform(t.rows(Array(idx.prefix(n))))
        }
        let xr = pick(real), xs = pick(synthetic)
        var x = xr + xs
        var y = [Double](repeating: 0, count: n) + [Double](repeating: 1, count: n)
        var order = Array(0..<(2 * n))
        rng.shuffle(&order)
        var shuffled = [Double](repeating: 0, count: x.count)
        for (r, i) in order.enumerated() { for k in 0..<w { shuffled[r * w + k] = x[i * w + k] } }
        x = shuffled; y = order.map { y[$0] }
        let total = 2 * n
        let (xAll, yAll) = (x, y)
        // The folds are independent fits: run them on all cores.
        let aucs: [Double] = ((try? parallelMap(folds) { f -> Double? in
            let lo = total * f / folds, hi = total * (f + 1) / folds
            var xtr: [Double] = [], ytr: [Double] = [], xte: [Double] = [], yte: [Double] = []
            xtr.reserveCapacity((total - (hi - lo)) * w); xte.reserveCapacity((hi - lo) * w)
            for i in 0..<total {
                let row = xAll[(i * w)..<((i + 1) * w)]
                if i >= lo && i < hi { xte += row; yte.append(yAll[i]) } else { xtr += row; ytr.append(yAll[i]) }
            }
            let p = Supervised.probabilities("logistic regression", xtr, ytr, xte, width: w, classes: 2)
            return ROC.auc(scores: yte.indices.map { p[$0 * 2 + 1] }, labels: yte.map { $0 == 1 })
        }) ?? []).compactMap { $0 }
        let auc = aucs.isEmpty ? 0.5 : aucs.reduce(0, +) / Double(aucs.count)
        let score = aucs.isEmpty ? 1 : 1 - aucs.map { 2 * max($0, 0.5) - 1 }.reduce(0, +) / Double(aucs.count)
        return DetectionReport(auc: auc, score: score, folds: folds)
    }
}
