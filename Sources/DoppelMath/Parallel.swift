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
