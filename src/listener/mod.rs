//! What the listener brings and takes: likes and dislikes (storage format, import, share link),
//! recommendation lists as files (`export`), new tracks typed or pasted into the page, CSV files
//! dropped on the page (`import`) and the tracks they added, as stored on the device (`yours`). Knows track ids and raw feature values, not the models,
//! the ranking or the DOM.

pub mod export;
pub mod import;
pub mod likes;
pub mod newtrack;
pub mod yours;
