//! The page and the widget (wasm only): Leptos components over the DOM-free engine.
//!
//! Holds the engine slot (`slot`, re-exported here as `with_engine` / `with_engine_mut`), the
//! page's reactive state (`state`), start-up (`boot`), the engine worker (`protocol` is the wire,
//! `worker` its side, `client` the page's, `remote` an engine loaded through it), browser I/O
//! (`load` fetches, `storage` is localStorage), text for display (`display`), the views
//! (`components`, `charts`), the `pkg/` widget (`widget`) and its bench hooks (`bench`).
//!
//! The engine (catalog, embeddings, model) lives in a thread-local, outside the reactive graph;
//! signals hold only small values (indices, options), and a version signal says when the engine
//! changed. This folder must not know how the engine ranks (only its public API) nor the
//! playlists (the page never sees them); the core must not know this folder.
//!
//! Dependencies point one way: `components` → `charts` → `state` / `display` → `slot`
//! (`state` → `load` for `yield_now`);
//! `boot` / `widget` → `remote` → `client` → `protocol`; `worker` → `protocol` / `load`;
//! `load`, `storage`, `protocol` and `slot` know no other module here, and no module here imports
//! this one.

pub mod bench;
pub mod boot;
pub mod catalog_param;
pub mod charts;
pub mod client;
pub mod components;
pub mod display;
pub mod early;
pub mod idb;
pub mod inflate;
pub mod load;
pub mod protocol;
pub mod remote;
pub mod slot;
pub mod state;
pub mod storage;
pub mod widget;
pub mod worker;
pub mod yours;

pub use slot::{set_engine, with_engine, with_engine_mut};

/// Entry point of the wasm: mount the page when `#soundalike-app` exists, else a widget in every
/// element marked `data-soundalike` (the widget is also mounted from JavaScript through
/// `widget::mount`).
pub fn start() {
    console_error_panic_hook::set_once();
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(el) = doc.get_element_by_id("soundalike-app") {
        use wasm_bindgen::JsCast;
        if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
            el.set_inner_html("");
            let cfg = state::Config::from_element(&el);
            boot::start_early(&cfg);
            // the views in a task of their own: this one already compiled and instantiated
            // the wasm, and with the first render it made one task over 50 ms
            // (wasm-bindgen's spawner: Leptos's executor starts with the mount)
            wasm_bindgen_futures::spawn_local(async move {
                load::yield_now().await;
                leptos::mount::mount_to(el, move || {
                    leptos::prelude::view! { <components::App cfg=cfg/> }
                })
                .forget();
            });
        }
    } else {
        // errors are shown inside each element; the promise is for callers of mountAll
        let _ = widget::mount_all();
    }
}
