//! The page's one `Recommender` ("the engine"), in a thread-local outside the reactive graph.
//!
//! Every call into the engine goes through `with_engine` / `with_engine_mut`, so the type behind
//! them can change in this one file.

use std::cell::RefCell;

use crate::recommend::Recommender as Engine;

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Run `f` on the loaded engine (None before loading finished).
pub fn with_engine<R>(f: impl FnOnce(&Engine) -> R) -> Option<R> {
    ENGINE.with(|e| e.borrow().as_ref().map(f))
}

/// Run `f` on the loaded engine, mutably (None before loading finished).
pub fn with_engine_mut<R>(f: impl FnOnce(&mut Engine) -> R) -> Option<R> {
    ENGINE.with(|e| e.borrow_mut().as_mut().map(f))
}

/// Install the loaded engine (start-up does this once).
pub fn set_engine(e: Engine) {
    ENGINE.with(|slot| *slot.borrow_mut() = Some(e));
}
