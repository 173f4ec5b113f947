import Foundation

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
    /// Start offset of each field (row-major, `rowCount × columnCount`), including an opening quote.
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

        var starts: [UInt32] = [], ends: [UInt32] = []
        var rowLines: [Int32] = []
        var header: [String] = []
        var rowStarts: [UInt32] = [], rowEnds: [UInt32] = []
        let expectedHint = bytes.count / 8
        starts.reserveCapacity(expectedHint); ends.reserveCapacity(expectedHint)

        try bytes.withUnsafeBufferPointer { buf in
            let n = buf.count
            var i = 0
            var line = 1
            var isHeader = true
            while i < n {
                // Skip blank lines.
                if buf[i] == 0x0A { i += 1; line += 1; continue }
                if buf[i] == 0x0D { i += 1; if i < n, buf[i] == 0x0A { i += 1 }; line += 1; continue }
                let rowLine = line
                rowStarts.removeAll(keepingCapacity: true); rowEnds.removeAll(keepingCapacity: true)
                var endOfRow = false
                while !endOfRow {
                    let fieldStart = i
                    if i < n, buf[i] == 0x22 {
                        // Quoted field.
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
                        let fieldEnd = i
                        if i < n, buf[i] != delimiter, buf[i] != 0x0A, buf[i] != 0x0D {
                            throw DoppelError.badInput(path: path, line: line, column: nil,
                                                       message: "unexpected character after a closing quote; quote the whole field and double any \" inside it")
                        }
                        rowStarts.append(UInt32(fieldStart)); rowEnds.append(UInt32(fieldEnd))
                    } else {
                        while i < n {
                            let c = buf[i]
                            if c == delimiter || c == 0x0A || c == 0x0D { break }
                            i += 1
                        }
                        rowStarts.append(UInt32(fieldStart)); rowEnds.append(UInt32(i))
                    }
                    if i >= n { endOfRow = true }
                    else if buf[i] == delimiter { i += 1; if i >= n { rowStarts.append(UInt32(n)); rowEnds.append(UInt32(n)); endOfRow = true } }
                    else {
                        if buf[i] == 0x0D { i += 1 }
                        if i < n, buf[i] == 0x0A { i += 1 }
                        line += 1
                        endOfRow = true
                    }
                }
                if isHeader {
                    header = zip(rowStarts, rowEnds).map { CSVDocument.decodeField(buf, Int($0), Int($1)) }
                    isHeader = false
                } else {
                    guard rowStarts.count == header.count else {
                        throw DoppelError.badInput(path: path, line: rowLine, column: nil,
                                                   message: "row has \(rowStarts.count) fields, the header has \(header.count)")
                    }
                    starts.append(contentsOf: rowStarts); ends.append(contentsOf: rowEnds)
                    rowLines.append(Int32(truncatingIfNeeded: rowLine))
                }
            }
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
        if rowLines.isEmpty {
            throw DoppelError.badInput(path: path, line: nil, column: nil, message: "file has a header but no data rows")
        }
        self.header = header.map { $0.trimmingCharacters(in: .whitespaces) }
        self.starts = starts; self.ends = ends; self.rowLines = rowLines
    }

    /// The text of a field with quotes removed and doubled quotes unescaped.
    public func string(row: Int, column: Int) -> String {
        let k = row * columnCount + column
        return bytes.withUnsafeBufferPointer { CSVDocument.decodeField($0, Int(starts[k]), Int(ends[k])) }
    }

    /// Calls `body` with the field's bytes, quotes stripped and surrounding spaces trimmed; a quoted
    /// field containing doubled quotes is unescaped into a temporary buffer.
    @inlinable
    public func withField<T>(row: Int, column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let k = row * columnCount + column
        var s = Int(starts[k]), e = Int(ends[k])
        return try bytes.withUnsafeBufferPointer { buf in
            if e > s, buf[s] == 0x22 {
                s += 1; e -= 1
                var hasEscapes = false
                var j = s
                while j < e { if buf[j] == 0x22 { hasEscapes = true; break }; j += 1 }
                if hasEscapes {
                    var tmp: [UInt8] = []
                    tmp.reserveCapacity(e - s)
                    j = s
                    while j < e { tmp.append(buf[j]); j += buf[j] == 0x22 ? 2 : 1 }
                    return try tmp.withUnsafeBufferPointer { try body($0) }
                }
            }
            while s < e, buf[s] == 0x20 || buf[s] == 0x09 { s += 1 }
            while e > s, buf[e - 1] == 0x20 || buf[e - 1] == 0x09 { e -= 1 }
            return try body(UnsafeBufferPointer(rebasing: buf[s..<e]))
        }
    }

    static func decodeField(_ buf: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
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
            var line = 1
            while i < n {
                let b = buf[i]
                if b < 0x80 { if b == 0x0A { line += 1 }; i += 1; continue }
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
        }
    }
}
