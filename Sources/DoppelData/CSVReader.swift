import Foundation
import DoppelKernels
import DoppelMath

/// A parsed CSV file: the raw bytes plus the byte range of every field, with no per-field allocation.
///
/// The reader follows RFC 4180 (quoted fields with embedded delimiters, doubled quotes and line
/// breaks; CRLF or LF line ends), skips a UTF-8 byte-order mark, rejects invalid UTF-8, detects the
/// delimiter (comma, semicolon or tab) from the header line, and skips blank lines. Every error names
/// the file and line.
///
/// ```swift
/// let doc = try CSVDocument(path: "patients.csv")
/// print(doc.header, doc.rowCount, doc.string(row: 0, column: 2))
/// ```
public struct CSVDocument: Sendable {
    /// The path used in messages.
    public let path: String
    /// The column names, in file order.
    public let header: [String]
    /// The field delimiter found in the header line.
    public let delimiter: UInt8
    /// Number of data rows (blank lines are not rows).
    public var rowCount: Int { rowLines.count }
    public var columnCount: Int { header.count }

    @usableFromInline let bytes: [UInt8]
    /// Start offset of each field (column-major, `columnCount × rowCount`), including an opening quote.
    @usableFromInline let starts: [UInt32]
    /// End offset (exclusive) of each field, including a closing quote.
    @usableFromInline let ends: [UInt32]
    /// 1-based line number where each data row starts.
    public let rowLines: [Int32]

    /// Reads and parses the file at `path`.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DoppelError.inputMissing(path: path, reason: "no such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DoppelError.inputMissing(path: path, reason: "cannot read file (permissions, or a directory?)")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Parses CSV bytes; `path` is used in messages only.
    public init(bytes input: [UInt8], path: String) throws {
        self.path = path
        var bytes = input
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes.removeFirst(3) }
        guard bytes.count < Int(UInt32.max) else {
            throw DoppelError.badInput(path: path, line: nil, column: nil, message: "file is larger than 4 GiB; split it first")
        }
        if let (line, offset) = CSVDocument.firstInvalidUTF8(bytes) {
            throw DoppelError.badInput(path: path, line: line, column: nil,
                                       message: "invalid UTF-8 byte 0x\(String(bytes[offset], radix: 16, uppercase: true)); save the file as UTF-8")
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw DoppelError.badInput(path: path, line: nil, column: nil, message: "file is empty")
        }
        let delimiter = CSVDocument.detectDelimiter(bytes)
        self.delimiter = delimiter
        self.bytes = bytes

