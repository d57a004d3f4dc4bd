//! The page (wasm only): Leptos components over the DOM-free `engine`.
//!
//! The engine (catalog, embeddings, model) lives in a thread-local, outside
//! the reactive graph; signals hold only small values (indices, options), and
//! a version signal says when the engine changed.

pub mod app;
pub mod charts;
pub mod load;
pub mod storage;

use std::cell::RefCell;

use crate::engine::Engine;
use app::App;

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
}

/// Run `f` on the loaded engine (None before loading finished).
pub fn with_engine<R>(f: impl FnOnce(&Engine) -> R) -> Option<R> {
    ENGINE.with(|e| e.borrow().as_ref().map(f))
}

pub fn with_engine_mut<R>(f: impl FnOnce(&mut Engine) -> R) -> Option<R> {
    ENGINE.with(|e| e.borrow_mut().as_mut().map(f))
}

pub fn set_engine(e: Engine) {
    ENGINE.with(|slot| *slot.borrow_mut() = Some(e));
}

/// Entry point of the wasm: mount the page when `#soundalike-app` exists
/// (the widget is mounted from JavaScript through `crate::widget::mount`).
pub fn start() {
    console_error_panic_hook::set_once();
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(el) = doc.get_element_by_id("soundalike-app") {
        use wasm_bindgen::JsCast;
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            el.set_inner_html("");
            let cfg = app::Config::from_element(&el);
            leptos::mount::mount_to(el, move || leptos::prelude::view! { <App cfg=cfg/> }).forget();
        }
    }
}
