//! Fixture shared by the native and the wasm32 fine-tune tests.
#![allow(dead_code)]

use soundalike::model::finetune::{fine_tune, FineTuneConfig};
use soundalike::model::{head_scores, Embedding, Weights};

/// The committed weights.
pub const WEIGHTS: &[u8] = include_bytes!("../../www/weights.bin");

/// 300 synthetic but fixed embeddings.
pub fn embeddings() -> Vec<Embedding> {
    (0..300)
        .map(|i| std::array::from_fn(|j| (((i * 31 + j * 17) % 29) as f32 / 29.0 - 0.4) * 2.0))
        .collect()
}

/// Fine-tune the committed head on likes 0..12 (dislikes 20, 21) for 10 steps, seed 7, and
/// return the fine-tuned head's logits for tracks 100..108.
pub fn finetune_fixture() -> Vec<f32> {
    let w = Weights::from_bytes(WEIGHTS).expect("committed weights load");
    let emb = embeddings();
    let likes: Vec<usize> = (0..12).collect();
    let cfg = FineTuneConfig {
        steps: 10,
        lr: 1e-3,
        seed: 7,
        ..FineTuneConfig::default()
    };
    let head = fine_tune(&w.head, &emb, &likes, &[20, 21], cfg).expect("fine-tune");
    let p = soundalike::vector::mean_of(&emb, &likes);
    head_scores(&head, &emb[100..108], p.as_ref())
}

/// Native values of [`finetune_fixture`] (printed by `native_finetune_fixture_values`).
pub const FINETUNE_EXPECTED: [f32; 8] = [
    -2.1399016, -3.0050194, -1.7283084, -2.2664795, -2.25833, -4.5581846, -5.007067, -2.4239216,
];
