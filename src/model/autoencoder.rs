//! The paper's autoencoder (inputs → 64 → 32 → 64 → inputs); its bottleneck is a track's
//! embedding. The inputs are the 16 features plus era and popularity (see `input`). Native only
//! (training); the page reads the plain [`AutoencoderWeights`].

use burn::module::{Param, RunningState};
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::relu;

use super::head_net::{dense_of, linear_of};
use super::weights::{AutoencoderWeights, Norm};
use super::{dropout_mask, to_vec, EMB, HIDDEN, N_IN};
use crate::rng::Rng64;

/// The paper's autoencoder (`N_IN` = 16 features + 5 context slots, see `input`):
/// N_IN → Dense 64 → BatchNorm → Dropout 0.3 → ReLU → 32 (bottleneck)
///    → Dense 64 → BatchNorm → Dropout 0.3 → ReLU → N_IN.
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

    /// Reconstruction `[n, N_IN]` (inference).
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

    /// Training encoder pass (fresh dropout mask from `rng`; batch statistics on an autodiff
    /// device).
    pub fn encode_train(&self, x: Tensor<2>, rng: &mut Rng64) -> Tensor<2> {
        let n = x.dims()[0];
        let m = dropout_mask(rng, n, HIDDEN, self.enc_drop.prob, &x.device());
        self.encode_masked(x, Some(m))
    }

    /// Training decoder pass from bottleneck codes.
    pub fn decode_train(&self, z: Tensor<2>, rng: &mut Rng64) -> Tensor<2> {
        let n = z.dims()[0];
        let m = dropout_mask(rng, n, HIDDEN, self.dec_drop.prob, &z.device());
        let h = self.dec_bn.forward(self.dec1.forward(z)) * m;
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

/// A burn `BatchNorm`'s inference parameters.
fn norm_of(bn: &BatchNorm) -> Norm {
    Norm {
        gamma: to_vec(bn.gamma.val()),
        beta: to_vec(bn.beta.val()),
        mean: to_vec(bn.running_mean.value()),
        var: to_vec(bn.running_var.value()),
    }
}

/// Plain parameters loaded into `bn` (its epsilon and momentum stay the configured ones).
fn load_norm(mut bn: BatchNorm, n: &Norm, device: &Device) -> BatchNorm {
    let t = |v: &[f32]| Tensor::<1>::from_data(TensorData::new(v.to_vec(), [v.len()]), device);
    bn.gamma = Param::from_tensor(t(&n.gamma));
    bn.beta = Param::from_tensor(t(&n.beta));
    bn.running_mean = RunningState::new(t(&n.mean));
    bn.running_var = RunningState::new(t(&n.var));
    bn
}

impl AutoencoderWeights {
    /// The plain weights of a burn autoencoder (inference snapshot).
    pub fn from_module(ae: &Autoencoder) -> Self {
        let ae = ae.valid();
        Self {
            enc1: dense_of(&ae.enc1),
            enc_bn: norm_of(&ae.enc_bn),
            enc2: dense_of(&ae.enc2),
            dec1: dense_of(&ae.dec1),
            dec_bn: norm_of(&ae.dec_bn),
            dec2: dense_of(&ae.dec2),
        }
    }

    /// These weights as a burn autoencoder on `device` (the same numbers).
    pub fn module(&self, device: &Device) -> Autoencoder {
        let mut ae = Autoencoder::new(device);
        ae.enc1 = linear_of(&self.enc1, device);
        ae.enc_bn = load_norm(ae.enc_bn, &self.enc_bn, device);
        ae.enc2 = linear_of(&self.enc2, device);
        ae.dec1 = linear_of(&self.dec1, device);
        ae.dec_bn = load_norm(ae.dec_bn, &self.dec_bn, device);
        ae.dec2 = linear_of(&self.dec2, device);
        ae
    }
}