        // Header first, then the body in two halves parsed in parallel (split after a newline that is
        // outside quotes, found by quote parity), then the halves are joined in order.
        let (header, bodyStart, bodyLine) = try bytes.withUnsafeBufferPointer { buf in
            try CSVDocument.parseHeader(buf, delimiter: delimiter, path: path)
        }
        // Header checks.
        var seen = Set<String>()
        for (index, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                throw DoppelError.badInput(path: path, line: 1, column: nil, message: "column \(index + 1) of the header has no name")
            }
            if !seen.insert(name).inserted {
                throw DoppelError.badInput(path: path, line: 1, column: name, message: "duplicate column name")
            }
        }
        let n = bytes.count
        var chunks: [(Int, Int, Int)] = [(bodyStart, n, bodyLine)]
        if n - bodyStart > 4 << 20, let (split, splitLine) = bytes.withUnsafeBufferPointer({ CSVDocument.splitPoint($0, from: bodyStart, firstLine: bodyLine) }) {
            chunks = [(bodyStart, split, bodyLine), (split, n, splitLine)]
        }
        let bytesCopy = bytes
        let parts = try parallelMap(chunks.count) { k in
            try bytesCopy.withUnsafeBufferPointer { buf in
                try CSVDocument.parseRows(buf, from: chunks[k].0, to: chunks[k].1, firstLine: chunks[k].2,
                                          width: header.count, delimiter: delimiter, path: path)
            }
        }
        let starts = parts.flatMap { $0.0 }, ends = parts.flatMap { $0.1 }
        let rowLines = parts.flatMap { $0.2 }
        if rowLines.isEmpty {
            throw DoppelError.badInput(path: path, line: nil, column: nil, message: "file has a header but no data rows")
        }
        self.header = header.map { $0.trimmingCharacters(in: .whitespaces) }
        // Column-major offsets: every consumer walks one column at a time.
        let rows = rowLines.count, cols = header.count
        func transpose(_ a: [UInt32]) -> [UInt32] {
            var t = [UInt32](repeating: 0, count: a.count)
            t.withUnsafeMutableBufferPointer { tb in
                a.withUnsafeBufferPointer { ab in
                    let blk = 256
                    var r0 = 0
                    while r0 < rows {
                        let r1 = min(rows, r0 + blk)
                        for c in 0..<cols { for r in r0..<r1 { tb[c &* rows &+ r] = ab[r &* cols &+ c] } }
                        r0 = r1
                    }
                }
            }
            return t
        }
        self.starts = transpose(starts); self.ends = transpose(ends); self.rowLines = rowLines
    }

    /// Parses the header line; returns the names, the offset after it and the next line number.
    static func parseHeader(_ buf: UnsafeBufferPointer<UInt8>, delimiter: UInt8, path: String) throws -> ([String], Int, Int) {
        var i = 0, line = 1
        let n = buf.count
        while i < n, buf[i] == 0x0A || buf[i] == 0x0D { if buf[i] == 0x0A { line += 1 }; i += 1 }
        var end = i
        var inQuotes = false
        while end < n {
            let c = buf[end]
            if c == 0x22 { inQuotes.toggle() }
            else if !inQuotes && (c == 0x0A || c == 0x0D) { break }
            end += 1
        }
        var next = end
        if next < n, buf[next] == 0x0D { next += 1 }
        if next < n, buf[next] == 0x0A { next += 1 }
        let (s, e, _) = try parseRows(buf, from: i, to: end, firstLine: line, width: nil, delimiter: delimiter, path: path)
        let names = zip(s, e).map { decodeField(buf, Int($0), Int($1)) }
        return (names, next, line + 1 + buf[i..<end].filter { $0 == 0x0A }.count)
    }

    /// A row boundary near the middle of [from, n): just after a newline with an even number of quotes
    /// before it (so not inside a quoted field). Returns nil when there is none.
    static func splitPoint(_ buf: UnsafeBufferPointer<UInt8>, from: Int, firstLine: Int) -> (Int, Int)? {
        let n = buf.count
        let mid = from + (n - from) / 2
        var quotes = 0, newlines = 0
        for k in from..<mid { let c = buf[k]; quotes &+= c == 0x22 ? 1 : 0; newlines &+= c == 0x0A ? 1 : 0 }
        var k = mid
        while k < n {
            let c = buf[k]
            if c == 0x22 { quotes += 1 }
            else if c == 0x0A { newlines += 1; if quotes % 2 == 0 { return k + 1 < n ? (k + 1, firstLine + newlines) : nil } }
            k += 1
        }
        return nil
    }

    /// Parses rows in [from, to) (every row must have `width` fields when given).
    static func parseRows(_ buf: UnsafeBufferPointer<UInt8>, from: Int, to n: Int, firstLine: Int, width: Int?,
                          delimiter: UInt8, path: String) throws -> ([UInt32], [UInt32], [Int32]) {
        var offsets = OffsetBuffer(capacity: (n - from) / 6 + 16)
        defer { offsets.free() }
        var rowLines: [Int32] = []
        var stop = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        func mark(_ b: UInt8) {
            switch b >> 6 {
            case 0: stop.0 |= 1 << UInt64(b & 63)
            case 1: stop.1 |= 1 << UInt64(b & 63)
            case 2: stop.2 |= 1 << UInt64(b & 63)
            default: stop.3 |= 1 << UInt64(b & 63)
            }
        }
        mark(delimiter); mark(0x0A); mark(0x0D)
        let stop0 = stop.0, stop1 = stop.1
        @inline(__always) func isStop(_ b: UInt8) -> Bool {
            b < 64 ? (stop0 >> UInt64(b)) & 1 == 1 : (b < 128 ? (stop1 >> UInt64(b & 63)) & 1 == 1 : false)
        }
        var i = from
        var line = firstLine
        while i < n {
            // Skip blank lines.
            if buf[i] == 0x0A { i += 1; line += 1; continue }
            if buf[i] == 0x0D { i += 1; if i < n, buf[i] == 0x0A { i += 1 }; line += 1; continue }
            let rowLine = line
            let rowFirstField = offsets.count
            var endOfRow = false
            while !endOfRow {
                let fieldStart = i
                if i < n, buf[i] == 0x22 {
                    i += 1
                    var closed = false
                    while i < n {
                        let c = buf[i]
                        if c == 0x22 {
                            if i + 1 < n, buf[i + 1] == 0x22 { i += 2; continue }
                            i += 1; closed = true; break
                        }
                        if c == 0x0A { line += 1 }
                        i += 1
                    }
                    guard closed else {
                        throw DoppelError.badInput(path: path, line: rowLine, column: nil,
                                                   message: "unterminated quoted field (a \" opened here is never closed)")
                    }
                    if i < n, buf[i] != delimiter, buf[i] != 0x0A, buf[i] != 0x0D {
                        throw DoppelError.badInput(path: path, line: line, column: nil,
                                                   message: "unexpected character after a closing quote; quote the whole field and double any \" inside it")
                    }
                } else {
                    while i < n && !isStop(buf[i]) { i += 1 }
                }
                offsets.append(UInt32(truncatingIfNeeded: fieldStart), UInt32(truncatingIfNeeded: i))
                if i >= n { endOfRow = true }
                else if buf[i] == delimiter {
                    i += 1
                    if i >= n { offsets.append(UInt32(n), UInt32(n)); endOfRow = true }
                } else {
                    if buf[i] == 0x0D { i += 1 }
                    if i < n, buf[i] == 0x0A { i += 1 }
                    line += 1
                    endOfRow = true
                }
            }
            let fields = offsets.count - rowFirstField
            if let width, fields != width {
                throw DoppelError.badInput(path: path, line: rowLine, column: nil,
                                           message: "row has \(fields) field\(fields == 1 ? "" : "s"), the header has \(width)")
            }
            rowLines.append(Int32(truncatingIfNeeded: rowLine))
            if width == nil { break }
        }
        return (offsets.array(offsets.starts), offsets.array(offsets.ends), rowLines)
    }

    /// The text of a field with quotes removed and doubled quotes unescaped.
    public func string(row: Int, column: Int) -> String {
        let k = column * rowCount + row
        return bytes.withUnsafeBufferPointer { CSVDocument.decodeField($0, Int(starts[k]), Int(ends[k])) }
    }

    /// Calls `body` with raw access to every field (the fast path for whole-column loops).
    @inlinable
    public func withFields<T>(_ body: (FieldAccess) throws -> T) rethrows -> T {
        try bytes.withUnsafeBufferPointer { b in
            try starts.withUnsafeBufferPointer { s in
                try ends.withUnsafeBufferPointer { e in
                    try body(FieldAccess(bytes: b, starts: s, ends: e, rows: rowLines.count))
                }
            }
        }
    }

    public static func decodeField(_ buf: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        if e > s, buf[s] == 0x22 {
            var out: [UInt8] = []
            var j = s + 1
            while j < e - 1 { out.append(buf[j]); j += buf[j] == 0x22 ? 2 : 1 }
            return String(decoding: out, as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: buf[s..<e]), as: UTF8.self)
    }

    static func detectDelimiter(_ bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var inQuotes = false
        for b in bytes {
            if b == 0x22 { inQuotes.toggle(); continue }
            if !inQuotes, b == 0x0A { break }
            if !inQuotes, counts[b] != nil { counts[b]! += 1 }
        }
        let best = counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }!
        return best.value > 0 ? best.key : 0x2C
    }

    /// Line number and offset of the first invalid UTF-8 sequence, or nil.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (Int, Int)? {
        return bytes.withUnsafeBufferPointer { buf -> (Int, Int)? in
            let n = buf.count
            var i = 0
            let line = 0
            let raw = UnsafeRawPointer(buf.baseAddress!)
            while i < n {
                // Fast path: 8 ASCII bytes at a time (lines are counted only when an error is reported).
                while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
                if i >= n { break }
                let b = buf[i]
                if b < 0x80 { i += 1; continue }
                var need = 0
                var minCode: UInt32 = 0
                var code: UInt32 = 0
                if b & 0xE0 == 0xC0 { need = 1; code = UInt32(b & 0x1F); minCode = 0x80 }
                else if b & 0xF0 == 0xE0 { need = 2; code = UInt32(b & 0x0F); minCode = 0x800 }
                else if b & 0xF8 == 0xF0 { need = 3; code = UInt32(b & 0x07); minCode = 0x10000 }
                else { return (line, i) }
                for k in 1...need {
                    guard i + k < n, buf[i + k] & 0xC0 == 0x80 else { return (line, i) }
                    code = (code << 6) | UInt32(buf[i + k] & 0x3F)
                }
                if code < minCode || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) { return (line, i) }
                i += need + 1
            }
            return nil
        }.map { (_, offset) in
            // Count the lines up to the bad byte.
            var line = 1
            for k in 0..<offset where bytes[k] == 0x0A { line += 1 }
            return (line, offset)
        }
    }
}

