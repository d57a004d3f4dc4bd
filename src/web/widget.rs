//! The embeddable widget behind `pkg/`: `mount(element, { catalogUrl, weightsUrl, seeds, count })`
//! renders a compact recommendation list inside any element of any page.
//! It shares the engine code with the page, fetches the two files once per URL pair,
//! and makes no other network request.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::display::meta;
use super::load::fetch_bytes;
use crate::recommend::{Options as RankOptions, Query, Recommender as Engine};

/// The longest list the widget shows.
const MAX_COUNT: usize = 50;

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct Options {
    catalog_url: Option<String>,
    weights_url: Option<String>,
    /// Track ids, or "title" / "title artist" search strings.
    seeds: Vec<String>,
    count: Option<usize>,
    title: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
struct Row {
    name: String,
    artist: String,
    meta: String,
    because: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum WState {
    Loading,
    Ready { seeds: Vec<String>, rows: Vec<Row> },
    Error(String),
}

thread_local! {
    static ENGINES: RefCell<Vec<(String, Rc<Engine>)>> = const { RefCell::new(Vec::new()) };
}

async fn engine_for(catalog_url: &str, weights_url: &str) -> Result<Rc<Engine>, String> {
    let key = format!("{catalog_url}\u{1}{weights_url}");
    if let Some(e) = ENGINES.with(|v| {
        v.borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, e)| e.clone())
    }) {
        return Ok(e);
    }
    let cat = fetch_bytes(catalog_url, |_, _| {})
        .await
        .map_err(|e| format!("catalog: {e}"))?;
    let w = fetch_bytes(weights_url, |_, _| {})
        .await
        .map_err(|e| format!("weights: {e}"))?;
    let e = Rc::new(Engine::from_bytes(&cat, &w).map_err(|e| e.to_string())?);
    ENGINES.with(|v| v.borrow_mut().push((key, e.clone())));
    Ok(e)
}

fn resolve_seed(e: &Engine, s: &str) -> Option<usize> {
    e.catalog()
        .index_of(s)
        .or_else(|| e.search().search(s, 1).first().map(|h| h.index))
}

fn compute(e: &Engine, seeds: &[String], count: usize) -> WState {
    let likes: Vec<usize> = seeds.iter().filter_map(|s| resolve_seed(e, s)).collect();
    let recs = e.recommend(&Query::likes(&likes, count));
    let name = |i: usize| {
        e.catalog()
            .tracks
            .get(i)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let rows = recs
        .into_iter()
        .map(|r| {
            let t = &e.catalog().tracks[r.index];
            Row {
                name: t.name.clone(),
                artist: t.artist.clone(),
                meta: meta(t),
                because: r.because.map(|(b, _)| name(b)),
            }
        })
        .collect();
    WState::Ready {
        seeds: likes.iter().map(|&i| name(i)).collect(),
        rows,
    }
}

/// Mount the widget into `element`. Resolves when the list is shown; rejects with a message on failure
/// (the message is also shown inside the element).
#[wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, options: JsValue) -> js_sys::Promise {
    console_error_panic_hook::set_once();
    let opts: Options = if options.is_undefined() || options.is_null() {
        Options::default()
    } else {
        match serde_wasm_bindgen::from_value(options) {
            Ok(o) => o,
            Err(e) => {
                return js_sys::Promise::reject(&JsValue::from_str(&format!(
                    "soundalike: bad options: {e}"
                )))
            }
        }
    };
    let state = RwSignal::new(WState::Loading);
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| "Sounds like this".into());
    element.set_inner_html("");
    let _ = element.class_list().add_1("soundalike-widget");
    leptos::mount::mount_to(element, move || {
        view! {
            <div class="sa-w">
                <div class="sa-w-title">{title}</div>
                {move || match state.get() {
                    WState::Loading => view! { <div class="sa-w-status">"loading recommendations…"</div> }.into_any(),
                    WState::Error(m) => view! { <div class="sa-w-status sa-w-error" role="alert">{m}</div> }.into_any(),
                    WState::Ready { seeds, rows } => view! {
                        <div class="sa-w-seeds">{if seeds.is_empty() { "Popular picks".to_string() } else { format!("If you like {}:", seeds.join(", ")) }}</div>
                        <ol class="sa-w-list">
                            {rows.into_iter().map(|r| view! {
                                <li>
                                    <span class="sa-w-name">{r.name}</span>
                                    <span class="sa-w-artist">{r.artist}</span>
                                    <span class="sa-w-meta">{r.meta}</span>
                                    {r.because.map(|b| view! { <span class="sa-w-because">"because of " {b}</span> })}
                                </li>
                            }).collect_view()}
                        </ol>
                        <div class="sa-w-foot">"computed in your browser by soundalike"</div>
                    }.into_any(),
                }}
            </div>
        }
    })
    .forget();
    let catalog_url = opts.catalog_url.unwrap_or_else(|| "catalog.bin".into());
    let weights_url = opts.weights_url.unwrap_or_else(|| "weights.bin".into());
    let count = opts.count.unwrap_or(5);
    let rank = RankOptions {
        k: count,
        ..RankOptions::default()
    };
    if let Err(e) = rank.check().map_err(|e| e.to_string()).and_then(|()| {
        (count <= MAX_COUNT)
            .then_some(())
            .ok_or_else(|| format!("count must be at most {MAX_COUNT}, got {count}"))
    }) {
        let msg = format!("soundalike: bad options: {e}");
        state.set(WState::Error(msg.clone()));
        return js_sys::Promise::reject(&JsValue::from_str(&msg));
    }
    let seeds = opts.seeds;
    wasm_bindgen_futures::future_to_promise(async move {
        match engine_for(&catalog_url, &weights_url).await {
            Ok(e) => {
                state.set(compute(&e, &seeds, count));
                Ok(JsValue::TRUE)
            }
            Err(m) => {
                let msg = format!("Could not load recommendations: {m}");
                state.set(WState::Error(msg.clone()));
                Err(JsValue::from_str(&msg))
            }
        }
    })
}
