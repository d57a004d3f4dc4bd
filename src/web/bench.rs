//! Bench hooks over the page's engine (`window.wasmBindings.*`, used by scripts/bench.sh; figures,
//! not tests; and `scanDiffering`, the wasm half of the scan's exactness test). They run the same
//! code as `soundalike bench` natively (`crate::recommend::bench`).

use wasm_bindgen::prelude::*;

use super::load::now;
use super::slot::with_engine;
use crate::recommend::bench as b;

/// All figures at once, as a JS object.
#[wasm_bindgen(js_name = benchAll)]
pub fn bench_all(queries: usize, n_likes: usize) -> JsValue {
    with_engine(|e| {
        serde_wasm_bindgen::to_value(&b::run(e, queries, n_likes, &now)).unwrap_or(JsValue::NULL)
    })
    .unwrap_or(JsValue::NULL)
}

/// ms to encode the whole catalog.
#[wasm_bindgen(js_name = benchEncode)]
pub fn bench_encode() -> f64 {
    with_engine(|e| b::encode_ms(e, &now)).unwrap_or(f64::NAN)
}

/// Mean ms per ranking query.
#[wasm_bindgen(js_name = benchRank)]
pub fn bench_rank(queries: usize) -> f64 {
    with_engine(|e| b::rank_ms(e, queries, &now)).unwrap_or(f64::NAN)
}

/// [total ms, longest single step ms, steps] for a fine-tune on `n_likes` random likes.
#[wasm_bindgen(js_name = benchFinetune)]
pub fn bench_finetune(n_likes: usize) -> Vec<f64> {
    with_engine(|e| {
        let (t, l, s) = b::finetune_ms(e, n_likes, &now);
        vec![t, l, s as f64]
    })
    .unwrap_or_default()
}

/// `model::finetune::check_fixture` on the loaded shipped head (empty before the page has loaded):
/// tests/browser/finetune.test.mjs compares it with the native numbers.
#[wasm_bindgen(js_name = finetuneFixture)]
pub fn finetune_fixture() -> Vec<f32> {
    with_engine(|e| crate::model::finetune::check_fixture(e.shipped_head())).unwrap_or_default()
}

/// `n` pseudo-random track ids of the loaded catalog (to build a like list in the bench).
#[wasm_bindgen(js_name = trackIds)]
pub fn track_ids(n: usize, seed: u64) -> Vec<String> {
    with_engine(|e| {
        b::random_tracks(e, n, seed)
            .into_iter()
            .map(|i| e.catalog().tracks[i].id.clone())
            .collect()
    })
    .unwrap_or_default()
}

/// How many of `count` seeded queries rank differently with the SIMD128 scan than with the exact
/// one (`recommend::exactness`; a test, not a figure: tests/browser/scan.test.mjs); -1 before
/// the page has loaded.
#[wasm_bindgen(js_name = scanDiffering)]
pub fn scan_differing(count: usize, seed: u64) -> i32 {
    with_engine(|e| crate::recommend::exactness::differing(e, count, seed).len() as i32)
        .unwrap_or(-1)
}

/// Bytes of the wasm linear memory (it only grows: the peak of the page so far).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .unchecked_into::<js_sys::ArrayBuffer>()
                .byte_length() as f64
        })
        .unwrap_or(f64::NAN)
}