/// Raw, bounds-unchecked access to a parsed CSV's fields for tight loops.
public struct FieldAccess {
    public let bytes: UnsafeBufferPointer<UInt8>
    public let starts: UnsafeBufferPointer<UInt32>
    public let ends: UnsafeBufferPointer<UInt32>
    public let rows: Int
    public static let prefetchDistance = 12

    @inlinable
    public init(bytes: UnsafeBufferPointer<UInt8>, starts: UnsafeBufferPointer<UInt32>, ends: UnsafeBufferPointer<UInt32>, rows: Int) {
        self.bytes = bytes; self.starts = starts; self.ends = ends; self.rows = rows
    }

    /// The field's bytes with surrounding quotes stripped and spaces trimmed (unquoted fields).
    /// `escaped` is true when a quoted field contains doubled quotes: use ``unescaped(row:column:)`` then.
    @inlinable @inline(__always)
    public func field(_ row: Int, _ column: Int, escaped: inout Bool) -> UnsafeBufferPointer<UInt8> {
        let k = column &* rows &+ row
        var s = Int(starts[k]), e = Int(ends[k])
        let base = bytes.baseAddress!
        // Fields of one column lie a row apart: fetch the one a few rows ahead now.
        if row &+ FieldAccess.prefetchDistance < rows { doppel_prefetch(base + Int(starts[k &+ FieldAccess.prefetchDistance])) }
        escaped = false
        if e > s, base[s] == 0x22 {
            s += 1; e -= 1
            var j = s
            while j < e { if base[j] == 0x22 { escaped = true; break }; j += 1 }
            return UnsafeBufferPointer(start: base + s, count: e - s)
        }
        while s < e, base[s] == 0x20 || base[s] == 0x09 { s += 1 }
        while e > s, base[e - 1] == 0x20 || base[e - 1] == 0x09 { e -= 1 }
        return UnsafeBufferPointer(start: base + s, count: e - s)
    }

