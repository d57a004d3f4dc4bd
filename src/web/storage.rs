//! localStorage I/O for the likes, the tuned head and what it was tuned on. The formats live in
//! `crate::listener::likes` and `crate::listener::personal`; this module only reads and writes
//! strings, and turns any failure into a notice.

use crate::listener::likes::{self, Stored};
use crate::listener::personal;

fn store() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Saved likes and dislikes; a notice when stored data had to be reset.
pub fn load_likes() -> (Stored, Option<String>) {
    let Some(s) = store() else {
        return (
            Stored::new(vec![], vec![]),
            Some("Local storage is unavailable: likes will not be kept across visits.".into()),
        );
    };
    match s.get_item(likes::STORAGE_KEY) {
        Ok(Some(text)) => match Stored::from_json(&text) {
            Ok(st) => (st, None),
            Err(e) => {
                let _ = s.remove_item(likes::STORAGE_KEY);
                (
                    Stored::new(vec![], vec![]),
                    Some(format!("Your saved likes were reset: {e}.")),
                )
            }
        },
        _ => (Stored::new(vec![], vec![]), None),
    }
}

pub fn save_likes(st: &Stored) {
    if let Some(s) = store() {
        let _ = s.set_item(likes::STORAGE_KEY, &st.to_json());
    }
}

/// The stored tuned head bytes; a notice when they were unreadable and got removed.
pub fn load_head() -> (Option<Vec<u8>>, Option<String>) {
    let Some(s) = store() else {
        return (None, None);
    };
    match s.get_item(likes::HEAD_KEY) {
        Ok(Some(text)) => match likes::base64_decode(&text) {
            Ok(b) => (Some(b), None),
            Err(_) => {
                let _ = s.remove_item(likes::HEAD_KEY);
                (
                    None,
                    Some("Your saved tuned model was unreadable and was reset.".into()),
                )
            }
        },
        _ => (None, None),
    }
}

pub fn save_head(bytes: Option<&[u8]>) {
    if let Some(s) = store() {
        match bytes {
            Some(b) => {
                let _ = s.set_item(likes::HEAD_KEY, &likes::base64_encode(b));
            }
            None => {
                let _ = s.remove_item(likes::HEAD_KEY);
            }
        }
    }
}

/// What the stored tuned head was tuned on (the likes part of "Save my model"); None when the
/// head predates this record or nothing is stored.
pub fn load_tuned_on() -> Option<Stored> {
    let text = store()?.get_item(personal::TUNED_ON_KEY).ok()??;
    Stored::from_json(&text).ok()
}

/// Keep (or, with None, forget) what the tuned head was tuned on.
pub fn save_tuned_on(st: Option<&Stored>) {
    if let Some(s) = store() {
        let _ = match st {
            Some(st) => s.set_item(personal::TUNED_ON_KEY, &st.to_json()),
            None => s.remove_item(personal::TUNED_ON_KEY),
        };
    }
}
