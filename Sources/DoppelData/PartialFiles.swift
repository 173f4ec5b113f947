import Foundation

/// Temporary output files to remove if the process is stopped by a signal.
///
/// ``CSVWriter`` writes to a hidden temporary file beside its target and renames it into place when
/// done. An error removes the temporary file (``CSVWriter/abandon()``); a signal would not, so the
/// writer registers the file here. The first registration installs handlers for SIGINT, SIGTERM,
/// SIGHUP and SIGQUIT that unlink every registered file and then end the process with the signal's
/// default action (so the exit status still tells which signal stopped it). SIGXFSZ (a file-size limit,
/// `ulimit -f`) is ignored instead, so the write fails with an error the writer reports and cleans up.
///
/// The handler only reads a fixed table of C strings and calls `unlink`, which is async-signal-safe.
/// Registered strings are never freed (a process registers a handful), so the handler cannot read
/// freed memory when it runs during an unregistration.
public enum PartialFiles {
    static let capacity = 64

    /// The table of registered paths (nil: free slot). Created, and the handlers installed, on first use.
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        table.initialize(repeating: nil, count: capacity)
        return table
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var installed = false

    /// Registers `path` for removal on a signal; returns its slot, or nil when the table is full (the
    /// file is then only removed on errors, as before).
    public static func register(_ path: String) -> Int? {
        lock.lock(); defer { lock.unlock() }
        let table = slots
        if !installed {
            installed = true
            for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { signal(sig, removeAndResignal) }
            signal(SIGXFSZ, SIG_IGN)
        }
        for i in 0..<capacity where table[i] == nil {
            table[i] = strdup(path)
            return i
        }
        return nil
    }

    /// Forgets the file in `slot` (it was renamed into place or removed).
    public static func unregister(_ slot: Int) {
        lock.lock(); defer { lock.unlock() }
        slots[slot] = nil
    }
}

/// Unlinks every registered temporary file, then lets the signal end the process as it would have.
private let removeAndResignal: @convention(c) (Int32) -> Void = { sig in
    let table = PartialFiles.slots
    for i in 0..<PartialFiles.capacity { if let p = table[i] { unlink(p) } }
    signal(sig, SIG_DFL)
    raise(sig)
}
