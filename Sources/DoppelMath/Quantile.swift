/// The p-quantile of values sorted ascending, by linear interpolation between the two nearest order
/// statistics: with h = (n − 1)·p, s[⌊h⌋] + (h − ⌊h⌋)·(s[⌊h⌋ + 1] − s[⌊h⌋]) (Hyndman & Fan's type 7,
/// numpy's default). `sorted` must be non-empty and p in [0, 1].
public func interpolatedQuantile(sorted s: [Double], _ p: Double) -> Double {
    precondition(!s.isEmpty && p >= 0 && p <= 1)
    let h = Double(s.count - 1) * p
    let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, s.count - 1)
    return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
}
