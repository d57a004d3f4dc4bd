//! The models: the paper's autoencoder, the rating head, their fast f32 inference, the weights
//! file, training and the personal fine-tune.
//!
//! What the page runs (weights file, f32 inference, the fine-tune, tuned heads) is plain `f32`
//! code on both targets. burn (training, the burn modules, conversions to and from the plain
//! weights) is native only: it was a third of the page's wasm. Dropout masks come from our own
//! seeded [`Rng64`] instead of the backend's global RNG, so training and the personal fine-tune
//! are deterministic for a seed, natively and in wasm. This folder knows nothing of catalogs,
//! files, playlists or the DOM: it sees feature rows (with their era and popularity, see
//! `input`) and embeddings.

#[cfg(not(target_arch = "wasm32"))]
pub mod autoencoder;
pub mod dense;
pub mod finetune;
pub mod head;
#[cfg(not(target_arch = "wasm32"))]
pub mod head_net;
pub mod input;
pub mod learned;
#[cfg(not(target_arch = "wasm32"))]
pub mod train;
pub mod tuned;
pub mod weights;
#[cfg(not(target_arch = "wasm32"))]
pub mod weights_v2;

#[cfg(not(target_arch = "wasm32"))]
use burn::prelude::*;

use crate::rng::Rng64;

#[cfg(not(target_arch = "wasm32"))]
pub use autoencoder::Autoencoder;
pub use dense::{encode_all, head_scores, DenseEncoder, DenseHead};
pub use head::HeadInput;
#[cfg(not(target_arch = "wasm32"))]
pub use head_net::{bce_with_logits, RatingHead};
pub use weights::{AutoencoderWeights, Head, Weights, WeightsError};

pub use input::{Input, Objective, N_IN};
/// Hidden width of the autoencoder and the head's first layer.
pub const HIDDEN: usize = 64;
/// Bottleneck size: each track's embedding.
pub const EMB: usize = 32;
/// One track's embedding.
pub type Embedding = [f32; EMB];

/// The default CPU device (burn ndarray backend).
#[cfg(not(target_arch = "wasm32"))]
#[allow(deprecated)]
pub fn cpu() -> Device {
    Device::ndarray()
}

/// The default CPU device with autodiff, for training.
#[cfg(not(target_arch = "wasm32"))]
pub fn cpu_autodiff() -> Device {
    cpu().autodiff()
}

/// A `[rows, cols]` row-major dropout mask already scaled by `1/(1-p)`, drawn from `rng`.
pub fn dropout_values(rng: &mut Rng64, rows: usize, cols: usize, p: f64) -> Vec<f32> {
    let keep = 1.0 - p as f32;
    let scale = 1.0 / keep;
    (0..rows * cols)
        .map(|_| if rng.next_f32() < keep { scale } else { 0.0 })
        .collect()
}

/// [`dropout_values`] as a tensor.
#[cfg(not(target_arch = "wasm32"))]
pub fn dropout_mask(
    rng: &mut Rng64,
    rows: usize,
    cols: usize,
    p: f64,
    device: &Device,
) -> Tensor<2> {
    tensor2(dropout_values(rng, rows, cols, p), rows, cols, device)
}

/// `[rows, cols]` row-major data to a tensor.
#[cfg(not(target_arch = "wasm32"))]
pub fn tensor2(v: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v, [rows, cols]), device)
}

/// A tensor back to row-major `f32`s.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .unwrap_or_default()
}
