//! Fixtures shared by the native integration tests.
#![allow(dead_code)]

use soundalike::model::finetune::check_fixture;
use soundalike::model::Weights;

/// The committed weights.
pub const WEIGHTS: &[u8] = include_bytes!("../../www/weights.bin");

/// 300 synthetic but fixed embeddings (the same as `check_fixture` uses).
pub fn embeddings() -> Vec<soundalike::model::Embedding> {
    (0..300)
        .map(|i| std::array::from_fn(|j| (((i * 31 + j * 17) % 29) as f32 / 29.0 - 0.4) * 2.0))
        .collect()
}

/// `model::finetune::check_fixture` on the committed weights.
pub fn finetune_fixture() -> Vec<f32> {
    check_fixture(
        &Weights::from_bytes(WEIGHTS)
            .expect("committed weights load")
            .head,
    )
}

/// Native values of [`finetune_fixture`] (printed by `native_finetune_fixture_values`).
pub const FINETUNE_EXPECTED: [f32; 8] = [
    -9.038505, -7.5373816, -3.8912308, -2.642257, -2.2324, -1.967044, -1.6432246, -1.3761265,
];

/// Where `native_finetune_fixture_values` writes the native numbers for the browser test
/// (tests/browser/finetune.test.mjs compares the page's wasm run against them).
pub const FINETUNE_NATIVE_JSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/fixtures/finetune-native.json"
);
