import Foundation

/// Writes CSV to a file or standard output through a byte buffer, atomically for files.
///
/// A file is written to a temporary name beside the target and renamed into place by ``finish()``;
/// if the process fails first, ``abandon()`` removes the temporary file, so no partial output is
/// left behind. Numbers are printed with a fixed number of decimals when the column has one.
public final class CSVWriter {
    public let path: String
    private let handle: FileHandle
    private let temporaryPath: String?
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 20
    private var finished = false

    /// Opens `path` for writing (`-` is standard output).
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            handle = FileHandle.standardOutput
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
        }
        buffer.reserveCapacity(flushThreshold + 65536)
    }

    deinit { if !finished { abandon() } }

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
            throw DoppelError.output(path: path, reason: "\(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and moves the file into place.
    public func finish() throws {
        try flush()
        finished = true
        guard let tmp = temporaryPath else { return }
        try? handle.close()
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
    }

    /// Appends one field, quoted when it contains a delimiter, quote, line break or edge spaces.
    public static func appendField(_ s: String, to out: inout [UInt8]) {
        var needsQuotes = false
        for b in s.utf8 where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { needsQuotes = true; break }
        if let f = s.utf8.first, f == 0x20 || f == 0x09 { needsQuotes = true }
        if let l = s.utf8.last, l == 0x20 || l == 0x09 { needsQuotes = true }
        // A field that would read back as a missing token must be quoted... except that quoting does not
        // protect tokens in our reader, so we leave those as they are.
        if needsQuotes {
            out.append(0x22)
            for b in s.utf8 { if b == 0x22 { out.append(0x22) }; out.append(b) }
            out.append(0x22)
        } else {
            out.append(contentsOf: s.utf8)
        }
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
                // Digits are written least-significant first, then the new range is reversed in place.
                let first = out.count
                var written = 0
                repeat {
                    if written == d && d > 0 { out.append(0x2E) }
                    out.append(UInt8(0x30 + x % 10)); x /= 10; written += 1
                } while x > 0 || written <= d
                out[first...].reverse()
                return
            }
        }
        if v == v.rounded(), abs(v) < 1e15 { out.append(contentsOf: String(Int64(v)).utf8); return }
        out.append(contentsOf: v.description.utf8)
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

    /// The CSV lines of the given rows.
    public func csvRowBytes(_ rows: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * columns.count * 6)
        let levelBytes: [[[UInt8]]] = columns.map { col in
            if case .categorical(_, let levels) = col.values {
                return levels.map { var b: [UInt8] = []; CSVWriter.appendField($0, to: &b); return b }
            }
            return []
        }
        let decimals: [Int?] = schema.columns.map { $0.decimals ?? ($0.integer == true ? 0 : nil) }
        for i in rows {
            for (k, col) in columns.enumerated() {
                if k > 0 { out.append(0x2C) }
                switch col.values {
                case .numeric(let v):
                    let x = v[i]
                    if x.isNaN { continue }
                    if let f = schema.columns[k].format, schema.columns[k].kind == .datetime { f.format(x, into: &out) }
                    else { CSVWriter.appendNumber(x, decimals: decimals[k], to: &out) }
                case .categorical(let codes, _):
                    let c = codes[i]
                    if c >= 0 { out.append(contentsOf: levelBytes[k][Int(c)]) }
                case .text(let t):
                    if let s = t[i] { CSVWriter.appendField(s, to: &out) }
                }
            }
            out.append(0x0A)
        }
        return out
    }
}
