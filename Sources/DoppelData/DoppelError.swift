import Foundation

/// Every error Doppel reports to a user, with the context needed to fix the input.
///
/// Messages name the file, line and column where they apply. Values from identifier columns are
/// never put into a message (the caller passes `nil` for them).
public enum DoppelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file that should be read does not exist or cannot be opened.
    case inputMissing(path: String, reason: String)
    /// The input's content is malformed (CSV structure, encoding, schema mismatch, bad value).
    case badInput(path: String, line: Int?, column: String?, message: String)
    /// The schema file or the schema given does not fit the data.
    case schema(message: String)
    /// A model file is corrupt, truncated or from an unsupported version.
    case badModel(path: String, message: String)
    /// An output cannot be created or written.
    case output(path: String, reason: String)
    /// A command-line value is out of range or inconsistent.
    case usage(message: String)
    /// A condition given to a sampler cannot be met by the model.
    case condition(message: String)

    public var description: String {
        switch self {
        case let .inputMissing(path, reason):
            return "\(path): \(reason)"
        case let .badInput(path, line, column, message):
            var where_ = path
            if let line { where_ += ":\(line)" }
            if let column { where_ += " (column '\(column)')" }
            return "\(where_): \(message)"
        case let .schema(message):
            return "schema: \(message)"
        case let .badModel(path, message):
            return "\(path): \(message)"
        case let .output(path, reason):
            return "\(path): cannot write output: \(reason)"
        case let .usage(message):
            return message
        case let .condition(message):
            return "condition: \(message)"
        }
    }

    /// The process exit code documented in the README (sysexits.h values).
    public var exitCode: Int32 {
        switch self {
        case .usage: return 64          // EX_USAGE
        case .badInput, .schema, .condition: return 65  // EX_DATAERR
        case .inputMissing: return 66   // EX_NOINPUT
        case .badModel: return 65
        case .output: return 73         // EX_CANTCREAT
        }
    }
}

extension Data {
    /// Writes these bytes to `path` atomically (a temporary file, then a rename); a failure is a
    /// ``DoppelError/output(path:reason:)`` naming the path.
    public func writeAtomically(toPath path: String) throws {
        do { try write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw DoppelError.output(path: path, reason: (error as NSError).localizedDescription)
        }
    }
}

/// "1 row", "2 rows": a count with its noun, singular for one (messages and reports).
public func counted(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }
