//! The rating head (64 → 32 → 1 on a track's embedding, optionally with the listener's profile)
//! and its loss.

use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

use super::{dropout_mask, Embedding, EMB, HIDDEN};
use crate::rng::Rng64;

/// What the rating head sees for a (listener, track) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadInput {
    /// The track's 32-d embedding only (the base design). Input width 32.
    Embedding,
    /// `[e, p ⊙ e]`: the embedding and its elementwise product with the listener's profile
    /// (mean embedding of the likes). Input width 64. Lets the head learn a weighted,
    /// listener-specific similarity instead of one global taste.
    EmbeddingProfile,
}

impl HeadInput {
    /// Input width of the head's first layer.
    pub fn width(self) -> usize {
        match self {
            HeadInput::Embedding => EMB,
            HeadInput::EmbeddingProfile => 2 * EMB,
        }
    }
    /// Stable tag stored in the weights file.
    pub fn tag(self) -> u8 {
        match self {
            HeadInput::Embedding => 0,
            HeadInput::EmbeddingProfile => 1,
        }
    }
    /// Inverse of [`HeadInput::tag`].
    pub fn from_tag(t: u8) -> Option<Self> {
        match t {
            0 => Some(HeadInput::Embedding),
            1 => Some(HeadInput::EmbeddingProfile),
            _ => None,
        }
    }
    /// Whether the head needs a listener profile.
    pub fn uses_profile(self) -> bool {
        self == HeadInput::EmbeddingProfile
    }

    /// Row-major head input for the given tracks (`profile` ignored by `Embedding`; a zero profile
    /// is used when it is needed but absent).
    pub fn build(
        self,
        embeddings: &[Embedding],
        rows: &[usize],
        profile: Option<&Embedding>,
    ) -> Vec<f32> {
        let w = self.width();
        let mut v = Vec::with_capacity(rows.len() * w);
        let zero = [0.0f32; EMB];
        let p = profile.unwrap_or(&zero);
        for &r in rows {
            let e = &embeddings[r];
            v.extend_from_slice(e);
            if self == HeadInput::EmbeddingProfile {
                v.extend(e.iter().zip(p.iter()).map(|(a, b)| a * b));
            }
        }
        v
    }
}

/// The rating head: Dense 64 → ReLU → Dropout 0.2 → Dense 32 → ReLU → Dropout 0.2 → Dense 1
/// (linear output: a logit; `sigmoid(logit)` is the like-probability).
#[derive(Module, Debug)]
pub struct RatingHead {
    pub fc1: Linear,
    pub drop1: Dropout,
    pub fc2: Linear,
    pub drop2: Dropout,
    pub out: Linear,
}

impl RatingHead {
    /// Dropout probability of both dropout layers.
    pub const DROPOUT: f64 = 0.2;

    /// Fresh head for inputs of width `d_in`.
    pub fn new(d_in: usize, device: &Device) -> Self {
        Self {
            fc1: LinearConfig::new(d_in, HIDDEN).init(device),
            drop1: DropoutConfig::new(Self::DROPOUT).init(),
            fc2: LinearConfig::new(HIDDEN, 32).init(device),
            drop2: DropoutConfig::new(Self::DROPOUT).init(),
            out: LinearConfig::new(32, 1).init(device),
        }
    }

    /// Input width of this head.
    pub fn d_in(&self) -> usize {
        self.fc1.weight.dims()[0]
    }

    /// Logits `[n, 1]` without dropout.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward_masked(x, None)
    }

    /// Logits with explicit dropout masks.
    pub fn forward_masked(&self, x: Tensor<2>, masks: Option<(Tensor<2>, Tensor<2>)>) -> Tensor<2> {
        let (m1, m2) = match masks {
            Some((a, b)) => (Some(a), Some(b)),
            None => (None, None),
        };
        let h = relu(self.fc1.forward(x));
        let h = match m1 {
            Some(m) => h * m,
            None => h,
        };
        let h = relu(self.fc2.forward(h));
        let h = match m2 {
            Some(m) => h * m,
            None => h,
        };
        self.out.forward(h)
    }

    /// Training forward with fresh dropout masks drawn from `rng`.
    pub fn forward_train(&self, x: Tensor<2>, rng: &mut Rng64) -> Tensor<2> {
        let n = x.dims()[0];
        let dev = x.device();
        let m1 = dropout_mask(rng, n, HIDDEN, self.drop1.prob, &dev);
        let m2 = dropout_mask(rng, n, 32, self.drop2.prob, &dev);
        self.forward_masked(x, Some((m1, m2)))
    }
}

/// Numerically stable binary cross-entropy on logits, averaged: `softplus(z) - y z`.
pub fn bce_with_logits(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    // softplus(z) = max(z,0) + ln(1 + exp(-|z|))
    let sp = relu(logits.clone()) + logits.clone().abs().neg().exp().log1p();
    (sp - logits * targets).mean()
}
