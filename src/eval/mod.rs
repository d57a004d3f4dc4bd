//! Offline evaluation (native only): playlist continuation on held-out playlists through the
//! recommender the page runs, next to baselines, and the paper's track-id rating network.
//! Knows playlists and metrics; must not rank by any path other than `recommend::Recommender`
//! for the product's rows.

pub mod folds;
pub mod metrics;
pub mod protocol;
pub mod trackid;

pub use protocol::{
    choose_blend, evaluate, split_playlist, Baselines, EvalTable, Method, MethodScore,
};
