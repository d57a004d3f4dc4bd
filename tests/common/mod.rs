//! Fixtures shared by the native integration tests.
#![allow(dead_code)]

use soundalike::catalog::ingest::read_tracks_csv;
use soundalike::catalog::{default_data_dir, Catalog, RawTrack};
use soundalike::model::finetune::check_fixture;
use soundalike::model::Weights;

/// The TidyTuesday songs CSV, relative to `../shared/data`.
pub const TIDYTUESDAY: &str = "tidytuesday_spotify_songs/spotify_songs.csv";

/// A catalog of one real CSV under `../shared/data`, deduplicated as `catalog build` does (the
/// first row of an id wins).
pub fn real_catalog(relative: &str) -> Catalog {
    let path = default_data_dir().join(relative);
    let (rows, _) =
        read_tracks_csv(&path, |_| {}).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut seen = std::collections::HashSet::new();
    let raws: Vec<RawTrack> = rows
        .into_iter()
        .filter(|r| seen.insert(r.track.id.clone()))
        .map(|r| RawTrack {
            track: r.track,
            raw: r.raw,
        })
        .collect();
    Catalog::from_raw(raws)
}

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
