import DoppelData
import Foundation
import Crypto
import DoppelPrivacy

/// Where a model came from. Never contains training rows.
public struct Provenance: Codable, Sendable, Equatable {
    /// SHA-256 of the training file's bytes.
    public var trainingSHA256: String
    public var trainingRows: Int
    public var doppelVersion: String
    public var synthesizer: String
    public var seed: UInt64
    /// ISO 8601 time the model was fitted.
    public var createdAt: String
    /// Seconds spent fitting.
    public var fitSeconds: Double

    public init(trainingSHA256: String, trainingRows: Int, synthesizer: String, seed: UInt64, fitSeconds: Double, createdAt: Date = Date()) {
        self.trainingSHA256 = trainingSHA256
        self.trainingRows = trainingRows
        self.doppelVersion = DoppelVersion.current
        self.synthesizer = synthesizer
        self.seed = seed
        self.fitSeconds = fitSeconds
        let f = ISO8601DateFormatter()
        self.createdAt = f.string(from: createdAt)
    }
}

public enum DoppelVersion {
    public static let current = "0.1.0"
}

/// A privacy budget spent while fitting (empty for non-private synthesizers).
public struct PrivacySpent: Codable, Sendable, Equatable {
    public var epsilon: Double?
    public var delta: Double?
    /// One line per spending step ("ε = 0.01: parents of 'age' — exponential(…)").
    public var steps: [String]
    /// The full ledger, when the fit was differentially private.
    public var ledger: PrivacyLedger?
    public init(epsilon: Double? = nil, delta: Double? = nil, steps: [String] = []) { self.epsilon = epsilon; self.delta = delta; self.steps = steps }

    /// What a ledger spent.
    public init(ledger: PrivacyLedger) {
        let g = ledger.guarantee
        epsilon = g.epsilon; delta = g.delta
        let spent: (Double) -> String
        switch ledger.accounting {
        case .pureEpsilon: spent = { "ε = " + String(format: "%.4g", $0) }
        case .zeroConcentrated: spent = { "ρ = " + String(format: "%.4g", $0) }
        case .renyi: spent = { "ε = " + String(format: "%.4g", $0) + " (this entry alone, at δ = " + String(format: "%.3g", g.delta) + ")" }
        }
        steps = ledger.entries.map { "\(spent($0.amount)): \($0.step) — \($0.mechanism)" }
        self.ledger = ledger
    }
}

/// The `.doppel` model file: a one-line header with the format version and the SHA-256 of the body,
/// then the JSON body (schema, parameters, provenance, privacy spent).
///
/// ```
/// DOPPEL-MODEL 1 sha256=3f2a…
/// {"model": {...}, "provenance": {...}, "privacy": {...}}
/// ```
/// A file that is not a model, was truncated or altered (checksum mismatch), or comes from a newer
/// format version is refused with a clear error.
public struct ModelFile: Codable, Sendable, Equatable {
    public static let formatVersion = 1
    static let magic = "DOPPEL-MODEL"

    public var model: FittedModel
    public var provenance: Provenance
    public var privacy: PrivacySpent

    public init(model: FittedModel, provenance: Provenance, privacy: PrivacySpent = PrivacySpent()) {
        self.model = model; self.provenance = provenance; self.privacy = privacy
    }

    public func encoded() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let body = try enc.encode(self)
        let digest = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        var out = Data("\(ModelFile.magic) \(ModelFile.formatVersion) sha256=\(digest)\n".utf8)
        out.append(body)
        return out
    }

    /// Writes atomically (temporary file, then rename).
    public func write(to path: String) throws {
        try encoded().writeAtomically(toPath: path)
    }

    /// Whether the file at `path` starts with the model header (false when it cannot be read, and for
    /// anything but a regular file: peeking into a pipe would eat the bytes a CSV reader needs).
    public static func looksLikeModel(path: String) -> Bool {
        guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular,
              let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: magic.utf8.count + 1)) ?? Data()
        return head == Data((magic + " ").utf8)
    }

    public static func read(from path: String) throws -> ModelFile {
        guard FileManager.default.fileExists(atPath: path) else { throw DoppelError.inputMissing(path: path, reason: "no such model file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw DoppelError.inputMissing(path: path, reason: "cannot read file") }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String) throws -> ModelFile {
        if data.firstIndex(of: 0x0A) == nil, data.starts(with: Array((magic + " ").utf8)) {
            throw DoppelError.badModel(path: path, message: "model file is truncated (it ends inside its header)")
        }
        guard let newline = data.firstIndex(of: 0x0A),
              let header = String(data: data[data.startIndex..<newline], encoding: .utf8),
              header.hasPrefix(magic + " ") else {
            throw DoppelError.badModel(path: path, message: "not a Doppel model file (it does not start with '\(magic)')")
        }
        let parts = header.split(separator: " ")
        guard parts.count == 3, let version = Int(parts[1]), parts[2].hasPrefix("sha256=") else {
            throw DoppelError.badModel(path: path, message: "damaged model header")
        }
        guard version <= formatVersion else {
            throw DoppelError.badModel(path: path, message: "model format \(version) was written by a newer Doppel; this Doppel (\(DoppelVersion.current)) reads format \(formatVersion) — upgrade Doppel")
        }
        let body = data[(newline + 1)...]
        let digest = SHA256.hash(data: body).map { String(format: "%02x", $0) }.joined()
        guard "sha256=" + digest == parts[2] else {
            throw DoppelError.badModel(path: path, message: "model file is corrupt or truncated (checksum mismatch)")
        }
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let file: ModelFile
        do { file = try dec.decode(ModelFile.self, from: body) } catch {
            throw DoppelError.badModel(path: path, message: "model body cannot be read: \(ModelFile.describe(error))")
        }
        // A model that loads can sample: its parts must fit together (the checksum guards against damage,
        // not against a file that other code wrote).
        do { _ = try file.model.sampler(conditions: []) } catch DoppelError.badModel(_, let message) {
            throw DoppelError.badModel(path: path, message: message)
        }
        return file
    }
}

extension ModelFile {
    /// A decoding error in a few words: where in the model body, and what was wrong there.
    static func describe(_ error: Error) -> String {
        func at(_ path: [CodingKey]) -> String {
            guard !path.isEmpty else { return "" }
            return " at " + path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }
        }
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case .dataCorrupted(let c): return c.debugDescription + at(c.codingPath)
        case .keyNotFound(let key, let c): return "missing '\(key.stringValue)'" + at(c.codingPath)
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return c.debugDescription + at(c.codingPath)
        @unknown default: return "\(error)"
        }
    }
}

/// SHA-256 of a file's bytes, hex.
public func sha256Hex(ofFile path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw DoppelError.inputMissing(path: path, reason: "cannot read file") }
    return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}
