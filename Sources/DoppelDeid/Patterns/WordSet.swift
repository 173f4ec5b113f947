/// A set of words looked up straight from bytes, case-insensitively, without building Strings: each
/// word is stored as the FNV-1a hash of its lower-cased bytes (64 bits; a false match among a few
/// thousand listed words is a ~10⁻¹³ event).
public struct WordSet: Sendable {
    var hashes: Set<UInt64>

    public init<S: Sequence>(_ words: S) where S.Element == String {
        hashes = Set(words.map { WordSet.hash(Array($0.lowercased().utf8)[...]) })
    }

    @inline(__always) static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in bytes { h = (h ^ UInt64(c >= 65 && c <= 90 ? c + 32 : c)) &* 0x100_0000_01b3 }
        return h
    }

    /// Whether `b[s..<e]` is in the set (ignoring case).
    @inline(__always) public func contains(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var i = s
        while i < e { let c = b[i]; h = (h ^ UInt64(c >= 65 && c <= 90 ? c + 32 : c)) &* 0x100_0000_01b3; i += 1 }
        return hashes.contains(h)
    }

    public func contains(_ word: String) -> Bool { hashes.contains(WordSet.hash(Array(word.utf8)[...])) }
}
