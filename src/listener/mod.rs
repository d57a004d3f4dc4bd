//! What the listener brings: likes and dislikes (storage format, import, share link) and new
//! tracks typed or pasted into the page. Knows track ids and raw feature values, not the models,
//! the ranking or the DOM.

pub mod likes;
pub mod newtrack;
