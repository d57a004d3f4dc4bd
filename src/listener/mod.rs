//! What the listener brings and takes: likes and dislikes (storage format, import, share link),
//! recommendation lists as files (`export`), and new
//! tracks typed or pasted into the page. Knows track ids and raw feature values, not the models,
//! the ranking or the DOM.

pub mod export;
pub mod likes;
pub mod newtrack;
