#![allow(deprecated)]
pub mod model;
pub mod rank;
pub mod rng;
pub mod weights;
pub fn hello() {}
pub mod finetune;
pub mod train;
pub mod eval;
pub mod trackid;
