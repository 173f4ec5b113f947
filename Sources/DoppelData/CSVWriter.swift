import Foundation

/// Writes CSV to a file or standard output through a byte buffer, atomically for files.
///
/// A file is written to a temporary name beside the target and renamed into place by ``finish()``;
/// if the process fails first, ``abandon()`` removes the temporary file, so no partial output is
/// left behind, and ``PartialFiles`` removes it if a signal stops the process. Numbers are printed with
/// a fixed number of decimals when the column has one.
public final class CSVWriter {
    public let path: String
    private let handle: FileHandle
    private let temporaryPath: String?
    /// The temporary file's slot in ``PartialFiles`` (removed there if a signal stops the process).
    private var partialSlot: Int?
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 20
    private var finished = false

    /// Opens `path` for writing (`-` is standard output; a character device such as `/dev/null` is
    /// written directly).
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardOutput
            temporaryPath = nil
        } else if try Self.isDevice(path, devices: true) {
            guard let h = FileHandle(forWritingAtPath: path) else { throw DoppelError.output(path: path, reason: "permission denied") }
            handle = h
            temporaryPath = nil
        } else {
            let url = URL(fileURLWithPath: path)
            let dir = url.deletingLastPathComponent().path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir.isEmpty ? "." : dir, isDirectory: &isDir), isDir.boolValue else {
                throw DoppelError.output(path: path, reason: "directory \(dir) does not exist")
            }
            let tmp = dir + "/." + url.lastPathComponent + ".doppel-partial-\(getpid())"
            guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp) else {
                throw DoppelError.output(path: path, reason: "permission denied or read-only location")
            }
            handle = h
            temporaryPath = tmp
            partialSlot = PartialFiles.register(tmp)
        }
        buffer.reserveCapacity(flushThreshold + 65536)
    }

    deinit { if !finished { abandon() } }

    /// Whether an existing `path` is a character device (such as `/dev/null`) that may be written
    /// directly when `devices` is true; refuses a folder or any other file that is not a regular one.
    /// A path that does not exist yet is not a device.
    public static func isDevice(_ path: String, devices: Bool) throws -> Bool {
        guard let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType, type != .typeRegular else { return false }
        if devices && type == .typeCharacterSpecial { return true }
        throw DoppelError.output(path: path, reason: type == .typeDirectory ? "it is a folder; give a file path" : "it is not a regular file")
    }

    /// Appends raw bytes.
    @inlinable public func write(_ bytes: [UInt8]) throws {
        try append(bytes)
    }

    @usableFromInline func append(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try flush() }
    }

    public func writeRow(_ fields: [String]) throws {
        var line: [UInt8] = []
        for (k, f) in fields.enumerated() {
            if k > 0 { line.append(0x2C) }
            CSVWriter.appendField(f, to: &line)
        }
        line.append(0x0A)
        try append(line)
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch {
            throw DoppelError.output(path: path, reason: Self.reason(error))
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and moves the file into place.
    public func finish() throws {
        try flush()
        finished = true
        guard let tmp = temporaryPath else { return }
        try? handle.close()
        defer { forgetPartial() }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: tmp, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw DoppelError.output(path: path, reason: "\(error.localizedDescription)")
        }
    }

    /// Removes the temporary file without publishing it.
    public func abandon() {
        finished = true
        if let tmp = temporaryPath {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: tmp)
        }
        forgetPartial()
    }

    /// The system's words for a failed write (such as "File too large" or "No space left on device"),
    /// not Foundation's generic "The operation could not be completed".
    static func reason(_ error: Error) -> String {
        var e = error as NSError
        while e.domain != NSPOSIXErrorDomain, let inner = e.userInfo[NSUnderlyingErrorKey] as? NSError { e = inner }
        return e.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32(e.code))) : error.localizedDescription
    }

    private func forgetPartial() {
        if let slot = partialSlot { PartialFiles.unregister(slot); partialSlot = nil }
    }

    /// Appends one field, quoted when it contains a delimiter, quote, line break or edge spaces.
    public static func appendField(_ s: String, to out: inout [UInt8]) {
        appendField(bytes: s.utf8, to: &out)
    }

    /// Appends one field given as UTF-8 bytes, quoted when needed (see ``appendField(_:to:)``).
    @inlinable
    public static func appendField(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var needsQuotes = false
        for b in bytes where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { needsQuotes = true; break }
        if let f = bytes.first, f == 0x20 || f == 0x09 { needsQuotes = true }
        if let l = bytes.last, l == 0x20 || l == 0x09 { needsQuotes = true }
        if !needsQuotes { out.append(contentsOf: bytes); return }
        out.append(0x22)
        for b in bytes { if b == 0x22 { out.append(0x22) }; out.append(b) }
        out.append(0x22)
    }

    /// Appends one field given as UTF-8 bytes, quoted when needed (see ``appendField(_:to:)``).
    public static func appendField<C: Collection>(bytes: C, to out: inout [UInt8]) where C.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ appendField(bytes: $0, to: &out) }) { return done }
        Array(bytes).withUnsafeBufferPointer { appendField(bytes: $0, to: &out) }
    }

    /// Appends `v` with exactly `decimals` digits after the point (no point when 0), or the shortest
    /// round-tripping form when `decimals` is nil or the scaled value is too large for exact integers.
    @inlinable
    public static func appendNumber(_ v: Double, decimals: Int?, to out: inout [UInt8]) {
        if let d = decimals, d <= 9 {
            let scale = pow10Table[d]
            let scaled = (v * scale).rounded()
            if abs(scaled) < 9.0e15 {
                var x = Int64(scaled)
                if x < 0 { out.append(0x2D); x = -x }
                // Digits are written least-significant first into a stack buffer, then appended reversed.
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buf in
                    var n = 0, written = 0
                    repeat {
                        if written == d && d > 0 { buf[n] = 0x2E; n += 1 }
                        buf[n] = UInt8(truncatingIfNeeded: 0x30 + x % 10); n += 1; x /= 10; written += 1
                    } while x > 0 || written <= d
                    var i = 0, j = n - 1
                    while i < j { let t = buf[i]; buf[i] = buf[j]; buf[j] = t; i += 1; j -= 1 }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0..<n]))
                }
                return
            }
        }
        if v == v.rounded(), abs(v) < 1e15 { out.append(contentsOf: String(Int64(v)).utf8); return }
        out.append(contentsOf: v.description.utf8)
    }

    /// How tables write numbers: with the column's `decimals` when that writes `v` exactly (up to float
    /// noise), else in the shortest round-tripping form. Synthetic values are already rounded to the
    /// decimals; a real value with more digits (``ColumnSpec/decimals`` covers 99% of a column's values)
    /// is written unrounded, so `split`, `hybrid` and `collapse` never alter real values.
    @inlinable
    public static func appendValue(_ v: Double, decimals: Int?, to out: inout [UInt8]) {
        if let d = decimals, d <= 9 {
            let scaled = v * pow10Table[d]
            if abs(scaled - scaled.rounded()) > 1e-9 * Swift.max(1, abs(scaled)) { return appendNumber(v, decimals: nil, to: &out) }
        }
        appendNumber(v, decimals: decimals, to: &out)
    }

    /// ``appendValue(_:decimals:to:)`` in the file's own style: at least `written` decimals (a column of
    /// whole numbers written `97.0` keeps its `.0`) and no trailing zeros beyond them (`45.0`, not `45.00`,
    /// beside `33.45`). The value is the same; only its text follows the input's. Without `written` (or
    /// beyond 9 decimals, or when the value is written in full) this is appendValue.
    public static func appendValue(_ v: Double, decimals: Int?, written: Int?, to out: inout [UInt8]) {
        guard let m = written, let d = decimals, m <= 17, m != d else { return appendValue(v, decimals: decimals, to: &out) }
        let start = out.count
        appendValue(v, decimals: d <= 9 ? Swift.max(d, m) : d, to: &out)
        // Exponent forms (1e+20) and non-finite values are left as they are.
        if out[start...].contains(where: { $0 == 0x65 || $0 == 0x45 || $0 == 0x6E || $0 == 0x69 }) { return }
        guard let dot = out[start...].firstIndex(of: 0x2E) else {
            // Written without decimals (whole, or more than 9 decimals asked): pad to m.
            if m > 0 { out.append(0x2E); out.append(contentsOf: repeatElement(0x30, count: m)) }
            return
        }
        var end = out.count
        while end - dot - 1 < m { out.append(0x30); end += 1 }
        while end - dot - 1 > m && out[end - 1] == 0x30 { end -= 1 }
        if end == dot + 1 { end = dot }
        out.removeSubrange(end..<out.count)
    }

    @usableFromInline static let pow10Table: [Double] = (0...9).map { pow(10.0, Double($0)) }
}

