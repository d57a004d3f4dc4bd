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
