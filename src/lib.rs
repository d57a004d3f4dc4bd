//! soundalike: recommend music by how it sounds, entirely on the listener's device.
//!
//! The core (everything but `cli`, `web` and `widget`) knows nothing of the DOM and compiles
//! for both the native CLI and `wasm32-unknown-unknown`. See ARCHITECTURE.md for the code map.
#![allow(deprecated)]

pub mod analysis;
pub mod catalog;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod eval;
pub mod finetune;
pub mod model;
pub mod rank;
pub mod rng;
#[cfg(not(target_arch = "wasm32"))]
pub mod trackid;
pub mod train;
pub mod weights;

// --- the recommender as the page runs it, and its DOM-free parts (native + wasm) ---
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
