//! The listener's own tracks on the page: the raw rows they were added from (kept beside the
//! engine, outside the reactive graph), saved in IndexedDB through `listener::yours`' format,
//! and, when the host serves no catalog, the model weights to build a catalog of them alone.

use std::cell::RefCell;
use std::collections::HashSet;

use super::idb;
use crate::catalog::RawTrack;
use crate::listener::yours;

const KEY: &str = "tracks";

thread_local! {
    static ROWS: RefCell<Vec<RawTrack>> = const { RefCell::new(Vec::new()) };
    /// Set when the page runs on the listener's music alone (no catalog from the host).
    static ALONE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// The stored rows; a notice when stored data was unreadable (it is then cleared).
pub async fn load() -> (Vec<RawTrack>, Option<String>) {
    match idb::get(KEY).await {
        Ok(None) => (Vec::new(), None),
        Ok(Some(text)) => match yours::decode(&text) {
            Ok(rows) => {
                ROWS.with(|r| *r.borrow_mut() = rows.clone());
                (rows, None)
            }
            Err(e) => {
                let _ = idb::put(KEY, None).await;
                (
                    Vec::new(),
                    Some(format!("Your saved tracks were reset: {e}.")),
                )
            }
        },
        Err(e) => (
            Vec::new(),
            Some(format!(
                "Your saved tracks could not be read ({e}); tracks you add now will not be kept."
            )),
        ),
    }
}

/// Remember `new` (rows whose id is already kept are skipped) and save them all.
pub async fn add(new: &[RawTrack]) -> Result<(), String> {
    let text = ROWS.with(|r| {
        let mut r = r.borrow_mut();
        let mut have: HashSet<String> = r.iter().map(|t| t.track.id.clone()).collect();
        for t in new {
            if have.insert(t.track.id.clone()) {
                r.push(t.clone());
            }
        }
        yours::encode(&r)
    });
    idb::put(KEY, Some(&text)).await
}

/// Forget every stored row.
pub async fn forget() -> Result<(), String> {
    ROWS.with(|r| r.borrow_mut().clear());
    idb::put(KEY, None).await
}

/// How many rows are kept.
pub fn count() -> usize {
    ROWS.with(|r| r.borrow().len())
}

/// Every kept row (to build a catalog of them alone).
pub fn rows() -> Vec<RawTrack> {
    ROWS.with(|r| r.borrow().clone())
}

/// Keep the weights: the page has no catalog and waits for the listener's CSVs.
pub fn set_alone(weights: Vec<u8>) {
    ALONE.with(|a| *a.borrow_mut() = Some(weights));
}

/// The weights when the page runs on the listener's music alone.
pub fn alone_weights() -> Option<Vec<u8>> {
    ALONE.with(|a| a.borrow().clone())
}
