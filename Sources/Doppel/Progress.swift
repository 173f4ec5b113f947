import Foundation

/// A one-line progress bar on standard error.
public enum Progress {
    public static func bar(done: Int, total: Int, started: Date, label: String) {
        let frac = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let width = 30
        let filled = Int(frac * Double(width))
        let elapsed = Date().timeIntervalSince(started)
        let eta = frac > 0 ? elapsed * (1 - frac) / frac : 0
        let line = "\r\(label) [\(String(repeating: "█", count: filled))\(String(repeating: "·", count: width - filled))] \(Int(frac * 100))%  \(done)/\(total)  ETA \(Int(eta.rounded())) s "
        FileHandle.standardError.write(Data(line.utf8))
    }
    public static func finish() { FileHandle.standardError.write(Data("\n".utf8)) }
}
