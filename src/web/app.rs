//! The page's components.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::charts::{Heatmap, LossCurve, MapView};
use super::load::{fetch_bytes, now, yield_now};
use super::{storage, with_engine, with_engine_mut};
use crate::catalog::features::{FEATURE_NAMES, N_FEATURES};
use crate::engine::{model, Engine, Rec};
use crate::explain::top_contributions;
use crate::likes::{self, Stored};
use crate::rerank::RerankOptions;

#[derive(Clone, Debug)]
pub struct Config {
    pub catalog_url: String,
    pub weights_url: String,
}

impl Config {
    pub fn from_element(el: &web_sys::HtmlElement) -> Config {
        Config {
            catalog_url: el
                .get_attribute("data-catalog")
                .unwrap_or_else(|| "catalog.bin".into()),
            weights_url: el
                .get_attribute("data-weights")
                .unwrap_or_else(|| "weights.bin".into()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Loading {
        what: String,
        got: u64,
        total: Option<u64>,
    },
    Working(String),
    Ready {
        n: usize,
        ms: f64,
    },
    Error(String),
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct TuneState {
    pub running: bool,
    pub progress: f32,
    pub losses: Vec<f32>,
    pub before: Vec<usize>,
    pub after: Vec<usize>,
    pub ms: f64,
    pub tuned: bool,
    pub longest_slice_ms: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NewTrack {
    pub raw: [f32; 9],
    pub pos: [f32; 2],
    pub neighbours: Vec<(usize, f32)>,
}

/// All reactive state of the page (signals are Copy).
#[derive(Clone, Copy)]
pub struct St {
    pub status: RwSignal<Status>,
    pub version: RwSignal<u32>,
    pub likes: RwSignal<Vec<usize>>,
    pub dislikes: RwSignal<Vec<usize>>,
    pub opts: RwSignal<RerankOptions>,
    pub notices: RwSignal<Vec<String>>,
    pub selected: RwSignal<Option<usize>>,
    pub tune: RwSignal<TuneState>,
    pub newtrack: RwSignal<Option<NewTrack>>,
    pub restored: RwSignal<bool>,
    pub recs: Memo<Vec<Rec>>,
}

impl St {
    pub fn like(&self, i: usize) {
        self.dislikes.update(|d| d.retain(|&x| x != i));
        self.likes.update(|l| {
            if !l.contains(&i) {
                l.push(i)
            }
        });
    }
    pub fn dislike(&self, i: usize) {
        self.likes.update(|l| l.retain(|&x| x != i));
        self.dislikes.update(|d| {
            if !d.contains(&i) {
                d.push(i)
            }
        });
    }
    pub fn unrate(&self, i: usize) {
        self.likes.update(|l| l.retain(|&x| x != i));
        self.dislikes.update(|d| d.retain(|&x| x != i));
    }
    pub fn notice(&self, s: impl Into<String>) {
        let s = s.into();
        self.notices.update(|n| {
            n.push(s);
            if n.len() > 4 {
                n.remove(0);
            }
        });
    }
    pub fn ids(&self, v: &[usize]) -> Vec<String> {
        with_engine(|e| {
            v.iter()
                .filter_map(|&i| e.catalog.tracks.get(i).map(|t| t.id.clone()))
                .collect()
        })
        .unwrap_or_default()
    }
}

pub fn track_name(i: usize) -> (String, String) {
    with_engine(|e| {
        e.catalog
            .tracks
            .get(i)
            .map(|t| (t.name.clone(), t.artist.clone()))
    })
    .flatten()
    .unwrap_or_default()
}

pub fn track_meta(i: usize) -> String {
    with_engine(|e| {
        e.catalog.tracks.get(i).map(|t| {
            let mut s = String::new();
            if !t.genre.is_empty() {
                s.push_str(&t.genre);
            }
            if let Some(y) = t.year {
                if !s.is_empty() {
                    s.push_str(" · ");
                }
                s.push_str(&y.to_string());
            }
            s
        })
    })
    .flatten()
    .unwrap_or_default()
}

pub fn pretty_feature(i: usize) -> String {
    FEATURE_NAMES[i].replace('_', " ")
}

/// A scaled value in the feature's natural unit for display.
pub fn display_value(i: usize, v: f32) -> String {
    let raw = with_engine(|e| {
        e.catalog.scaler.min[i] + v * (e.catalog.scaler.max[i] - e.catalog.scaler.min[i])
    })
    .unwrap_or(v);
    match FEATURE_NAMES[i] {
        "tempo" => format!("{raw:.0} BPM"),
        "loudness" => format!("{raw:.1} dB"),
        _ => format!("{v:.2}"),
    }
}

fn human_bytes(b: u64) -> String {
    if b >= 1 << 20 {
        format!("{:.1} MB", b as f64 / 1048576.0)
    } else {
        format!("{:.0} KB", b as f64 / 1024.0)
    }
}

async fn load_all(cfg: Config, st: St) -> Result<(), String> {
    let t0 = now();
    let status = st.status;
    let cat = fetch_bytes(&cfg.catalog_url, move |got, total| {
        status.set(Status::Loading {
            what: "catalog".into(),
            got,
            total,
        })
    })
    .await
    .map_err(|e| format!("The catalog could not be downloaded: {e}."))?;
    let w = fetch_bytes(&cfg.weights_url, move |got, total| {
        status.set(Status::Loading {
            what: "model weights".into(),
            got,
            total,
        })
    })
    .await
    .map_err(|e| format!("The model weights could not be downloaded: {e}."))?;
    status.set(Status::Working("decoding…".into()));
    yield_now().await;
    let catalog = Engine::decode_catalog(&cat).map_err(|e| e.to_string())?;
    let model = Engine::decode_weights(&w).map_err(|e| e.to_string())?;
    status.set(Status::Working(format!(
        "encoding {} tracks…",
        catalog.len()
    )));
    yield_now().await;
    let engine = Engine::new(catalog, model);
    let n = engine.len();
    super::set_engine(engine);
    st.version.update(|v| *v += 1);
    restore(st);
    // compute the first recommendations before declaring ready
    let _ = st.recs.get_untracked();
    let ms = now() - t0;
    status.set(Status::Ready { n, ms });
    // for scripts/bench.sh: when the first recommendations were ready (ms since navigation start)
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"__soundalikeReadyMs".into(), &now().into());
    }
    Ok(())
}

/// Bring back likes (storage, then the share link) and the tuned head.
fn restore(st: St) {
    let (stored, notice) = storage::load_likes();
    if let Some(n) = notice {
        st.notice(n);
    }
    let map = |ids: &[String]| -> (Vec<usize>, usize) {
        with_engine(|e| {
            let v: Vec<usize> = ids.iter().filter_map(|id| e.catalog.index_of(id)).collect();
            let missing = ids.len() - v.len();
            (v, missing)
        })
        .unwrap_or_default()
    };
    let (mut l, m1) = map(&stored.likes);
    let (d, m2) = map(&stored.dislikes);
    if m1 + m2 > 0 {
        st.notice(format!(
            "{} saved tracks are not in this catalog and were skipped.",
            m1 + m2
        ));
    }
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if let Some(ids) = likes::from_fragment(&hash) {
        let (shared, missing) = map(&ids);
        let added = shared.iter().filter(|i| !l.contains(i)).count();
        for i in shared {
            if !l.contains(&i) {
                l.push(i);
            }
        }
        st.notice(format!(
            "Added {added} likes from the shared link{}.",
            if missing > 0 {
                format!(" ({missing} unknown ids skipped)")
            } else {
                String::new()
            }
        ));
    }
    st.likes.set(l);
    st.dislikes.set(d);
    let (head, notice) = storage::load_head();
    if let Some(n) = notice {
        st.notice(n);
    }
    if let Some(b) = head {
        match with_engine(|e| e.model.head_from_bytes(&b)).unwrap_or_else(|| Err("no model".into()))
        {
            Ok(h) => {
                with_engine_mut(|e| e.set_head(Some(h)));
                st.tune.update(|t| t.tuned = true);
                st.version.update(|v| *v += 1);
            }
            Err(e) => {
                storage::save_head(None);
                st.notice(format!("Your saved tuned model was reset: {e}."));
            }
        }
    }
    st.restored.set(true);
}

#[component]
pub fn App(cfg: Config) -> impl IntoView {
    let status = RwSignal::new(Status::Loading {
        what: "catalog".into(),
        got: 0,
        total: None,
    });
    let version = RwSignal::new(0u32);
    let likes = RwSignal::new(Vec::<usize>::new());
    let dislikes = RwSignal::new(Vec::<usize>::new());
    let opts = RwSignal::new(RerankOptions::default());
    let recs = Memo::new(move |_| {
        version.track();
        let l = likes.get();
        let d = dislikes.get();
        let o = opts.get();
        with_engine(|e| e.recommend(&l, &d, &o)).unwrap_or_default()
    });
    let st = St {
        status,
        version,
        likes,
        dislikes,
        opts,
        notices: RwSignal::new(Vec::new()),
        selected: RwSignal::new(None),
        tune: RwSignal::new(TuneState::default()),
        newtrack: RwSignal::new(None),
        restored: RwSignal::new(false),
        recs,
    };
    provide_context(st);

    // persist likes whenever they change (after the stored ones were restored)
    Effect::new(move |_| {
        let l = likes.get();
        let d = dislikes.get();
        if st.restored.get_untracked() {
            storage::save_likes(&Stored::new(st.ids(&l), st.ids(&d)));
        }
    });

    spawn_local(async move {
        if let Err(e) = load_all(cfg, st).await {
            status.set(Status::Error(e));
        }
    });

    let ready = move || matches!(status.get(), Status::Ready { .. });
    // the map and the heatmap render a moment after the first recommendations are on screen
    let insight = RwSignal::new(false);
    Effect::new(move |_| {
        if ready() && !insight.get_untracked() {
            spawn_local(async move {
                yield_now().await;
                yield_now().await;
                insight.set(true);
            });
        }
    });
    let later = || view! { <p class="muted">"preparing…"</p> };
    view! {
        <header class="top">
            <div class="brand">
                <h1>"soundalike"</h1>
                <p class="tagline">"Music recommendations computed entirely in your browser."</p>
            </div>
            <StatusLine/>
        </header>
        <Notices/>
        <Show when=ready fallback=move || view! { <LoadingOrError/> }>
            <main class="grid">
                <section class="panel likes-panel" aria-label="Your tracks">
                    <h2>"1 · Find tracks you like"</h2>
                    <SearchBox/>
                    <LikesList/>
                </section>
                <section class="panel recs-panel" aria-label="Recommendations">
                    <h2>"2 · Recommendations"</h2>
                    <Recommendations/>
                </section>
                <section class="panel controls-panel" aria-label="Tuning the results">
                    <h2>"3 · Shape the results"</h2>
                    <Controls/>
                </section>
                <section class="panel tune-panel" aria-label="Tune to me">
                    <h2>"4 · Tune to me"</h2>
                    <Tune/>
                </section>
                <section class="panel map-panel" aria-label="Embedding map">
                    <h2>"Map of the catalog"</h2>
                    <Show when=move || insight.get() fallback=later><MapView/></Show>
                </section>
                <section class="panel heat-panel" aria-label="Feature correlations">
                    <h2>"Feature correlations"</h2>
                    <Show when=move || insight.get() fallback=later><Heatmap/></Show>
                </section>
                <section class="panel new-panel" aria-label="New track">
                    <h2>"Place a new track"</h2>
                    <NewTrackForm/>
                </section>
            </main>
        </Show>
        <footer class="privacy" id="privacy">
            <h2>"Privacy"</h2>
            <p>
                "Everything happens on your device. This page downloads the track catalog and the model weights once; "
                "after that it makes no network request at all. Your likes, dislikes and tuned model are kept in this "
                "browser's localStorage and never leave it. A share link carries your likes in the part of the URL after "
                "the #, which browsers do not send to any server."
            </p>
        </footer>
    }
}

#[component]
fn StatusLine() -> impl IntoView {
    let st = expect_context::<St>();
    view! {
        <div class="status" role="status" aria-live="polite" data-testid="status">
            {move || match st.status.get() {
                Status::Loading { what, got, total } => {
                    let pct = total.filter(|&t| t > 0).map(|t| (got as f64 / t as f64 * 100.0).min(100.0));
                    view! {
                        <span>{format!("Loading {what}: {}{}", human_bytes(got), total.map(|t| format!(" of {}", human_bytes(t))).unwrap_or_default())}</span>
                        <progress max="100" value=pct.unwrap_or(0.0) class:indeterminate=pct.is_none()></progress>
                    }.into_any()
                }
                Status::Working(s) => view! { <span class="working">{s}</span> }.into_any(),
                Status::Ready { n, ms } => view! {
                    <span class="ready">{format!("ready: {n} tracks in {ms:.0} ms")}</span>
                }.into_any(),
                Status::Error(_) => view! { <span class="error-text">"could not load"</span> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn LoadingOrError() -> impl IntoView {
    let st = expect_context::<St>();
    move || {
        match st.status.get() {
        Status::Error(msg) => view! {
            <div class="error-box" role="alert">
                <h2>"Something went wrong while loading"</h2>
                <p class="error-message">{msg}</p>
                <p class="hint">"Rebuild the catalog and site with " <code>"scripts/serve.sh"</code> " and reload this page."</p>
            </div>
        }
        .into_any(),
        _ => view! { <div class="skeleton" aria-hidden="true"><div></div><div></div><div></div></div> }.into_any(),
    }
    }
}

#[component]
fn Notices() -> impl IntoView {
    let st = expect_context::<St>();
    view! {
        <div class="notices" aria-live="polite">
            {move || st.notices.get().into_iter().enumerate().map(|(k, n)| view! {
                <div class="notice">
                    <span>{n}</span>
                    <button class="icon" aria-label="Dismiss" on:click=move |_| st.notices.update(|v| { if k < v.len() { v.remove(k); } })>"×"</button>
                </div>
            }).collect_view()}
        </div>
    }
}

#[component]
fn RateButtons(i: usize) -> impl IntoView {
    let st = expect_context::<St>();
    let liked = move || st.likes.with(|l| l.contains(&i));
    let disliked = move || st.dislikes.with(|l| l.contains(&i));
    view! {
        <span class="rate">
            <button class="like" class:on=liked aria-pressed=move || liked().to_string() title="Like"
                on:click=move |ev| { ev.stop_propagation(); if liked() { st.unrate(i) } else { st.like(i) } }>
                {move || if liked() { "♥ Liked" } else { "♡ Like" }}
            </button>
            <button class="dislike" class:on=disliked aria-pressed=move || disliked().to_string() title="Dislike"
                on:click=move |ev| { ev.stop_propagation(); if disliked() { st.unrate(i) } else { st.dislike(i) } }>
                "✕"
            </button>
        </span>
    }
}

#[component]
fn SearchBox() -> impl IntoView {
    let st = expect_context::<St>();
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<usize>::new());
    let active = RwSignal::new(None::<usize>);
    let took = RwSignal::new(0.0f64);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let run = move |q: String| {
        let t = now();
        let h = with_engine(|e| {
            e.search
                .search(&q, 12)
                .into_iter()
                .map(|h| h.index)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
        took.set(now() - t);
        active.set(if h.is_empty() { None } else { Some(0) });
        hits.set(h);
        query.set(q);
    };
    let clear = move || {
        query.set(String::new());
        hits.set(Vec::new());
        active.set(None);
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let n = hits.with(|h| h.len());
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |x| (x + 1) % n)));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(n - 1, |x| (x + n - 1) % n)));
            }
            "Enter" => {
                ev.prevent_default();
                if let Some(i) = active
                    .get_untracked()
                    .and_then(|a| hits.with_untracked(|h| h.get(a).copied()))
                {
                    st.like(i);
                    let (name, _) = track_name(i);
                    st.notice(format!("Liked “{name}”."));
                }
            }
            "Escape" => {
                ev.prevent_default();
                clear();
            }
            _ => {}
        }
    };
    view! {
        <div class="search">
            <label for="search-input" class="sr-only">"Search by title or artist"</label>
            <input id="search-input" type="search" node_ref=input_ref autocomplete="off" spellcheck="false"
                placeholder="Search by title or artist…" role="combobox" aria-controls="search-results"
                aria-expanded=move || (!hits.with(|h| h.is_empty())).to_string()
                aria-activedescendant=move || active.get().map(|a| format!("hit-{a}")).unwrap_or_default()
                prop:value=move || query.get()
                on:input=move |ev| run(event_target_value(&ev))
                on:keydown=on_key/>
            <p class="search-help">"↑/↓ to move, Enter to like, Esc to clear"
                {move || if query.with(|q| !q.is_empty()) { format!(" · {} results in {:.1} ms", hits.with(|h| h.len()), took.get()) } else { String::new() }}
            </p>
            <ul id="search-results" class="results" role="listbox">
                {move || {
                    let q = query.get();
                    let h = hits.get();
                    if !q.trim().is_empty() && h.is_empty() {
                        return view! { <li class="empty">"No track matches “" {q} "”."</li> }.into_any();
                    }
                    h.into_iter().enumerate().map(|(k, i)| {
                        let (name, artist) = track_name(i);
                        view! {
                            <li id=format!("hit-{k}") role="option" class="hit" class:active=move || active.get() == Some(k)
                                aria-selected=move || (active.get() == Some(k)).to_string()
                                on:mouseenter=move |_| active.set(Some(k))>
                                <span class="t">
                                    <span class="title">{name}</span>
                                    <span class="artist">{artist}</span>
                                    <span class="meta">{track_meta(i)}</span>
                                </span>
                                <RateButtons i=i/>
                            </li>
                        }
                    }).collect_view().into_any()
                }}
            </ul>
        </div>
    }
}

#[component]
fn LikesList() -> impl IntoView {
    let st = expect_context::<St>();
    let share = RwSignal::new(String::new());
    let file_ref = NodeRef::<leptos::html::Input>::new();
    let export = move |csv: bool| {
        let ids = st.ids(&st.likes.get_untracked());
        let dis = st.ids(&st.dislikes.get_untracked());
        let r = if csv {
            super::load::download("soundalike-likes.csv", "text/csv", &likes::export_csv(&ids))
        } else {
            super::load::download(
                "soundalike-likes.json",
                "application/json",
                &Stored::new(ids, dis).to_json(),
            )
        };
        if let Err(e) = r {
            st.notice(format!("Export failed: {e}"));
        }
    };
    let on_file = move |_| {
        let Some(input) = file_ref.get_untracked() else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            match text
                .ok_or_else(|| "the file could not be read".to_string())
                .and_then(|t| likes::parse_import(&t).map_err(|e| e.to_string()))
            {
                Ok(ids) => {
                    let (found, missing) = with_engine(|e| {
                        let v: Vec<usize> =
                            ids.iter().filter_map(|id| e.catalog.index_of(id)).collect();
                        let m = ids.len() - v.len();
                        (v, m)
                    })
                    .unwrap_or_default();
                    let n = found.len();
                    for i in found {
                        st.like(i);
                    }
                    st.notice(format!(
                        "Imported {n} likes{}.",
                        if missing > 0 {
                            format!(" ({missing} ids not in the catalog)")
                        } else {
                            String::new()
                        }
                    ));
                }
                Err(e) => st.notice(format!("Import failed: {e}.")),
            }
        });
    };
    let make_link = move |_| {
        let ids = st.ids(&st.likes.get_untracked());
        let Some(w) = web_sys::window() else { return };
        let loc = w.location();
        let base = format!(
            "{}{}{}",
            loc.origin().unwrap_or_default(),
            loc.pathname().unwrap_or_default(),
            loc.search().unwrap_or_default()
        );
        let link = format!("{base}#{}", likes::to_fragment(&ids));
        share.set(link);
    };
    view! {
        <div class="likes">
            <h3>{move || format!("Your likes ({})", st.likes.with(|l| l.len()))}</h3>
            {move || {
                let l = st.likes.get();
                if l.is_empty() {
                    view! { <p class="muted">"No likes yet. Search above and press Enter or ♡ to like a track."</p> }.into_any()
                } else {
                    view! {
                        <ul class="chips" data-testid="likes">
                            {l.into_iter().map(|i| {
                                let (name, artist) = track_name(i);
                                view! {
                                    <li class="chip">
                                        <span class="title">{name}</span><span class="artist">{artist}</span>
                                        <button class="icon" aria-label="Remove" title="Remove" on:click=move |_| st.unrate(i)>"×"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            {move || {
                let d = st.dislikes.with(|d| d.len());
                (d > 0).then(|| view! {
                    <p class="muted">{format!("{d} disliked ")}
                        <button class="link" on:click=move |_| st.dislikes.set(Vec::new())>"clear dislikes"</button></p>
                })
            }}
            <div class="row-actions">
                <button on:click=move |_| export(false)>"Export JSON"</button>
                <button on:click=move |_| export(true)>"Export CSV"</button>
                <label class="button">"Import…"
                    <input type="file" accept=".json,.csv,.txt,application/json,text/csv" class="sr-only" node_ref=file_ref on:change=on_file/>
                </label>
                <button on:click=make_link>"Share link"</button>
                <button class="danger" on:click=move |_| { st.likes.set(Vec::new()); st.dislikes.set(Vec::new()); }>"Clear"</button>
            </div>
            {move || (!share.get().is_empty()).then(|| view! {
                <div class="share">
                    <label for="share-link">"Your link (likes travel after the #, no server sees them):"</label>
                    <input id="share-link" readonly prop:value=move || share.get() on:focus=move |ev| {
                        if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { t.select(); }
                    }/>
                </div>
            })}
        </div>
    }
}

#[component]
fn Bars(contrib: [f32; N_FEATURES]) -> impl IntoView {
    let top = top_contributions(&contrib, 4);
    view! {
        <div class="bars" aria-label="Features that drive this match">
            {top.into_iter().map(|f| {
                let v = contrib[f];
                let w = (v.abs() * 100.0).min(100.0);
                view! {
                    <div class="bar-row" title=format!("{}: {:+.2}", pretty_feature(f), v)>
                        <span class="bar-label">{pretty_feature(f)}</span>
                        <span class="bar-track">
                            <span class={if v >= 0.0 { "bar pos" } else { "bar neg" }}
                                style=format!("width:{:.0}%;{}", w / 2.0, if v >= 0.0 { "left:50%" } else { "right:50%" })></span>
                        </span>
                        <span class="bar-val">{format!("{v:+.2}")}</span>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Recommendations() -> impl IntoView {
    let st = expect_context::<St>();
    let cold = move || st.likes.with(|l| l.is_empty());
    view! {
        {move || cold().then(|| view! {
            <p class="hint cold" data-testid="cold-hint">"You have no likes yet, so here are popular tracks across genres. Like a few tracks to make these yours."</p>
        })}
        <ol class="recs" data-testid="recs">
            {move || {
                let recs = st.recs.get();
                if recs.is_empty() {
                    return view! { <li class="empty">"No track passes the current filters. Loosen a min/max bound."</li> }.into_any();
                }
                recs.into_iter().map(|r| {
                    let (name, artist) = track_name(r.index);
                    let has_because = r.because.is_some();
                    let because = r.because.map(|(b, sim)| {
                        let (bn, ba) = track_name(b);
                        view! { <p class="because">"because you liked " <b>{bn}</b> " · " {ba} <span class="sim">{format!(" ({:.0}% similar)", sim.max(0.0) * 100.0)}</span></p> }
                    });
                    let i = r.index;
                    view! {
                        <li class="rec" class:selected=move || st.selected.get() == Some(i)>
                            <div class="rec-head">
                                <span class="t" on:click=move |_| st.selected.set(Some(i))>
                                    <span class="title">{name}</span>
                                    <span class="artist">{artist}</span>
                                    <span class="meta">{track_meta(i)}</span>
                                </span>
                                <RateButtons i=i/>
                            </div>
                            {because}
                            // bars explain a match with the listener's taste: none before the first like
                            {has_because.then(|| view! { <Bars contrib=r.contrib/> })}
                        </li>
                    }
                }).collect_view().into_any()
            }}
        </ol>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Bound {
    Min,
    Target,
    Max,
}

#[component]
fn BoundControl(f: usize, kind: Bound) -> impl IntoView {
    let st = expect_context::<St>();
    let get = move || {
        st.opts.with(|o| {
            let ff = o.filters.features[f];
            match kind {
                Bound::Min => ff.min,
                Bound::Target => ff.target,
                Bound::Max => ff.max,
            }
        })
    };
    let set = move |v: Option<f32>| {
        st.opts.update(|o| {
            let ff = &mut o.filters.features[f];
            match kind {
                Bound::Min => ff.min = v,
                Bound::Target => ff.target = v,
                Bound::Max => ff.max = v,
            }
        })
    };
    let (label, default) = match kind {
        Bound::Min => ("min", 0.0),
        Bound::Target => ("target", 0.5),
        Bound::Max => ("max", 1.0),
    };
    let name = pretty_feature(f);
    let id = format!("{}-{}", FEATURE_NAMES[f], label);
    view! {
        <div class="bound" class:on=move || get().is_some()>
            <input type="checkbox" aria-label=format!("use {label} {name}") prop:checked=move || get().is_some()
                on:change=move |ev| set(if event_target_checked(&ev) { Some(default) } else { None })/>
            <input type="range" id=id min="0" max="1" step="0.01" aria-label=format!("{label} {name}")
                data-feature={FEATURE_NAMES[f]} data-bound=label
                prop:value=move || get().unwrap_or(default).to_string()
                on:input=move |ev| set(event_target_value(&ev).parse::<f32>().ok())/>
            <span class="val">{move || get().map(|v| display_value(f, v)).unwrap_or_else(|| "off".into())}</span>
        </div>
    }
}

#[component]
fn FeatureRow(f: usize) -> impl IntoView {
    view! {
        <div class="feature-row">
            <span class="fname">{pretty_feature(f)}</span>
            <BoundControl f=f kind=Bound::Min/>
            <BoundControl f=f kind=Bound::Target/>
            <BoundControl f=f kind=Bound::Max/>
        </div>
    }
}

#[component]
fn Controls() -> impl IntoView {
    let st = expect_context::<St>();
    view! {
        <div class="controls">
            <div class="control-line">
                <label for="diversity">"Diversity (MMR)"</label>
                <input id="diversity" type="range" min="0" max="1" step="0.05"
                    prop:value=move || st.opts.with(|o| o.diversity.to_string())
                    on:input=move |ev| { let v = event_target_value(&ev).parse::<f32>().unwrap_or(0.0); st.opts.update(|o| o.diversity = v) }/>
                <span class="val">{move || format!("{:.2}", st.opts.with(|o| o.diversity))}</span>
            </div>
            <div class="control-line">
                <label class="switch">
                    <input type="checkbox" id="reach" prop:checked=move || st.opts.with(|o| o.reach_beyond_genres)
                        on:change=move |ev| { let v = event_target_checked(&ev); st.opts.update(|o| o.reach_beyond_genres = v) }/>
                    " Reach beyond the genres of my likes"
                </label>
            </div>
            <p class="muted">"Spotify-style bounds: move a slider to turn it on, untick to turn it off. Targets re-rank softly; min and max filter."</p>
            <div class="feature-head"><span></span><span>"min"</span><span>"target"</span><span>"max"</span></div>
            {(0..9).map(|f| view! { <FeatureRow f=f/> }).collect_view()}
            <details>
                <summary>"Engineered features"</summary>
                {(9..N_FEATURES).map(|f| view! { <FeatureRow f=f/> }).collect_view()}
            </details>
            <button on:click=move |_| st.opts.update(|o| { o.filters = Default::default(); o.diversity = 0.0; o.reach_beyond_genres = false; })>"Reset all bounds"</button>
        </div>
    }
}

/// Run the fine-tune in slices of at most ~25 ms, yielding to the event loop between them.
pub fn start_tune(st: St) {
    let l = st.likes.get_untracked();
    if l.is_empty() {
        st.notice("Like at least one track before tuning.");
        return;
    }
    let d = st.dislikes.get_untracked();
    let before: Vec<usize> = st
        .recs
        .get_untracked()
        .iter()
        .take(10)
        .map(|r| r.index)
        .collect();
    st.tune.set(TuneState {
        running: true,
        before,
        ..Default::default()
    });
    spawn_local(async move {
        let mut tuner = match with_engine(|e| e.tuner(&l, &d, 42)) {
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                st.notice(format!("Could not tune: {e}."));
                st.tune.set(TuneState::default());
                return;
            }
            None => return,
        };
        let t0 = now();
        let mut longest = 0.0f64;
        while !tuner.done() {
            let s0 = now();
            let mut batch = Vec::new();
            while !tuner.done() && now() - s0 < 25.0 {
                batch.push(tuner.step());
            }
            longest = longest.max(now() - s0);
            let p = tuner.progress();
            st.tune.update(|t| {
                t.losses.extend(batch);
                t.progress = p;
            });
            yield_now().await;
        }
        let head = tuner.finish();
        let bytes = model::head_to_bytes(&head);
        with_engine_mut(|e| e.set_head(Some(head)));
        storage::save_head(Some(&bytes));
        st.version.update(|v| *v += 1);
        let after: Vec<usize> = st
            .recs
            .get_untracked()
            .iter()
            .take(10)
            .map(|r| r.index)
            .collect();
        let ms = now() - t0;
        st.tune.update(|t| {
            t.running = false;
            t.progress = 1.0;
            t.after = after;
            t.ms = ms;
            t.tuned = true;
            t.longest_slice_ms = longest;
        });
    });
}

#[component]
fn Tune() -> impl IntoView {
    let st = expect_context::<St>();
    let reset = move |_| {
        with_engine_mut(|e| e.set_head(None));
        storage::save_head(None);
        st.tune.set(TuneState::default());
        st.version.update(|v| *v += 1);
        st.notice("The tuned model was reset to the shipped one.");
    };
    view! {
        <p class="muted">"Fine-tunes the rating head on your likes (and dislikes) right here, in small steps that keep the page responsive."</p>
        <div class="row-actions">
            <button class="primary" id="tune-btn" prop:disabled=move || st.tune.with(|t| t.running) || st.likes.with(|l| l.is_empty())
                on:click=move |_| start_tune(st)>"Tune to me"</button>
            <button id="tune-reset" prop:disabled=move || st.tune.with(|t| t.running || !t.tuned) on:click=reset>"Reset to shipped model"</button>
        </div>
        <div class="tune-status" data-testid="tune-status">
            {move || st.tune.with(|t| {
                if t.running {
                    format!("tuning… {:.0}%", t.progress * 100.0)
                } else if t.tuned && !t.losses.is_empty() {
                    format!("tuned in {:.0} ms ({} steps, loss {:.3} → {:.3}, longest slice {:.0} ms)", t.ms, t.losses.len(),
                        t.losses.first().copied().unwrap_or(0.0), t.losses.last().copied().unwrap_or(0.0), t.longest_slice_ms)
                } else if t.tuned {
                    "using your tuned model (restored from this browser)".to_string()
                } else {
                    "using the shipped model".to_string()
                }
            })}
        </div>
        <progress max="100" value=move || st.tune.with(|t| t.progress * 100.0) aria-label="Fine-tune progress"></progress>
        <LossCurve/>
        {move || st.tune.with(|t| (!t.after.is_empty()).then(|| {
            let changed = t.after.iter().filter(|i| !t.before.contains(i)).count();
            let col = |v: &Vec<usize>| v.iter().map(|&i| { let (n, a) = track_name(i); view! { <li><span class="title">{n}</span>" "<span class="artist">{a}</span></li> } }).collect_view();
            view! {
                <div class="compare" data-testid="compare">
                    <p>{format!("{changed} of the top {} changed after tuning.", t.after.len())}</p>
                    <div class="cols">
                        <div><h4>"Before"</h4><ol>{col(&t.before)}</ol></div>
                        <div><h4>"After"</h4><ol>{col(&t.after)}</ol></div>
                    </div>
                </div>
            }
        }))}
    }
}

#[component]
fn NewTrackForm() -> impl IntoView {
    let st = expect_context::<St>();
    let text = RwSignal::new(String::new());
    let err = RwSignal::new(String::new());
    let place = move |_| match crate::newtrack::parse_row(&text.get_untracked()) {
        Ok(raw) => {
            let res = with_engine(|e| {
                let f = e.catalog.scaler.scale(&raw);
                let emb = e.model.encode_one(&f);
                let nb = e.neighbours(&emb, 8);
                let pos = super::charts::project(&emb);
                NewTrack {
                    raw,
                    pos,
                    neighbours: nb,
                }
            });
            err.set(String::new());
            st.newtrack.set(res);
        }
        Err(e) => err.set(e.to_string()),
    };
    let example = "0.748,0.916,-2.634,0.0583,0.102,0,0.0653,0.518,122.04";
    view! {
        <p class="muted">"For labels: paste a CSV row (the 9 audio features danceability, energy, loudness, speechiness, acousticness, instrumentalness, liveness, valence, tempo — or a full TidyTuesday row, or a header line plus a row) to see where a track lands and which catalog tracks it sits next to."</p>
        <textarea id="newtrack-input" rows="3" placeholder=example prop:value=move || text.get()
            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
        <div class="row-actions">
            <button class="primary" on:click=place>"Place it"</button>
            <button on:click=move |_| text.set(example.to_string())>"Use an example"</button>
        </div>
        {move || (!err.get().is_empty()).then(|| view! { <p class="error-text" role="alert">{err.get()}</p> })}
        {move || st.newtrack.get().map(|nt| view! {
            <div class="newtrack-result">
                <p>"Shown as ★ on the map. Nearest neighbours:"</p>
                <ol>
                    {nt.neighbours.into_iter().map(|(i, s)| { let (n, a) = track_name(i); view! {
                        <li><span class="title">{n}</span>" "<span class="artist">{a}</span><span class="sim">{format!(" {:.0}%", s.max(0.0) * 100.0)}</span></li>
                    }}).collect_view()}
                </ol>
            </div>
        })}
    }
}
