/// FNV-1a 64-bit hash of bytes; used for hashing byte slices without allocating Strings.
@inlinable
public func fnv1a(_ p: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}
