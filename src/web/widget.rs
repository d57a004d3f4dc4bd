//! The embeddable widget behind `pkg/`: `mount(element, { catalogUrl, weightsUrl, likes, seeds,
//! count, title })` renders a compact recommendation list inside any element of any page, and
//! `mountAll()` (also run when the wasm starts on a page without the full app) does the same for
//! every `<div data-soundalike data-likes="…" data-k="…">`, for hosts that cannot write a module
//! script. Options are checked into a [`WidgetError`] that names the option or attribute at fault
//! and is shown inside the element; nothing a host passes can panic the widget.
//! It shares the engine code with the page, fetches the two files once per URL pair, and makes
//! no other network request.

use std::cell::RefCell;
use std::rc::Rc;

use futures::future::{FutureExt, LocalBoxFuture, Shared};
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::display::meta;
use super::inflate;
use super::load::fetch_bytes;
use super::remote::{self, Remote};
use crate::catalog::format::id_to_u128;
use crate::model::Weights;
use crate::recommend::{LoadError, Query, Recommender as Engine};

/// The longest list the widget shows.
const MAX_COUNT: usize = 50;
/// The list's length when the host gives none.
const DEFAULT_COUNT: usize = 5;
/// The attribute that marks an element for `mountAll`, and the one it sets once mounted.
const MARK: &str = "data-soundalike";
const MOUNTED: &str = "data-soundalike-mounted";

/// Why the widget shows no list. Each names the option (`likes[1]`) or attribute (`data-k`) at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WidgetError {
    /// The options object has an unknown key or a value of the wrong type (serde's message).
    #[error("bad options: {0}")]
    Options(String),
    #[error("{at} {id:?} is not a Spotify track id (22 letters and digits, like 4uLU6hMCjMI75M1A2tKUQC)")]
    IdShape { at: String, id: String },
    #[error("{at} {id:?} is not in this catalog{}", if *.unknown > 1 { format!(" ({} of the likes are not)", .unknown) } else { String::new() })]
    UnknownId {
        at: String,
        id: String,
        unknown: usize,
    },
    /// A key `mount` does not know (serde-wasm-bindgen reads only the known ones, so it is checked here).
    #[error("unknown option `{0}` (the options are {OPTIONS})")]
    UnknownOption(String),
    #[error("give count or k, not both")]
    CountAndK,
    #[error("{key} must be an array of strings, got a {got}")]
    NotAList { key: &'static str, got: String },
    #[error("{at} must be a whole number from 1 to {MAX_COUNT}, got {got:?}")]
    Count { at: &'static str, got: String },
    #[error("Could not load recommendations: {0}")]
    Load(String),
}

/// The keys `mount` reads, as the error for an unknown one lists them.
const OPTIONS: &str = "catalogUrl, weightsUrl, likes, seeds, count (or k), title";
const KEYS: [&str; 7] = [
    "catalogUrl",
    "weightsUrl",
    "likes",
    "seeds",
    "count",
    "k",
    "title",
];

/// A misspelt key is an error, not an option silently ignored; a list must be a list.
fn check_keys(options: &JsValue) -> Result<(), WidgetError> {
    let Some(obj) = options.dyn_ref::<js_sys::Object>() else {
        return Ok(()); // not an object: serde names the wrong type
    };
    let keys: Vec<String> = js_sys::Object::keys(obj)
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    if let Some(k) = keys.iter().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(WidgetError::UnknownOption(k.clone()));
    }
    if keys.iter().any(|k| k == "count") && keys.iter().any(|k| k == "k") {
        return Err(WidgetError::CountAndK);
    }
    for key in ["likes", "seeds"] {
        let v = js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        if !v.is_undefined() && !js_sys::Array::is_array(&v) {
            let got = if v.is_null() {
                "null".to_string()
            } else {
                v.js_typeof().as_string().unwrap_or_default()
            };
            return Err(WidgetError::NotAList { key, got });
        }
    }
    Ok(())
}

/// A number as JavaScript or an HTML attribute gives it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Number {
    N(f64),
    S(String),
}

