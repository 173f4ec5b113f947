import Foundation
import DoppelMath
import DoppelNeural
import DoppelPrivacy

/// Differentially private CTGAN training. The critic is the only part that reads rows, so it is trained
/// with DP-SGD; the generator learns only through the critic (post-processing). Changes from the
/// non-private loop, each needed for the guarantee:
/// - the real rows of a step are a Poisson sample (rate q = batch/rows) packed `pac` at a time (the
///   rows left over are dropped), not rows drawn by category (training by sampling reads every row's
///   category); each real row is paired with a conditional vector naming its own category of a column
///   drawn at random;
/// - each real pack's gradient — of −D(real pack) and of its gradient-penalty term — is clipped to C
///   (by the sum of the two norms, an upper bound of their sum's norm), summed, Gaussian noise σC is
///   added and the sum divided by the expected number of packs; the fake term, which reads no row, is
///   averaged over the expected number of packs unclipped;
/// - the category counts behind the conditional vectors are released once with Gaussian noise
///   (L2 sensitivity √K for K categorical columns: a row moves one count in each);
/// - the encoding uses only the schema (modes over public bounds).
/// Both releases are composed in Rényi DP: σ is calibrated for 90% of ε on its own, then the count noise
/// is the smallest that keeps the composition within (ε, δ).
final class PrivateCritic {
    let ledger: PrivacyLedger
    let noiseMultiplier: Double
    let countNoise: Double
    let sampleRate: Double
    let clip: Float
    let expectedPacks: Float
    let rows: Int

    init(epsilon: Double, delta: Double, rows n: Int, batch: Int, steps: Int, categoricalColumns k: Int, clip: Float) {
        let q = min(1, Double(batch) / Double(n))
        let orders = RDPAccountant.defaultOrders
        let sigma = RDPAccountant.noiseMultiplier(epsilon: k > 0 ? 0.9 * epsilon : epsilon, delta: delta, sampleRate: q, steps: steps)
        let sgd = RDPAccountant.rdp(noiseMultiplier: sigma, sampleRate: q, steps: steps)
        var ledger = PrivacyLedger(epsilon: epsilon, delta: delta, orders: orders)
        var countNoise = 0.0
        if k > 0 {
            // Gaussian mechanism, sensitivity √K, noise s per count: RDP(α) = α·K/(2s²).
            func curve(_ s: Double) -> [Double] { orders.map { $0 * Double(k) / (2 * s * s) } }
            func total(_ s: Double) -> Double {
                RDPAccountant.epsilon(rdp: zip(sgd, curve(s)).map { $0 + $1 }, orders: orders, delta: delta).epsilon
            }
            var lo = 1e-3, hi = 1.0
            while total(hi) > epsilon { lo = hi; hi *= 2 }
            while hi - lo > 1e-4 * hi { let mid = (lo + hi) / 2; if total(mid) > epsilon { lo = mid } else { hi = mid } }
            countNoise = hi
            ledger.spend("category counts of the \(k) categorical columns (conditional vectors)",
                         mechanism: "Gaussian (σ = \(String(format: "%.4g", hi)) per count, L2 sensitivity √\(k))", rdp: curve(hi))
        }
        ledger.spend("DP-SGD on the critic: \(steps) steps of Poisson-sampled rows (q = \(String(format: "%.4g", q))) packed \(CTGAN.pac) at a time, per-pack gradients clipped to C = \(clip)",
                     mechanism: "subsampled Gaussian (σ = \(String(format: "%.4g", sigma)))", rdp: sgd)
        self.ledger = ledger
        noiseMultiplier = sigma
        self.countNoise = countNoise
        sampleRate = q
        self.clip = clip
        expectedPacks = Float(max(q * Double(n) / Double(CTGAN.pac), 1e-9))
        rows = n
    }

    /// One private critic step; returns the critic loss (for progress lines).
    func criticStep(critic: CTGANDiscriminator, optimizer: Adam, generator: CTGANGenerator, conditions: ConditionSpace,
                    data: Tensor, embedding: Int, rng: inout SeededGenerator) -> Double {
        let pac = CTGAN.pac
        var sample: [Int] = []
        for i in 0..<rows where rng.nextUniform() < sampleRate { sample.append(i) }
        let m = sample.count / pac * pac
        optimizer.zeroGradients()
        defer {
            let sd = Float(noiseMultiplier) * clip / expectedPacks
            for p in critic.parameters { p.gradient.addNoise(sd: sd, rng: &rng) }
            optimizer.update()
        }
        guard m > 0 else { return 0 }
        let packs = m / pac
        let real = data.gatherRows(Array(sample.prefix(m)))
        var c2 = Tensor(rows: m, cols: conditions.width)
        if !conditions.columns.isEmpty {
            for i in 0..<m {
                let k = rng.nextInt(below: conditions.columns.count)
                c2[i, conditions.columns[k].conditionStart + conditions.category(of: sample[i], column: k, data: data)] = 1
            }
        }
        let (c1, _, _) = conditions.sampleTraining(m, rng: &rng)
        let z = CTGAN.gaussian(m, embedding, &rng)
        var ctx = ForwardContext(training: true, rng: rng)
        let fake = generator.forward(Tensor.concatenateColumns([z, c1]), &ctx).activated
        let realPacked = CTGAN.packed(Tensor.concatenateColumns([real, c2]))
        let fakePacked = CTGAN.packed(Tensor.concatenateColumns([fake, c1]))
        let both = Tensor(rows: 2 * packs, cols: realPacked.cols, values: realPacked.values + fakePacked.values)
        let scores = critic.network.forward(both, &ctx)
        var dScores = Tensor(rows: 2 * packs, cols: 1)
        var meanReal = 0.0, meanFake = 0.0
        for r in 0..<packs {
            dScores.values[r] = -1; dScores.values[packs + r] = 1
            meanReal += Double(scores.values[r]); meanFake += Double(scores.values[packs + r])
        }
        critic.network.backwardParameters(dScores, mode: .perSample)
        var mainNorms = [Float](repeating: 0, count: 2 * packs)
        critic.network.addPerSampleSquaredNorms(&mainNorms)
        rng = ctx.rng
        var realWeights = [Float](repeating: 0, count: packs)
        let c = clip, e = expectedPacks
        let (penalty, grads) = critic.gradientPenaltyAndGradient(real: realPacked, fake: fakePacked, lambda: 10, rng: &rng) { gpNorms in
            for r in 0..<packs { realWeights[r] = min(1, c / max(mainNorms[r].squareRoot() + gpNorms[r], 1e-12)) / e }
            return realWeights
        }
        critic.network.accumulateWeighted(realWeights + [Float](repeating: 1 / e, count: packs))
        critic.addPenaltyGradient(grads)
        return (meanFake - meanReal) / Double(packs) + penalty / Double(packs)
    }
}
