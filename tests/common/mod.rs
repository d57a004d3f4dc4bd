//! Fixtures shared by the native integration tests. The fine-tune fixture itself is in
//! `finetune_fixture.rs`, which the page's wasm self-check includes as well.
#![allow(dead_code)]

use soundalike::finetune::{fine_tune, FineTuneConfig};
use soundalike::model::Embedding32;
use soundalike::rank::{head_scores, profile};
use soundalike::weights::Weights;

include!("finetune_fixture.rs");

/// The committed weights.
pub const WEIGHTS: &[u8] = include_bytes!("../../www/weights.bin");

/// [`finetune_fixture_with`] on the committed weights.
pub fn finetune_fixture() -> Vec<f32> {
    finetune_fixture_with(&Weights::from_bytes(WEIGHTS).expect("committed weights load"))
}

/// Native values of [`finetune_fixture`] (printed by `native_finetune_fixture_values`).
pub const FINETUNE_EXPECTED: [f32; 8] = [
    -2.1399016, -3.0050194, -1.7283084, -2.2664795, -2.25833, -4.5581846, -5.007067, -2.4239216,
];

/// Where `native_finetune_fixture_values` writes the native numbers for the browser test
/// (tests/browser/finetune.test.mjs compares the page's wasm run against them).
pub const FINETUNE_NATIVE_JSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/fixtures/finetune-native.json"
);