/// The options exactly as the host wrote them.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Raw {
    catalog_url: Option<String>,
    weights_url: Option<String>,
    /// Spotify track ids (or `spotify:track:` URIs, or open.spotify.com track links).
    likes: Vec<String>,
    /// Track ids, or "title" / "title artist" search strings.
    seeds: Vec<String>,
    #[serde(alias = "k")]
    count: Option<Number>,
    title: Option<String>,
}

/// Where the options came from, for naming them in errors.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Source {
    Js,
    Data,
}

/// Checked options.
#[derive(Debug, Clone, PartialEq)]
struct Settings {
    catalog_url: String,
    weights_url: String,
    /// (how to name it in an error, the track id)
    likes: Vec<(String, String)>,
    seeds: Vec<String>,
    count: usize,
    title: String,
}

/// The 22-character id in an id, a `spotify:track:` URI or an open.spotify.com track link.
fn track_id(s: &str) -> Option<String> {
    let s = s.trim();
    let id = if let Some(rest) = s.strip_prefix("spotify:track:") {
        rest
    } else if s.contains("open.spotify.com/") {
        s.split_once("/track/")
            .map(|(_, rest)| rest.split(['?', '#', '/']).next().unwrap_or(rest))
            .unwrap_or(s)
    } else {
        s
    };
    id_to_u128(id).map(|_| id.to_string())
}

fn check_count(n: Option<Number>, at: &'static str) -> Result<usize, WidgetError> {
    let bad = |got: String| WidgetError::Count { at, got };
    let v = match n {
        None => return Ok(DEFAULT_COUNT),
        Some(Number::N(v)) => v,
        Some(Number::S(s)) => s.trim().parse::<f64>().map_err(|_| bad(s.clone()))?,
    };
    if v.fract() != 0.0 || !(1.0..=MAX_COUNT as f64).contains(&v) {
        return Err(bad(v.to_string()));
    }
    Ok(v as usize)
}

fn check(raw: Raw, src: Source) -> Result<Settings, WidgetError> {
    let mut likes: Vec<(String, String)> = Vec::new();
    for (k, s) in raw.likes.iter().enumerate() {
        let at = match src {
            Source::Js => format!("likes[{k}]"),
            Source::Data => format!("data-likes item {}", k + 1),
        };
        let id = track_id(s).ok_or_else(|| WidgetError::IdShape {
            at: at.clone(),
            id: s.clone(),
        })?;
        // the same track twice is one like
        if !likes.iter().any(|(_, x)| *x == id) {
            likes.push((at, id));
        }
    }
    let at = match src {
        Source::Js => "count",
        Source::Data => "data-k",
    };
    Ok(Settings {
        catalog_url: raw.catalog_url.unwrap_or_else(|| "catalog.bin".into()),
        weights_url: raw.weights_url.unwrap_or_else(|| "weights.bin".into()),
        likes,
        seeds: raw.seeds,
        count: check_count(raw.count, at)?,
        title: raw.title.unwrap_or_else(|| "Sounds like this".into()),
    })
}