extension Schema {
    /// The CSV header line.
    public func csvHeaderBytes() -> [UInt8] {
        var out: [UInt8] = []
        for (k, c) in columns.enumerated() { if k > 0 { out.append(0x2C) }; CSVWriter.appendField(c.name, to: &out) }
        out.append(0x0A)
        return out
    }
}

extension Table {
    /// Writes the table to a new CSV file at `path` (see ``writeCSV(to:header:)``).
    public func writeCSV(toPath path: String) throws {
        let writer = try CSVWriter(path: path)
        try writeCSV(to: writer)
        try writer.finish()
    }

    /// Writes the table as CSV (header + rows) in the schema's formats.
    public func writeCSV(to writer: CSVWriter, header: Bool = true) throws {
        if header { try writer.write(schema.csvHeaderBytes()) }
        var start = 0
        while start < rowCount {
            let end = min(rowCount, start + 16384)
            try writer.write(csvRowBytes(start..<end))
            start = end
        }
    }

    /// The CSV lines of the given rows. Each column is formatted in one pass into a shared byte arena
    /// (no per-cell enum matching), then the cells are interleaved into lines.
    public func csvRowBytes(_ rows: Range<Int>) -> [UInt8] {
        let n = rows.count, cols = columns.count
        var arena: [UInt8] = []
        arena.reserveCapacity(n * cols * 6)
        var ends = [Int](repeating: 0, count: n * cols)      // column-major cell end offsets
        for (k, col) in columns.enumerated() {
            let spec = schema.columns[k]
            let base = k * n
            switch col.values {
            case .numeric(let v):
                let decimals = spec.decimals ?? (spec.integer == true ? 0 : nil)
                let format = spec.kind == .datetime ? spec.format : nil
                v.withUnsafeBufferPointer { vb in
                    for (r, i) in rows.enumerated() {
                        let x = vb[i]
                        if !x.isNaN {
                            if let f = format { f.format(x, into: &arena) } else { CSVWriter.appendValue(x, decimals: decimals, written: spec.writtenDecimals, to: &arena) }
                        }
                        ends[base + r] = arena.count
                    }
                }
            case .categorical(let codes, let levels):
                var levelBytes: [UInt8] = [], levelEnds: [Int] = [0]
                for l in levels { CSVWriter.appendField(l, to: &levelBytes); levelEnds.append(levelBytes.count) }
                levelBytes.withUnsafeBufferPointer { lb in
                    codes.withUnsafeBufferPointer { cb in
                        for (r, i) in rows.enumerated() {
                            let c = Int(cb[i])
                            if c >= 0 { arena.append(contentsOf: UnsafeBufferPointer(rebasing: lb[levelEnds[c]..<levelEnds[c + 1]])) }
                            ends[base + r] = arena.count
                        }
                    }
                }
            case .text(let t):
                for (r, i) in rows.enumerated() {
                    if let s = t[i] { CSVWriter.appendField(s, to: &arena) }
                    ends[base + r] = arena.count
                }
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(arena.count + n * cols + n)
        arena.withUnsafeBufferPointer { ab in
            ends.withUnsafeBufferPointer { eb in
                for r in 0..<n {
                    for k in 0..<cols {
                        if k > 0 { out.append(0x2C) }
                        let idx = k * n + r
                        let start = idx == 0 ? 0 : eb[idx - 1]
                        let end = eb[idx]
                        if end > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: ab[start..<end])) }
                    }
                    out.append(0x0A)
                }
            }
        }
        return out
    }
}
