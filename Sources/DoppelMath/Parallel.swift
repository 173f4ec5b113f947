import Foundation

/// A box that lets a value cross into a concurrent loop whose iterations touch disjoint parts of it.
public struct UncheckedSendable<T>: @unchecked Sendable {
    public var value: T
    public init(_ value: T) { self.value = value }
}

/// Runs `body` for every index in `0..<count` on all cores and returns the results in index order.
/// The first error thrown (by index) is rethrown after all iterations finish.
/// Use for coarse work items (whole columns, blocks of rows): each should take well over a millisecond.
public func parallelMap<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
    if count == 0 { return [] }
    var results = [Result<T, Error>?](repeating: nil, count: count)
    try withoutActuallyEscaping(body) { body in
        let f = UncheckedSendable(body)
        results.withUnsafeMutableBufferPointer { buffer in
            let out = UncheckedSendable(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: count) { i in
                (out.value + i).pointee = Result { try f.value(i) }
            }
        }
        _ = try results.map { try $0!.get() }
    }
    return results.map { try! $0!.get() }
}

/// Runs `body(lo, hi)` over `0..<count`: in one piece, or — with `cores` > 1 and `count` ≥ `minimum` — in
/// two halves [0, count/2) and [count/2, count) side by side. For element-wise work whose elements are
/// independent, so the result does not depend on the split.
public func inHalves(_ count: Int, cores: Int, minimum: Int, _ body: (Int, Int) -> Void) {
    guard cores > 1 && count >= minimum && count >= 2 else { body(0, count); return }
    withoutActuallyEscaping(body) { body in
        let f = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: 2) { h in h == 0 ? f.value(0, count / 2) : f.value(count / 2, count) }
    }
}
