import Foundation
import Crypto
import DoppelData

/// The site's secret key for pseudonyms and date shifts. The same key gives the same pseudonym for the
/// same person in every file and run; another key gives unrelated ones. The key is never written to
/// any output: only a short fingerprint (an HMAC of a fixed label) identifies which key was used.
public struct DeidKey: Sendable {
    private let material: [UInt8]
    /// Minimum key material: 32 bytes (256 bits).
    public static let minimumBytes = 32

    /// Reads a key file: 64 or more hexadecimal characters (as written by `doppel keygen`), or at least
    /// 32 bytes of raw key material. Missing, short or low-variety keys are errors.
    public init(file path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DoppelError.inputMissing(path: path, reason: "key file not found; create one with: doppel keygen -o \(path)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DoppelError.inputMissing(path: path, reason: "key file cannot be read")
        }
        try self.init(material: [UInt8](data), source: path)
    }

    public init(material raw: [UInt8], source: String = "key") throws {
        var bytes = raw
        while let l = bytes.last, l == 10 || l == 13 || l == 32 || l == 9 { bytes.removeLast() }
        while let f = bytes.first, f == 10 || f == 13 || f == 32 || f == 9 { bytes.removeFirst() }
        var material = bytes
        if bytes.count >= 2 * DeidKey.minimumBytes, bytes.count % 2 == 0, bytes.allSatisfy(ValuePatterns.isHex) {
            material = stride(from: 0, to: bytes.count, by: 2).map { UInt8(String(decoding: bytes[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
        }
        guard material.count >= DeidKey.minimumBytes else {
            throw DoppelError.usage(message: "\(source): the key is too short (\(material.count) bytes; at least \(DeidKey.minimumBytes) bytes or \(2 * DeidKey.minimumBytes) hex characters are needed). Create one with: doppel keygen -o site.key")
        }
        guard Set(material).count >= 12 else {
            throw DoppelError.usage(message: "\(source): the key is too weak (it repeats a few byte values). Create a random one with: doppel keygen -o site.key")
        }
        self.material = material
    }

    /// 32 random bytes from the operating system's generator, as 64 hex characters.
    public static func generateHex() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<DeidKey.minimumBytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    /// HMAC-SHA256(key, label): 32 bytes of key-derived material for one purpose.
    public func derive(_ label: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(("doppel/deid/v1/" + label).utf8), using: SymmetricKey(data: material)))
    }

    /// A SipHash PRF keyed for one purpose.
    public func prf(_ label: String) -> SipHash {
        let d = derive(label)
        func word(_ o: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(d[o + $1]) << (8 * UInt64($1)) } }
        return SipHash(k0: word(0), k1: word(8))
    }

    /// 8 hex characters that tell keys apart without revealing them.
    public var fingerprint: String { derive("fingerprint").prefix(4).map { String(format: "%02x", $0) }.joined() }
}
