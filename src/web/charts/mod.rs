//! SVG charts, one per file: the loss curve of the fine-tune, what the tuned model learned, the
//! feature-correlation heatmap and the 2-D map of the embedding (with the song path on it).
//!
//! Charts read the page state (`state`), display text (`display`) and the engine (`slot`); they
//! must not know the components that place them (components import charts, never the reverse).

mod heatmap;
mod learned;
mod loss;
mod map;

pub use heatmap::Heatmap;
pub use learned::LearnedChart;
pub use loss::LossCurve;
pub use map::{project, MapView};
