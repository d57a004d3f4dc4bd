//! A running lower bound on the `n`-th largest of a stream of scores, at the cost of a counter
//! increment per score: a histogram over fixed bins of the score range. The scan raises its
//! threshold with it after every candidate, so it drops hopeless tracks as early as an exact
//! running `n`-th best would (a heap updated per candidate cost a fifth of a query at 66k
//! tracks; a select every `n` candidates let the threshold lag and twice as many tracks in).

/// The range the bins cover: a taste score is a mean of cosines minus at most
/// `dislike_weight` (0.5 in the product) times a cosine, so its lower bound lies above about −1.5;
/// any value outside still counts, in the first or last bin.
const LO: f32 = -1.5;
const HI: f32 = 1.0;
/// Bins: 0.0003 wide, well below a scan bound (about 0.003), so the bound trails the exact
/// `n`-th best by a bin or two.
const BINS: usize = 8192;
const PER_UNIT: f32 = BINS as f32 / (HI - LO);

/// See the module. Invariant: `above` counts the values pushed into bins `at..`, and it is at
/// least `n` whenever `at > 0`.
#[derive(Debug, Clone)]
pub struct NthBest {
    n: usize,
    bins: Vec<u32>,
    at: usize,
    above: usize,
}

impl NthBest {
    /// A bound for the `n`-th largest (`n ≥ 1`).
    pub fn new(n: usize) -> NthBest {
        NthBest {
            n: n.max(1),
            bins: vec![0; BINS],
            at: 0,
            above: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, x: f32) {
        // a saturating cast: below the range (and NaN) to bin 0, which only ever lowers the bound
        let b = (((x - LO) * PER_UNIT) as usize).min(BINS - 1);
        // (a slice: a `Vec` index stayed a call in the size-optimised wasm)
        let bins = self.bins.as_mut_slice();
        bins[b] += 1;
        if b >= self.at {
            self.above += 1;
            // (the loop stops before the last bin: at least n values lie above `at` while it runs)
            while self.above - bins[self.at] as usize >= self.n {
                self.above -= bins[self.at] as usize;
                self.at += 1;
            }
        }
    }

    /// At most the `n`-th largest value pushed so far; −∞ until `n` values were. At least `n`
    /// values lie in bins `at..`, so at or above bin `at`'s lower edge; the edge one bin lower
    /// leaves room for the rounding of the bin arithmetic.
    #[inline]
    pub fn bound(&self) -> f32 {
        if self.at < 2 {
            f32::NEG_INFINITY
        } else {
            LO + (self.at - 1) as f32 / PER_UNIT
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng64;

    #[test]
    fn never_above_the_nth_best_and_close_to_it() {
        let mut rng = Rng64::new(3);
        for n in [1, 7, 400] {
            let mut nth = NthBest::new(n);
            let mut seen: Vec<f32> = Vec::new();
            for k in 0..5000 {
                // mostly in range, some outside, a NaN now and then
                let x = match k % 97 {
                    0 => f32::NAN,
                    1 => -3.0,
                    2 => 1.7,
                    _ => rng.next_f32() * 2.2 - 1.4,
                };
                nth.push(x);
                seen.push(if x.is_nan() { f32::NEG_INFINITY } else { x });
                let mut sorted = seen.clone();
                sorted.sort_by(|a, b| b.total_cmp(a));
                let bound = nth.bound();
                match sorted.get(n - 1) {
                    None => assert_eq!(bound, f32::NEG_INFINITY),
                    Some(&exact) => {
                        assert!(bound <= exact, "n {n}: bound {bound} above {exact}");
                        if exact > LO + 2.0 / PER_UNIT && exact < HI {
                            assert!(exact - bound < 3.0 / PER_UNIT, "n {n}: {bound} vs {exact}");
                        }
                    }
                }
            }
        }
    }
}
