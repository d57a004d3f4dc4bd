//! The listener's own tracks on the page: the raw rows they were added from (kept beside the
//! engine, outside the reactive graph), saved in IndexedDB through `listener::yours`' format,
//! and, when the host serves no catalog, the model weights to build a catalog of them alone.

use std::cell::RefCell;
use std::collections::HashSet;

use super::idb;
use crate::catalog::RawTrack;
use crate::listener::yours;

const KEY: &str = "tracks";
/// Present when the listener chose "use only my music".
const ONLY_MINE: &str = "only-mine";

thread_local! {
    static ROWS: RefCell<Vec<RawTrack>> = const { RefCell::new(Vec::new()) };
    /// Set when the page runs on the listener's music alone (no catalog from the host).
    static ALONE: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
    /// Whether running alone was the listener's choice (not a host without a catalog).
    static BY_CHOICE: RefCell<bool> = const { RefCell::new(false) };
    /// Saved likes and dislikes (ids) that the catalog of the listener's tracks alone lacks: kept
    /// aside and saved with the others, so going back to the whole catalog loses none.
    static ASIDE: RefCell<(Vec<String>, Vec<String>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// Whether the listener chose to use only their music (kept across visits).
pub async fn only_mine() -> bool {
    matches!(idb::get(ONLY_MINE).await, Ok(Some(_)))
}

/// Choose (or stop) using only the listener's music; the page reloads after.
pub async fn set_only_mine(on: bool) -> Result<(), String> {
    idb::put(ONLY_MINE, on.then_some("1")).await
}

pub fn set_by_choice() {
    BY_CHOICE.with(|b| *b.borrow_mut() = true);
}

/// Whether the page runs on the listener's music alone because they chose it.
pub fn by_choice() -> bool {
    BY_CHOICE.with(|b| *b.borrow())
}

/// Keep ids the current catalog lacks aside (only while running alone).
pub fn keep_aside(likes: Vec<String>, dislikes: Vec<String>) {
    ASIDE.with(|a| *a.borrow_mut() = (likes, dislikes));
}

/// The ids kept aside: (likes, dislikes).
pub fn aside() -> (Vec<String>, Vec<String>) {
    ASIDE.with(|a| a.borrow().clone())
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
