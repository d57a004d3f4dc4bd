//! The personal fine-tune under wasm32 in headless Chromium must match the native numbers.
//! Run with `scripts/test-wasm.sh`.
#![cfg(target_arch = "wasm32")]

mod common;

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn finetune_matches_native() {
    let got = common::finetune_fixture();
    for (g, e) in got.iter().zip(common::FINETUNE_EXPECTED.iter()) {
        assert!((g - e).abs() < 1e-3, "wasm {g} vs native {e}: {got:?}");
    }
}

#[wasm_bindgen_test]
fn finetune_is_deterministic_in_wasm() {
    assert_eq!(common::finetune_fixture(), common::finetune_fixture());
}

/// Timings in the browser (printed; bounds are loose so slow CI machines pass).
#[wasm_bindgen_test]
fn wasm_timings() {
    use soundalike::model::finetune::{fine_tune, FineTuneConfig};
    use soundalike::rank::{encode_all, head_scores, profile};
    let w = soundalike::model::weights::Weights::from_bytes(common::WEIGHTS).unwrap();
    let feats: Vec<[f32; 16]> = (0..66_000)
        .map(|i| std::array::from_fn(|j| ((i * 7 + j * 13) % 101) as f32 / 100.0))
        .collect();
    let t0 = js_sys::Date::now();
    let emb = encode_all(&w, &feats);
    let t1 = js_sys::Date::now();
    let likes: Vec<usize> = (0..50).map(|i| i * 1201).collect();
    let head = fine_tune(&w.head, &emb, &likes, &[], FineTuneConfig::default()).unwrap();
    let t2 = js_sys::Date::now();
    let p = profile(&emb, &likes);
    let s = head_scores(&head, &emb, p.as_ref());
    let t3 = js_sys::Date::now();
    console_log!(
        "wasm: encode_all 66k {} ms, fine-tune 50 likes {} ms, head_scores 66k {} ms",
        t1 - t0,
        t2 - t1,
        t3 - t2
    );
    assert_eq!(s.len(), emb.len());
}
