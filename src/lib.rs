#![allow(deprecated)]
pub fn hello() {}

// --- web helper's modules ---
// DOM-free cores (native + wasm, unit-tested natively)
pub mod engine;
pub mod explain;
pub mod likes;
pub mod newtrack;
pub mod projection;
pub mod rerank;
pub mod search;
// the page and the widget (wasm only)
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod widget;
