/// A categorical marginal on the latent line: each observed category owns an interval of [0, 1] whose
/// width is its frequency, in an order learned from the data (see ``GaussianCopula``), so u ~ U(0,1)
/// decodes to each category with its observed probability.
public struct CategoricalMarginal: Codable, Sendable, Equatable {
    /// Category codes (indices into the schema's categories) in latent order.
    public var order: [Int32]
    /// Interval edges in latent order: `edges[k]..<edges[k+1]` belongs to `order[k]`; edges[0] = 0, last = 1.
    public var edges: [Double]

    public init(order: [Int32], probabilities: [Double]) {
        self.order = order
        var e = [0.0]
        var s = 0.0
        for p in probabilities { s += p; e.append(s) }
        for k in e.indices { e[k] /= s }
        e[e.count - 1] = 1
        edges = e
    }

    /// The category code for u.
    @inlinable
    public func decode(_ u: Double) -> Int32 {
        var lo = 0, hi = order.count      // find k with edges[k] <= u < edges[k+1]
        while hi - lo > 1 { let mid = (lo + hi) / 2; if edges[mid] <= u { lo = mid } else { hi = mid } }
        return order[lo]
    }

    /// The u-interval of a category code, nil when the category was never observed.
    public func interval(of code: Int32) -> (Double, Double)? {
        guard let k = order.firstIndex(of: code), edges[k + 1] > edges[k] else { return nil }
        return (edges[k], edges[k + 1])
    }
}
