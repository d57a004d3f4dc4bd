//! The rating head as a burn module (native only: training, and the reference the hand-written
//! fine-tune is tested against), its loss, and conversions to and from the plain [`Head`].

use burn::module::Param;
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

use super::dense::Dense;
use super::{dropout_mask, tensor2, to_vec, Head, HeadInput, HIDDEN};
use crate::rng::Rng64;

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

/// A burn `Linear` as plain weights (`[d_in][d_out]` row-major, as burn stores it).
pub fn dense_of(l: &Linear) -> Dense {
    let [d_in, d_out] = l.weight.val().dims();
    let w = to_vec(l.weight.val());
    let b = l
        .bias
        .as_ref()
        .map(|b| to_vec(b.val()))
        .unwrap_or_else(|| vec![0.0; d_out]);
    Dense { d_in, d_out, w, b }
}

/// Plain weights as a burn `Linear` on `device`.
pub fn linear_of(d: &Dense, device: &Device) -> Linear {
    Linear {
        weight: Param::from_tensor(tensor2(d.w.clone(), d.d_in, d.d_out, device)),
        bias: Some(Param::from_tensor(Tensor::from_data(
            TensorData::new(d.b.clone(), [d.d_out]),
            device,
        ))),
    }
}

impl Head {
    /// A fresh, randomly initialised head (burn's initialisation, seeded by the device).
    pub fn new(input: HeadInput, device: &Device) -> Self {
        Self::from_net(&RatingHead::new(input.width(), device), input)
    }

    /// The plain weights of a burn head.
    pub fn from_net(net: &RatingHead, input: HeadInput) -> Self {
        Self {
            fc1: dense_of(&net.fc1),
            fc2: dense_of(&net.fc2),
            out: dense_of(&net.out),
            input,
        }
    }

    /// This head as a burn module on `device` (the same numbers).
    pub fn net(&self, device: &Device) -> RatingHead {
        let mut net = RatingHead::new(self.input.width(), device);
        net.fc1 = linear_of(&self.fc1, device);
        net.fc2 = linear_of(&self.fc2, device);
        net.out = linear_of(&self.out, device);
        net
    }
}
