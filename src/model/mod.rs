//! The models: the paper's autoencoder, the rating head, their fast f32 inference, the weights
//! file, training and the personal fine-tune.
//!
//! Everything here is backend-agnostic burn code (tensors live on a [`Device`]) or plain `f32`
//! loops, and compiles for wasm32. Dropout masks come from our own seeded [`Rng64`] instead of the
//! backend's global RNG, so training and the personal fine-tune are deterministic for a seed,
//! natively and in wasm. This folder knows nothing of catalogs, files, playlists or the DOM: it
//! sees feature rows (with their era and popularity, see `input`) and embeddings.

pub mod autoencoder;
pub mod dense;
pub mod finetune;
pub mod head;
pub mod input;
pub mod learned;
pub mod train;
pub mod tuned;
pub mod weights;

use burn::prelude::*;

use crate::rng::Rng64;

pub use autoencoder::Autoencoder;
pub use dense::{encode_all, head_scores, DenseEncoder, DenseHead};
pub use head::{bce_with_logits, HeadInput, RatingHead};
pub use weights::{Head, Weights, WeightsError};

pub use input::{Input, Objective, N_IN};
/// Hidden width of the autoencoder and the head's first layer.
pub const HIDDEN: usize = 64;
/// Bottleneck size: each track's embedding.
pub const EMB: usize = 32;
/// One track's embedding.
pub type Embedding = [f32; EMB];

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