/// The options of an element marked `data-soundalike`: `data-likes` (ids, separated by commas
/// or spaces), `data-k` (or `data-count`), `data-title`, `data-catalog-url`, `data-weights-url`.
fn from_data(el: &web_sys::Element) -> Result<Settings, WidgetError> {
    let attr = |name: &str| el.get_attribute(name);
    let raw = Raw {
        catalog_url: attr("data-catalog-url"),
        weights_url: attr("data-weights-url"),
        likes: attr("data-likes")
            .map(|s| {
                s.split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        seeds: Vec::new(),
        count: attr("data-k").or_else(|| attr("data-count")).map(Number::S),
        title: attr("data-title"),
    };
    check(raw, Source::Data)
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
    Ready {
        seeds: Vec<String>,
        unmatched: Vec<String>,
        rows: Vec<Row>,
    },
    Error(String),
}

/// One load of a catalog and weights pair, shared by every widget that asks for it.
type Loading = Shared<LocalBoxFuture<'static, Result<Rc<Engine>, WidgetError>>>;

thread_local! {
    static ENGINES: RefCell<Vec<(String, Loading)>> = const { RefCell::new(Vec::new()) };
}

/// Through the engine worker when the host page allows one (its CSP may forbid workers: then, or
/// when it fails to start, the same work runs inline).
async fn load(catalog_url: String, weights_url: String) -> Result<Rc<Engine>, WidgetError> {
    match remote::load(&catalog_url, &weights_url, |_| {}).await {
        // (the widget ranks with the scan index in catalog order: its engine is shared as it is)
        Ok(Remote::Engine(e, _, _)) => return Ok(Rc::new(*e)),
        Ok(Remote::NoCatalog(_)) => {
            return Err(WidgetError::Load(format!(
                "catalog: {catalog_url} answered HTTP 404"
            )))
        }
        Err(Some(e)) => return Err(WidgetError::Load(e)),
        Err(None) => {}
    }
    let cat = fetch_bytes(&catalog_url, |_, _| {})
        .await
        .map_err(|e| WidgetError::Load(format!("catalog: {e}")))?;
    let w = fetch_bytes(&weights_url, |_, _| {})
        .await
        .map_err(|e| WidgetError::Load(format!("weights: {e}")))?;
    let failed = |e: LoadError| WidgetError::Load(e.to_string());
    let catalog = inflate::decode(&cat).await.map_err(|e| failed(e.into()))?;
    let weights = Weights::from_bytes(&w).map_err(|e| failed(e.into()))?;
    Ok(Rc::new(Engine::new(catalog, weights).map_err(failed)?))
}

/// The engine for a URL pair: widgets mounted at the same time wait on one download.
async fn engine_for(catalog_url: &str, weights_url: &str) -> Result<Rc<Engine>, WidgetError> {
    let key = format!("{catalog_url}\u{1}{weights_url}");
    let loading = ENGINES.with(|v| {
        let mut v = v.borrow_mut();
        if let Some((_, f)) = v.iter().find(|(k, _)| *k == key) {
            return f.clone();
        }
        let f = load(catalog_url.to_string(), weights_url.to_string())
            .boxed_local()
            .shared();
        v.push((key.clone(), f.clone()));
        f
    });
    let got = loading.await;
    if got.is_err() {
        // a failed download is not kept: the next mount tries again
        ENGINES.with(|v| v.borrow_mut().retain(|(k, _)| *k != key));
    }
    got
}

fn resolve_seed(e: &Engine, s: &str) -> Option<usize> {
    e.catalog()
        .index_of(s)
        .or_else(|| e.search().search(s, 1).first().map(|h| h.index))
}

fn compute(e: &Engine, s: &Settings) -> Result<WState, WidgetError> {
    let mut likes = Vec::new();
    let mut unknown = Vec::new();
    for (at, id) in &s.likes {
        match e.catalog().index_of(id) {
            Some(i) => likes.push(i),
            None => unknown.push((at, id)),
        }
    }
    if let Some(&(at, id)) = unknown.first() {
        return Err(WidgetError::UnknownId {
            at: at.clone(),
            id: id.clone(),
            unknown: unknown.len(),
        });
    }
    let mut unmatched = Vec::new();
    for seed in &s.seeds {
        match resolve_seed(e, seed) {
            Some(i) if !likes.contains(&i) => likes.push(i),
            Some(_) => {}
            None => unmatched.push(seed.clone()),
        }
    }
    let recs = e.recommend(&Query::likes(&likes, s.count));
    let name = |i: usize| {
        e.catalog()
            .tracks
            .get(i)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let rows = recs
        .into_iter()
        .filter_map(|r| {
            let t = e.catalog().tracks.get(r.index)?;
            Some(Row {
                name: t.name.clone(),
                artist: t.artist.to_string(),
                meta: meta(t),
                because: r.because.map(|(b, _)| name(b)),
            })
        })
        .collect();
    Ok(WState::Ready {
        seeds: likes.iter().map(|&i| name(i)).collect(),
        unmatched,
        rows,
    })
}

/// Render into `element` and load; the promise resolves once the list is shown and rejects with
/// the message shown inside the element.
fn mount_checked(
    element: web_sys::HtmlElement,
    settings: Result<Settings, WidgetError>,
) -> js_sys::Promise {
    let state = RwSignal::new(WState::Loading);
    let title = settings
        .as_ref()
        .map(|s| s.title.clone())
        .unwrap_or_else(|_| "soundalike".into());
    element.set_inner_html("");
    let _ = element.class_list().add_1("soundalike-widget");
    leptos::mount::mount_to(element, move || {
        view! {
            <div class="sa-w" aria-busy=move || (state.get() == WState::Loading).to_string()>
                <p class="sa-w-title">{title}</p>
                {move || match state.get() {
                    WState::Loading => view! { <p class="sa-w-status" role="status">"loading recommendations…"</p> }.into_any(),
                    WState::Error(m) => view! { <p class="sa-w-status sa-w-error" role="alert">{m}</p> }.into_any(),
                    WState::Ready { seeds, unmatched, rows } => view! {
                        <p class="sa-w-seeds" role="status">
                            {if seeds.is_empty() { "Popular picks".to_string() } else { format!("If you like {}:", seeds.join(", ")) }}
                            {(!unmatched.is_empty()).then(|| format!(" (no track matches {})", unmatched.iter().map(|u| format!("“{u}”")).collect::<Vec<_>>().join(", ")))}
                        </p>
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
                        <p class="sa-w-foot">"computed in your browser by soundalike"</p>
                    }.into_any(),
                }}
            </div>
        }
    })
    .forget();
    let fail = move |e: WidgetError| {
        state.set(WState::Error(e.to_string()));
        JsValue::from_str(&format!("soundalike: {e}"))
    };
    let settings = match settings {
        Ok(s) => s,
        Err(e) => return js_sys::Promise::reject(&fail(e)),
    };
    wasm_bindgen_futures::future_to_promise(async move {
        let shown = engine_for(&settings.catalog_url, &settings.weights_url)
            .await
            .and_then(|e| compute(&e, &settings));
        match shown {
            Ok(s) => {
                state.set(s);
                Ok(JsValue::TRUE)
            }
            Err(e) => Err(fail(e)),
        }
    })
}

/// Mount the widget into `element`. Resolves when the list is shown; rejects with a message on failure
/// (the message is also shown inside the element).
#[wasm_bindgen]
pub fn mount(element: web_sys::HtmlElement, options: JsValue) -> js_sys::Promise {
    console_error_panic_hook::set_once();
    let raw = if options.is_undefined() || options.is_null() {
        Ok(Raw::default())
    } else {
        check_keys(&options).and_then(|()| {
            serde_wasm_bindgen::from_value::<Raw>(options).map_err(|e| {
                // the message of a JS Error, without its "Error: " prefix
                let m = e.to_string();
                WidgetError::Options(m.strip_prefix("Error: ").unwrap_or(&m).to_string())
            })
        })
    };
    mount_checked(element, raw.and_then(|r| check(r, Source::Js)))
}

/// Mount a widget into every element marked `data-soundalike` that has none yet. Resolves (after
/// each has shown its list or its error) to `Promise.allSettled`'s array, one entry per element.
#[wasm_bindgen(js_name = mountAll)]
pub fn mount_all() -> js_sys::Promise {
    console_error_panic_hook::set_once();
    let mounted = js_sys::Array::new();
    let found = web_sys::window().and_then(|w| w.document()).and_then(|d| {
        d.query_selector_all(&format!("[{MARK}]:not([{MOUNTED}])"))
            .ok()
    });
    if let Some(list) = found {
        for k in 0..list.length() {
            let Some(el) = list
                .item(k)
                .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            else {
                continue;
            };
            let _ = el.set_attribute(MOUNTED, "");
            let settings = from_data(&el);
            mounted.push(&mount_checked(el, settings));
        }
    }
    js_sys::Promise::all_settled(&mounted)
}
