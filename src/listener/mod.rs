//! What the listener brings and takes: likes and dislikes (storage format, import, share link),
//! recommendation lists as files (`export`), new tracks typed or pasted into the page, CSV files
//! dropped on the page (`import`) and the tracks they added, as stored on the device (`yours`),
//! and "my model" (`personal`: the tuned head with the likes it was tuned on, as one file). Knows
//! track ids and raw feature values; of the models only the tuned head's byte format
//! (`model::tuned`); not the ranking or the DOM.

pub mod export;
pub mod import;
pub mod likes;
pub mod newtrack;
pub mod personal;
pub mod yours;