    /// A quoted field's content with doubled quotes unescaped.
    public func unescaped(_ row: Int, _ column: Int) -> [UInt8] {
        let k = column * rows + row
        let s = Int(starts[k]) + 1, e = Int(ends[k]) - 1
        var out: [UInt8] = []
        var j = s
        while j < e { out.append(bytes[j]); j += bytes[j] == 0x22 ? 2 : 1 }
        return out
    }

    /// Calls `body` with the field's final bytes (unescaped when needed).
    @inlinable @inline(__always)
    public func with<T>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        var escaped = false
        let f = field(row, column, escaped: &escaped)
        if !escaped { return try body(f) }
        return try unescaped(row, column).withUnsafeBufferPointer { try body($0) }
    }
}

/// Growable start/end offset storage written without Array's per-append checks.
struct OffsetBuffer {
    var starts: UnsafeMutablePointer<UInt32>
    var ends: UnsafeMutablePointer<UInt32>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        starts = .allocate(capacity: capacity); ends = .allocate(capacity: capacity)
    }

    @inline(__always) mutating func append(_ s: UInt32, _ e: UInt32) {
        if count == capacity { grow() }
        starts[count] = s; ends[count] = e; count += 1
    }

    mutating func grow() {
        let c = capacity * 2
        let s = UnsafeMutablePointer<UInt32>.allocate(capacity: c), e = UnsafeMutablePointer<UInt32>.allocate(capacity: c)
        s.update(from: starts, count: count); e.update(from: ends, count: count)
        starts.deallocate(); ends.deallocate()
        starts = s; ends = e; capacity = c
    }

    func array(_ p: UnsafeMutablePointer<UInt32>) -> [UInt32] { Array(UnsafeBufferPointer(start: p, count: count)) }
    func free() { starts.deallocate(); ends.deallocate() }
}
