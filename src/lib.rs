//! soundalike: recommend music by how it sounds, entirely on the listener's device.
//!
//! The core (`catalog`, `model`, `recommend`, `listener`, `eval`, `vector`, `rng`) knows nothing of
//! the DOM and compiles for both the native CLI and `wasm32-unknown-unknown`; `cli` is native only
//! and `web` wasm only. See ARCHITECTURE.md for the code map.
#![allow(deprecated)]

pub mod catalog;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(not(target_arch = "wasm32"))]
pub mod eval;
pub mod listener;
pub mod model;
pub mod recommend;
pub mod rng;
pub mod vector;
#[cfg(target_arch = "wasm32")]
pub mod web;
