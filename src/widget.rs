//! The embeddable widget behind `pkg/`: `mount(element, { catalogUrl, weightsUrl, seeds, count })`
//! renders a compact recommendation list inside any element of any page.
//! It shares the engine code with the page, fetches the two files once per URL pair,
//! and makes no other network request.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::engine::Engine;
use crate::rerank::RerankOptions;
use crate::web::load::fetch_bytes;

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
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
    let catalog = Engine::decode_catalog(&cat).map_err(|e| e.to_string())?;
    let model = Engine::decode_weights(&w).map_err(|e| e.to_string())?;
    let e = Rc::new(Engine::new(catalog, model));
    ENGINES.with(|v| v.borrow_mut().push((key, e.clone())));
    Ok(e)
}

fn resolve_seed(e: &Engine, s: &str) -> Option<usize> {
    e.catalog
        .index_of(s)
        .or_else(|| e.search.search(s, 1).first().map(|h| h.index))
}

fn compute(e: &Engine, seeds: &[String], count: usize) -> WState {
    let likes: Vec<usize> = seeds.iter().filter_map(|s| resolve_seed(e, s)).collect();
    let opts = RerankOptions {
        k: count,
        ..Default::default()
    };
    let recs = e.recommend(&likes, &[], &opts);
    let name = |i: usize| {
        e.catalog
            .tracks
            .get(i)
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let rows = recs
        .into_iter()
        .map(|r| {
            let t = &e.catalog.tracks[r.index];
            Row {
                name: t.name.clone(),
                artist: t.artist.clone(),
                meta: [
                    t.genre.clone(),
                    t.year.map(|y| y.to_string()).unwrap_or_default(),
                ]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" · "),
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
    let count = opts.count.unwrap_or(5).clamp(1, 50);
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

/// Bench hooks over the page's engine (used by scripts/bench.sh; figures, not tests). They run
/// the same code as `soundalike bench` natively (`crate::engine::bench`).
pub mod bench {
    use wasm_bindgen::prelude::*;

    use crate::engine::bench as b;
    use crate::web::load::now;
    use crate::web::with_engine;

    /// All figures at once, as a JS object.
    #[wasm_bindgen(js_name = benchAll)]
    pub fn bench_all(queries: usize, n_likes: usize) -> JsValue {
        with_engine(|e| {
            serde_wasm_bindgen::to_value(&b::run(e, queries, n_likes, &now))
                .unwrap_or(JsValue::NULL)
        })
        .unwrap_or(JsValue::NULL)
    }

    /// ms to encode the whole catalog.
    #[wasm_bindgen(js_name = benchEncode)]
    pub fn bench_encode() -> f64 {
        with_engine(|e| b::encode_ms(e, &now)).unwrap_or(f64::NAN)
    }

    /// Mean ms per ranking query.
    #[wasm_bindgen(js_name = benchRank)]
    pub fn bench_rank(queries: usize) -> f64 {
        with_engine(|e| b::rank_ms(e, queries, &now)).unwrap_or(f64::NAN)
    }

    /// [total ms, longest single step ms, steps] for a fine-tune on `n_likes` random likes.
    #[wasm_bindgen(js_name = benchFinetune)]
    pub fn bench_finetune(n_likes: usize) -> Vec<f64> {
        with_engine(|e| {
            let (t, l, s) = b::finetune_ms(e, n_likes, &now);
            vec![t, l, s as f64]
        })
        .unwrap_or_default()
    }

    /// The fine-tune fixture of `tests/common/finetune_fixture.rs` (likes 0..12, dislikes 20 and
    /// 21 of 300 fixed embeddings, 10 steps, lr 1e-3, seed 7) on the shipped head of the loaded
    /// weights: the logits of tracks 100..108. tests/browser/finetune.test.mjs compares them with
    /// the native numbers. Empty before the page has loaded.
    #[wasm_bindgen(js_name = finetuneFixture)]
    pub fn finetune_fixture() -> Vec<f32> {
        with_engine(|e| fixture::finetune_fixture_with(&e.model.weights)).unwrap_or_default()
    }

    mod fixture {
        use crate::finetune::{fine_tune, FineTuneConfig};
        use crate::model::Embedding32;
        use crate::rank::{head_scores, profile};
        use crate::weights::Weights;

        include!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/common/finetune_fixture.rs"
        ));
    }

    /// `n` pseudo-random track ids of the loaded catalog (to build a like list in the bench).
    #[wasm_bindgen(js_name = trackIds)]
    pub fn track_ids(n: usize, seed: u64) -> Vec<String> {
        with_engine(|e| {
            b::random_tracks(e, n, seed)
                .into_iter()
                .map(|i| e.catalog.tracks[i].id.clone())
                .collect()
        })
        .unwrap_or_default()
    }
}
