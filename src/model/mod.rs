//! Networks: the paper's autoencoder, the rating head and the paper's TrackIdNet.
//!
//! All code here is backend-agnostic burn code (tensors live on a [`Device`]) and compiles for
//! wasm32. Dropout masks come from our own seeded [`Rng64`] instead of the backend's global RNG,
//! so training and the personal fine-tune are deterministic for a seed, natively and in wasm.

use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Embedding, EmbeddingConfig, Linear,
    LinearConfig,
};
use burn::prelude::*;
use burn::tensor::activation::relu;

use crate::rng::Rng64;

/// Input features per track (the catalog's 16 scaled features).
pub const N_IN: usize = 16;
/// Hidden width of the autoencoder and the head's first layer.
pub const HIDDEN: usize = 64;
/// Bottleneck size: each track's embedding.
pub const EMB: usize = 32;
/// One embedding.
pub type Embedding32 = [f32; EMB];

/// The default CPU device (burn ndarray backend).
#[allow(deprecated)]
pub fn cpu() -> Device {
    Device::ndarray()
}

/// The default CPU device with autodiff, for training.
pub fn cpu_autodiff() -> Device {
    cpu().autodiff()
}

/// A `[rows, cols]` dropout mask already scaled by `1/(1-p)`, drawn from `rng`.
pub fn dropout_mask(
    rng: &mut Rng64,
    rows: usize,
    cols: usize,
    p: f64,
    device: &Device,
) -> Tensor<2> {
    let keep = 1.0 - p as f32;
    let scale = 1.0 / keep;
    let v: Vec<f32> = (0..rows * cols)
        .map(|_| if rng.next_f32() < keep { scale } else { 0.0 })
        .collect();
    Tensor::from_data(TensorData::new(v, [rows, cols]), device)
}

/// `[rows, cols]` row-major data to a tensor.
pub fn tensor2(v: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v, [rows, cols]), device)
}

/// A tensor back to row-major `f32`s.
pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .unwrap_or_default()
}

/// The paper's autoencoder:
/// 16 → Dense 64 → BatchNorm → Dropout 0.3 → ReLU → 32 (bottleneck)
///    → Dense 64 → BatchNorm → Dropout 0.3 → ReLU → 16.
#[derive(Module, Debug)]
pub struct Autoencoder {
    pub enc1: Linear,
    pub enc_bn: BatchNorm,
    pub enc_drop: Dropout,
    pub enc2: Linear,
    pub dec1: Linear,
    pub dec_bn: BatchNorm,
    pub dec_drop: Dropout,
    pub dec2: Linear,
}

impl Autoencoder {
    /// Dropout probability of both dropout layers.
    pub const DROPOUT: f64 = 0.3;

    /// Fresh randomly initialised network on `device`.
    pub fn new(device: &Device) -> Self {
        Self {
            enc1: LinearConfig::new(N_IN, HIDDEN).init(device),
            enc_bn: BatchNormConfig::new(HIDDEN).init(device),
            enc_drop: DropoutConfig::new(Self::DROPOUT).init(),
            enc2: LinearConfig::new(HIDDEN, EMB).init(device),
            dec1: LinearConfig::new(EMB, HIDDEN).init(device),
            dec_bn: BatchNormConfig::new(HIDDEN).init(device),
            dec_drop: DropoutConfig::new(Self::DROPOUT).init(),
            dec2: LinearConfig::new(HIDDEN, N_IN).init(device),
        }
    }

    /// Bottleneck embedding `[n, 32]` (inference: running BatchNorm stats on a plain device, no dropout).
    pub fn encode(&self, x: Tensor<2>) -> Tensor<2> {
        self.encode_masked(x, None)
    }

    /// Reconstruction `[n, 16]` (inference).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward_masked(x, None)
    }

    fn encode_masked(&self, x: Tensor<2>, mask: Option<Tensor<2>>) -> Tensor<2> {
        let h = self.enc_bn.forward(self.enc1.forward(x));
        let h = match mask {
            Some(m) => h * m,
            None => h,
        };
        self.enc2.forward(relu(h))
    }

    /// Forward pass with explicit dropout masks (`None` = no dropout). On an autodiff device
    /// BatchNorm uses batch statistics (training); on a plain device its running statistics.
    pub fn forward_masked(&self, x: Tensor<2>, masks: Option<(Tensor<2>, Tensor<2>)>) -> Tensor<2> {
        let (m1, m2) = match masks {
            Some((a, b)) => (Some(a), Some(b)),
            None => (None, None),
        };
        let z = self.encode_masked(x, m1);
        let h = self.dec_bn.forward(self.dec1.forward(z));
        let h = match m2 {
            Some(m) => h * m,
            None => h,
        };
        self.dec2.forward(relu(h))
    }

    /// Training forward with fresh dropout masks drawn from `rng`.
    pub fn forward_train(&self, x: Tensor<2>, rng: &mut Rng64) -> Tensor<2> {
        let n = x.dims()[0];
        let dev = x.device();
        let m1 = dropout_mask(rng, n, HIDDEN, self.enc_drop.prob, &dev);
        let m2 = dropout_mask(rng, n, HIDDEN, self.dec_drop.prob, &dev);
        self.forward_masked(x, Some((m1, m2)))
    }
}

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
        embeddings: &[Embedding32],
        rows: &[usize],
        profile: Option<&Embedding32>,
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

/// The paper's rating network, reproduced for comparison (native evaluation only):
/// a 50-d track-id embedding → Dense 64 → ReLU → Dense 32 → ReLU → Dense 1.
#[derive(Module, Debug)]
pub struct TrackIdNet {
    pub emb: Embedding,
    pub fc1: Linear,
    pub fc2: Linear,
    pub out: Linear,
}

impl TrackIdNet {
    /// Embedding width used by the paper.
    pub const D: usize = 50;

    /// Fresh network for `n_tracks` ids.
    pub fn new(n_tracks: usize, device: &Device) -> Self {
        Self {
            emb: EmbeddingConfig::new(n_tracks, Self::D).init(device),
            fc1: LinearConfig::new(Self::D, 64).init(device),
            fc2: LinearConfig::new(64, 32).init(device),
            out: LinearConfig::new(32, 1).init(device),
        }
    }

    /// Predicted rating `[n, 1]` for track ids `[n]`.
    pub fn forward(&self, ids: Tensor<1, Int>) -> Tensor<2> {
        let n = ids.dims()[0];
        let e: Tensor<3> = self.emb.forward(ids.reshape([n, 1]));
        let e: Tensor<2> = e.reshape([n, Self::D]);
        let h = relu(self.fc1.forward(e));
        let h = relu(self.fc2.forward(h));
        self.out.forward(h)
    }
}
