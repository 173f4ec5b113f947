import DoppelMath
import DoppelData
import Foundation

/// A slice `index` of `count` equal parts of a generation job (1-based: `3/8` is the third of eight).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 1, index <= count else {
            throw DoppelError.usage(message: "--shard must be k/n with 1 ≤ k ≤ n (got \(index)/\(count))")
        }
        self.index = index; self.count = count
    }

    public static func parse(_ s: String) throws -> Shard {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else {
            throw DoppelError.usage(message: "--shard must look like k/n, e.g. 3/8 (got '\(s)')")
        }
        return try Shard(index: k, count: n)
    }

    /// The global rows of this shard out of `total`: `[⌊total·(k−1)/n⌋, ⌊total·k/n⌋)`.
    public func rows(of total: Int) -> Range<Int> {
        // exact integer arithmetic (no overflow for any Int total)
        func part(_ k: Int) -> Int { count.dividingFullWidth(total.multipliedFullWidth(by: k)).quotient }
        let lo = part(index - 1)
        let hi = index == count ? total : part(index)
        return lo..<hi
    }

    public var description: String { "\(index)/\(count)" }
}

/// Streams synthetic rows to CSV in fixed blocks, in parallel, with memory independent of the row count.
///
/// Row `r` of a run always comes from block `r / blockSize` with random stream `(seed, block)`, so the
/// output is byte-identical for the same model and seed, and a shard holds exactly the rows a single
/// run would have placed there.
public enum Sampling {
    /// Rows per block. Part of the output definition: changing it changes the rows a seed gives.
    public static let blockSize = 4096

    /// The most rows one run may ask for: 10¹⁵ (a petabyte of CSV at one byte per row). Row numbers,
    /// block numbers and sequential identifiers then stay far from `Int`'s limit.
    public static let maxRows = 1_000_000_000_000_000

    /// What is wrong with `n` rows asked for with `-n` (outside 1 … ``maxRows``), or nil.
    public static func rowCountProblem(_ n: Int) -> String? {
        n <= 0 ? "-n must be a positive integer (got \(n))" : n > maxRows ? "-n must be at most 10^15 rows (got \(n))" : nil
    }

    /// Writes `total` rows (or the shard's part of them) with a header line.
    /// `progress` is called with the number of rows written so far.
    public static func stream(_ sampler: any BlockSampler, total: Int, seed: UInt64, shard: Shard? = nil,
                              to writer: CSVWriter, header: Bool = true, progress: ((Int) -> Void)? = nil) throws {
        if let problem = rowCountProblem(total) { throw DoppelError.usage(message: problem) }
        let range = shard?.rows(of: total) ?? 0..<total
        if header { try writer.write(sampler.schema.csvHeaderBytes()) }
        guard !range.isEmpty else { return }
        let firstBlock = range.lowerBound / blockSize
        let lastBlock = (range.upperBound - 1) / blockSize
        let groupSize = max(2, ProcessInfo.processInfo.activeProcessorCount) * 2
        var written = 0
        var b = firstBlock
        while b <= lastBlock {
            let count = min(groupSize, lastBlock - b + 1)
            let start = b
            let chunks = try parallelMap(count) { k -> [UInt8] in
                let block = start + k
                let blockStart = block * blockSize
                let rows = min(blockSize, total - blockStart)
                var rng = SeededGenerator(seed: seed, stream: UInt64(block))
                let table = sampler.sampleBlock(rows: rows, firstRow: blockStart, seed: seed, rng: &rng)
                let lo = max(range.lowerBound, blockStart) - blockStart
                let hi = min(range.upperBound, blockStart + rows) - blockStart
                return table.csvRowBytes(lo..<hi)
            }
            for chunk in chunks { try writer.write(chunk) }
            written = min(range.count, (b + count) * blockSize - range.lowerBound)
            progress?(written)
            b += count
        }
    }

    /// Samples `total` rows into memory (for evaluation and tests).
    public static func table(_ sampler: any BlockSampler, total: Int, seed: UInt64) -> Table {
        var parts: [Table] = []
        var start = 0
        var block = 0
        while start < total {
            let rows = min(blockSize, total - start)
            var rng = SeededGenerator(seed: seed, stream: UInt64(block))
            parts.append(sampler.sampleBlock(rows: rows, firstRow: start, seed: seed, rng: &rng))
            start += rows; block += 1
        }
        return Table.concatenate(parts, schema: sampler.schema)
    }
}

extension GaussianCopulaModel {
    /// Convenience: `n` rows in memory.
    public func sample(_ n: Int, seed: UInt64, conditions: [Condition] = []) throws -> Table {
        Sampling.table(try sampler(conditions: conditions), total: n, seed: seed)
    }
}

extension Table {
    /// Stacks tables with the same schema.
    public static func concatenate(_ parts: [Table], schema: Schema) -> Table {
        guard let first = parts.first else {
            return Table(schema: schema, columns: schema.columns.map { Column(name: $0.name, values: $0.missingValues(0)) })
        }
        var columns = first.columns
        for part in parts.dropFirst() {
            for k in columns.indices {
                switch (columns[k].values, part.columns[k].values) {
                case (.numeric(var a), .numeric(let b)): a.append(contentsOf: b); columns[k].values = .numeric(a)
                case (.categorical(var a, let l), .categorical(let b, _)): a.append(contentsOf: b); columns[k].values = .categorical(codes: a, levels: l)
                case (.text(var a), .text(let b)): a.append(contentsOf: b); columns[k].values = .text(a)
                default: break
                }
            }
        }
        return Table(schema: schema, columns: columns)
    }
}
