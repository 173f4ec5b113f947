/// Receiver operating characteristic helpers.
public enum ROC {
    /// Area under the ROC curve: the probability that a random positive scores above a random
    /// negative, ties counting ½ (Mann–Whitney U / (n₊ n₋)). Matches scikit-learn's `roc_auc_score`.
    public static func auc(scores: [Double], labels: [Bool]) -> Double? {
        let pos = labels.filter { $0 }.count, neg = labels.count - pos
        guard pos > 0, neg > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPos = 0.0
        var i = 0
        while i < order.count {
            var j = i + 1
            while j < order.count && scores[order[j]] == scores[order[i]] { j += 1 }
            let avgRank = Double(i + j + 1) / 2      // 1-based average rank of the tie group
            for k in i..<j where labels[order[k]] { rankSumPos += avgRank }
            i = j
        }
        return (rankSumPos - Double(pos) * Double(pos + 1) / 2) / (Double(pos) * Double(neg))
    }

    /// Points (false-positive rate, true-positive rate) of the ROC curve, thinned to at most `maxPoints`.
    public static func curve(scores: [Double], labels: [Bool], maxPoints: Int = 200) -> [(Double, Double)] {
        let pos = Double(labels.filter { $0 }.count), neg = Double(labels.count) - pos
        guard pos > 0, neg > 0 else { return [] }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var tp = 0.0, fp = 0.0
        var points: [(Double, Double)] = [(0, 0)]
        var i = 0
        while i < order.count {
            var j = i
            while j < order.count && scores[order[j]] == scores[order[i]] { if labels[order[j]] { tp += 1 } else { fp += 1 }; j += 1 }
            points.append((fp / neg, tp / pos))
            i = j
        }
        if points.count <= maxPoints { return points }
        let stepSize = Double(points.count - 1) / Double(maxPoints - 1)
        return (0..<maxPoints).map { points[Int((Double($0) * stepSize).rounded())] }
    }
}
