/// SipHash-2-4 (Aumasson & Bernstein, 2012): a keyed pseudorandom function with a 128-bit key and
/// 64-bit output, fast on short inputs. Doppel uses it as the round function of its format-preserving
/// pseudonyms, with keys derived from the site key by HMAC-SHA256 (``DeidKey``).
public struct SipHash: Sendable {
    let k0: UInt64, k1: UInt64

    public init(k0: UInt64, k1: UInt64) { self.k0 = k0; self.k1 = k1 }

    @inline(__always) static func rotl(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 - b)) }

    /// The 64-bit tag of `bytes`, with a 64-bit `tweak` mixed in first (so one key serves many uses).
    public func hash(_ bytes: UnsafeRawBufferPointer, tweak: UInt64 = 0) -> UInt64 {
        var v0: UInt64 = 0x736f6d6570736575 ^ k0
        var v1: UInt64 = 0x646f72616e646f6d ^ k1
        var v2: UInt64 = 0x6c7967656e657261 ^ k0
        var v3: UInt64 = 0x7465646279746573 ^ k1
        @inline(__always) func round() {
            v0 = v0 &+ v1; v1 = SipHash.rotl(v1, 13); v1 ^= v0; v0 = SipHash.rotl(v0, 32)
            v2 = v2 &+ v3; v3 = SipHash.rotl(v3, 16); v3 ^= v2
            v0 = v0 &+ v3; v3 = SipHash.rotl(v3, 21); v3 ^= v0
            v2 = v2 &+ v1; v1 = SipHash.rotl(v1, 17); v1 ^= v2; v2 = SipHash.rotl(v2, 32)
        }
        @inline(__always) func compress(_ m: UInt64) { v3 ^= m; round(); round(); v0 ^= m }
        compress(tweak)
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            var m: UInt64 = 0
            for k in 0..<8 { m |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            compress(m)
            i += 8
        }
        var last = UInt64(truncatingIfNeeded: n + 8) << 56
        for k in 0..<(n - i) { last |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
        compress(last)
        v2 ^= 0xff
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    public func hash(_ bytes: [UInt8], tweak: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, tweak: tweak) }
    }
}
