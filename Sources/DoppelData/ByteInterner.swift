/// Maps byte strings to dense integer codes without allocating a `String` per lookup.
///
/// Open addressing over FNV-1a hashes; the distinct byte strings are kept in one arena. Used to
/// count distinct values during inference and to encode categorical columns while reading.
public struct ByteInterner {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    /// Number of distinct values seen.
    public var count: Int { hashes.count }

    /// The code of `bytes`, adding it when new.
    public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let h = fnv1a(UnsafeRawBufferPointer(bytes))
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let code = slots[slot]
            if code < 0 { break }
            if hashes[Int(code)] == h && equals(Int(code), bytes) { return code }
            slot = (slot + 1) & mask
        }
        let code = Int32(hashes.count)
        hashes.append(h)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        slots[slot] = code
        if hashes.count * 2 > slots.count { grow() }
        return code
    }

    /// The code of `bytes` if it has been seen.
    public func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        let h = fnv1a(UnsafeRawBufferPointer(bytes))
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let code = slots[slot]
            if code < 0 { return nil }
            if hashes[Int(code)] == h && equals(Int(code), bytes) { return code }
            slot = (slot + 1) & mask
        }
    }

    /// The string for a code.
    public func string(_ code: Int32) -> String {
        let s = offsets[Int(code)], e = offsets[Int(code) + 1]
        return arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[s..<e]), as: UTF8.self) }
    }

    /// All strings in code order.
    public var strings: [String] { (0..<count).map { string(Int32($0)) } }

    private func equals(_ code: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = offsets[code], e = offsets[code + 1]
        guard e - s == bytes.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            for k in 0..<bytes.count where a[s + k] != bytes[k] { return false }
            return true
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        for (code, h) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: h) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(code)
        }
    }
}

import DoppelMath
