/// A fast, seedable, splittable pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Every random step in Doppel takes one of these, so the same seed always gives the same output.
/// Independent streams for blocks, shards or workers come from ``init(seed:stream:)``: the pair
/// `(seed, stream)` is mixed by SplitMix64, so stream `b` of seed `s` never depends on how many
/// numbers other streams consumed. That is what makes sharded generation exact.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let u = rng.nextUniform()          // in [0, 1)
/// var block7 = SeededGenerator(seed: 42, stream: 7)
/// ```
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// Creates the generator for `seed` (stream 0).
    public init(seed: UInt64) { self.init(seed: seed, stream: 0) }

    /// Creates an independent stream `stream` of `seed`.
    public init(seed: UInt64, stream: UInt64) {
        var sm = SplitMix64(state: seed ^ 0x9E37_79B9_7F4A_7C15)
        var mixed = sm.next() ^ (stream &* 0xD1B5_4A32_D192_ED03)
        var sm2 = SplitMix64(state: mixed)
        s0 = sm2.next(); s1 = sm2.next(); s2 = sm2.next(); s3 = sm2.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
        mixed = 0
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in the open interval (0, 1): never exactly 0 or 1.
    @inlinable
    public mutating func nextOpenUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A uniform integer in `0..<n` (Lemire's nearly-divisionless method).
    @inlinable
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0)
        return Int(truncatingIfNeeded: next(upperBound: UInt64(n)))
    }

    /// Shuffles `array` in place by Fisher–Yates with this generator. Unlike the standard library's
    /// `shuffle(using:)`, whose algorithm may change between Swift releases, the result is fixed forever.
    @inlinable
    public mutating func shuffle<T>(_ array: inout [T]) {
        for i in stride(from: array.count - 1, to: 0, by: -1) { array.swapAt(i, nextInt(below: i + 1)) }
    }

    /// A seeded permutation of `0..<n` (see ``shuffle(_:)``).
    @inlinable
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }

    /// A standard normal draw (Box–Muller on two uniforms; one draw per call, deterministic).
    @inlinable
    public mutating func nextNormal() -> Double {
        let u1 = nextOpenUniform()
        let u2 = nextUniform()
        return (-2.0 * _log(u1)).squareRoot() * _cos(2.0 * Double.pi * u2)
    }
}

/// SplitMix64, used only to expand seeds (Steele, Lea & Flood 2014).
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
