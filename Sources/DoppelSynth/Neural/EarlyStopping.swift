import Foundation
import DoppelMath

/// Optional early stopping of TVAE (`doppel fit --synthesizer tvae --patience N`): a share of the training
/// rows is set aside, and after every epoch the model's loss on them (the training objective, on rows it
/// never trained on) is recorded; training stops once that loss has not improved for `patience` epochs,
/// and the weights of the best epoch are kept.
///
/// A rise of the held-out loss while the training loss still falls is the model fitting its own rows
/// more closely than rows like them — the first sign of memorising them.
///
/// Improvement means a loss below the best so far by more than ``relativeDelta`` of its magnitude (at
/// least of 1: the loss of a model with learned output scales can be near 0 or negative):
///
/// ```swift
/// var rule = EarlyStopping(patience: 2)
/// rule.record(30.0, epoch: 0)   // improved
/// rule.record(31.0, epoch: 1)   // not improved, go on
/// rule.record(30.0, epoch: 2)   // not improved for 2 epochs: stop (best: epoch 0)
/// ```
struct EarlyStopping {
    static let relativeDelta = 1e-4
    let patience: Int
    private(set) var best = Double.infinity
    private(set) var bestEpoch = -1

    init(patience: Int) { self.patience = patience }

    /// Records epoch `epoch`'s held-out loss (epochs in order, from 0): whether it is the new best and
    /// whether training should stop after it.
    @discardableResult
    mutating func record(_ loss: Double, epoch: Int) -> (improved: Bool, stop: Bool) {
        if loss.isFinite && (best == .infinity || loss < best - Self.relativeDelta * max(abs(best), 1)) {
            best = loss; bestEpoch = epoch
            return (true, false)
        }
        // No stop before a first finite loss (a diverged model runs its epochs and is kept as it ends).
        return (false, bestEpoch >= 0 && epoch - bestEpoch >= patience)
    }

    /// Share of the training rows set aside for the held-out loss.
    static let heldOutShare = 0.1
    /// Fewest rows for which early stopping is offered: at 10%, 20 held-out rows.
    static let minimumRows = 200

    /// The rows set aside (a seeded choice of ``heldOutShare`` of `n`, in increasing order) and the rest.
    static func split(rows n: Int, seed: UInt64) -> (training: [Int], heldOut: [Int]) {
        var rng = SeededGenerator(seed: seed, stream: 0x686f6c64)
        let held = Set(rng.permutation(n).prefix(Int((Double(n) * heldOutShare).rounded())))
        return ((0..<n).filter { !held.contains($0) }, (0..<n).filter { held.contains($0) })
    }
}

/// What early stopping did in a fit, kept in the model file.
public struct EarlyStopRecord: Codable, Sendable, Equatable {
    /// Epochs without improvement after which training stops.
    public var patience: Int
    /// Rows trained on, and rows set aside for the held-out loss.
    public var trainingRows: Int
    public var heldOutRows: Int
    /// Epochs trained (the last one checked).
    public var epochsTrained: Int
    /// The epoch whose weights were kept (1-based), and its held-out loss per row.
    public var bestEpoch: Int
    public var bestLoss: Double
    /// Whether training stopped before the requested epochs.
    public var stoppedEarly: Bool
}
