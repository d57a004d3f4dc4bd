//! What a fine-tune learned, per feature: how much more (or less) the tuned head's score rises
//! when one feature rises, compared with the shipped head.
//!
//! For each sampled track and each of the 16 features, the feature is moved by ±[`STEP`] (clamped
//! to [0, 1]), the track re-encoded and scored by both heads; the central difference gives each
//! head's slope (logit per unit of the feature). The result is the mean over the tracks of
//! `(tuned slope − shipped slope) × 0.1`: the change in logit a +0.1 rise of the feature adds
//! under the tuned head beyond what it added under the shipped one. Finite differences through
//! the encoder and the head run the same natively and in wasm (plain f32 loops, see `dense`).

use super::{DenseHead, Embedding, Head};
use crate::catalog::features::{Features, N_FEATURES};
use crate::catalog::Context;

/// Half-width of the finite difference, in scaled-feature units.
pub const STEP: f32 = 0.05;
/// The effect is reported per this rise of a feature.
pub const PER: f32 = 0.1;

/// Mean change, tuned minus shipped, of the head's logit per +[`PER`] of each feature over
/// `rows` (with `profile` for heads that use one). Zero everywhere when `rows` is empty.
pub fn feature_shift(
    encode: impl Fn(&Features, &Context) -> Embedding,
    rows: &[(Features, Context)],
    shipped: &Head,
    tuned: &Head,
    profile: Option<&Embedding>,
) -> [f32; N_FEATURES] {
    let (hs, ht) = (
        DenseHead::new(shipped, profile),
        DenseHead::new(tuned, profile),
    );
    let mut sum = [0.0f64; N_FEATURES];
    for (f, c) in rows {
        for (k, s) in sum.iter_mut().enumerate() {
            let (mut up, mut down) = (*f, *f);
            up[k] = (f[k] + STEP).min(1.0);
            down[k] = (f[k] - STEP).max(0.0);
            let dx = up[k] - down[k];
            if dx <= 0.0 {
                continue;
            }
            let (eu, ed) = (encode(&up, c), encode(&down, c));
            let tuned_slope = (ht.score(&eu) - ht.score(&ed)) / dx;
            let shipped_slope = (hs.score(&eu) - hs.score(&ed)) / dx;
            let d = f64::from((tuned_slope - shipped_slope) * PER);
            if d.is_finite() {
                *s += d;
            }
        }
    }
    let n = rows.len().max(1) as f64;
    std::array::from_fn(|k| (sum[k] / n) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{cpu, HeadInput};

    #[test]
    fn the_same_head_learned_nothing() {
        let h = Head::new(HeadInput::Embedding, &cpu());
        let rows = vec![([0.5; N_FEATURES], Context::default()); 3];
        let enc = |f: &Features, _: &Context| -> Embedding { std::array::from_fn(|j| f[j % 16]) };
        assert_eq!(feature_shift(enc, &rows, &h, &h, None), [0.0; N_FEATURES]);
        assert_eq!(feature_shift(enc, &[], &h, &h, None), [0.0; N_FEATURES]);
    }
}
