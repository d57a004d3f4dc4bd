//! The 2-D map of the embedding: every track's 32-d embedding projected by PCA (fitted once,
//! on first use), with the likes, the recommendations, the song path (a numbered line), the
//! selection and a placed new track on top. Colours come from the theme (classes styled in
//! style.css); a visually hidden summary describes the map, and every marked track is a button.

use std::cell::RefCell;

use std::fmt::Write;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::{Embedding, EMB};
use crate::recommend::projection::EmbeddingMap;
use crate::web::display::{track_meta, track_name};
use crate::web::slot::with_engine;
use crate::web::state::PageState;

thread_local! {
    /// Fitted once, on first use: the map does not change while the page lives.
    static MAP: RefCell<Option<EmbeddingMap<EMB>>> = const { RefCell::new(None) };
}

fn ensure_map() {
    MAP.with(|m| {
        if m.borrow().is_none() {
            *m.borrow_mut() = with_engine(|e| e.embedding_map());
        }
    })
}

/// Map coordinates of an arbitrary embedding.
pub fn project(e: &Embedding) -> [f32; 2] {
    ensure_map();
    MAP.with(|m| {
        m.borrow()
            .as_ref()
            .map(|d| d.project(e))
            .unwrap_or([0.0, 0.0])
    })
}

const W: f32 = 640.0;
const H: f32 = 420.0;
const PAD: f32 = 10.0;

fn screen(p: [f32; 2]) -> (f32, f32) {
    MAP.with(|m| {
        let m = m.borrow();
        let Some(d) = m.as_ref() else {
            return (0.0, 0.0);
        };
        let b = d.bounds;
        let x = PAD + ((p[0] - b[0]) / (b[2] - b[0])).clamp(0.0, 1.0) * (W - 2.0 * PAD);
        let y = H - PAD - ((p[1] - b[1]) / (b[3] - b[1])).clamp(0.0, 1.0) * (H - 2.0 * PAD);
        (x, y)
    })
}

fn point_of(i: usize) -> (f32, f32) {
    let e = with_engine(|e| e.embeddings().get(i).copied()).flatten();
    let p = e.map(|e| project(&e)).unwrap_or([0.0, 0.0]);
    screen(p)
}

/// Genre colours: classes `g0`…`g7`, coloured per theme in style.css.
const GENRE_COLOURS: usize = 8;

#[component]
pub fn MapView() -> impl IntoView {
    let st = expect_context::<PageState>();
    ensure_map();
    let n = with_engine(|e| e.len()).unwrap_or(0);
    let stride = (n / 2500).max(1);
    let genre_count = with_engine(|e| e.genres().len()).unwrap_or(0);
    // the background: one path per genre colour (a dot per track, "M x y h0" with round caps)
    // rather than an element per track, so thousands of points render in one go; a click picks
    // the nearest drawn point
    let drawn_points: Vec<(usize, f32, f32)> = (0..n)
        .step_by(stride)
        .map(|i| {
            let (x, y) = point_of(i);
            (i, x, y)
        })
        .collect();
    let mut paths = vec![(String::new(), 0usize); GENRE_COLOURS];
    for &(i, x, y) in &drawn_points {
        let g = with_engine(|e| e.genre_of(i)).unwrap_or(0) % GENRE_COLOURS;
        let _ = write!(paths[g].0, "M{x:.1} {y:.1}h0");
        paths[g].1 += 1;
    }
    let background = paths
        .into_iter()
        .enumerate()
        .filter(|(_, (_, count))| *count > 0)
        .map(|(g, (d, count))| view! { <path d=d class=format!("pt g{g}") data-points=count/> })
        .collect_view();
    let drawn_points = StoredValue::new(drawn_points);
    let pick = move |ev: web_sys::MouseEvent| {
        let Some(svg) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|g| g.closest("svg").ok().flatten())
        else {
            return;
        };
        let r = svg.get_bounding_client_rect();
        if r.width() <= 0.0 || r.height() <= 0.0 {
            return;
        }
        let x = ((ev.client_x() as f64 - r.left()) / r.width()) as f32 * W;
        let y = ((ev.client_y() as f64 - r.top()) / r.height()) as f32 * H;
        let nearest = drawn_points.with_value(|pts| {
            pts.iter()
                .map(|&(i, px, py)| (i, (px - x).powi(2) + (py - y).powi(2)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
        });
        if let Some((i, _)) = nearest {
            st.select(i);
        }
    };
    let drawn = n.div_ceil(stride);
    let hover = RwSignal::new(None::<usize>);
    let marker = move |i: usize, class: &'static str, r: f32, what: &'static str| {
        let (x, y) = point_of(i);
        let (name, artist) = track_name(i);
        view! {
            <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r=r class=class tabindex="0" role="button"
                aria-label=format!("{what}: {name} — {artist}")
                on:mouseenter=move |_| hover.set(Some(i)) on:mouseleave=move |_| hover.set(None)
                on:focus=move |_| hover.set(Some(i)) on:blur=move |_| hover.set(None)
                on:click=move |_| st.select(i)
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if ev.key() == "Enter" || ev.key() == " " { ev.prevent_default(); st.select(i) }
                }>
                <title>{format!("{name} — {artist}")}</title>
            </circle>
        }
    };
    // the map's text alternative: what is drawn and what is marked (the marks are buttons)
    let summary = move || {
        let likes = st.likes.with(Vec::len);
        let recs = st.recs.with(Vec::len);
        let path = st.path.with(Vec::len);
        format!(
            "{drawn} of {n} tracks are drawn as small points coloured by genre ({} genres). \
             Marked on top: {likes} liked and {recs} recommended tracks{}{}. \
             Each marked track is a button (Tab to it, Enter selects it).",
            genre_count,
            if path > 1 {
                format!(", and a song path of {path} tracks")
            } else {
                String::new()
            },
            if st.newtrack.with(Option::is_some) {
                ", and your new track (★)"
            } else {
                ""
            },
        )
    };
    view! {
        <p class="muted">"Every track's 32-d embedding, projected to 2-D by PCA (a sample of the catalog in grey-ish genre colours). "
            <span class="key like-key">"● your likes"</span>" "<span class="key rec-key">"● recommendations"</span>" "<span class="key new-key">"★ new track"</span>" "<span class="key path-key">"① song path"</span></p>
        <p id="map-summary" class="sr-only" data-testid="map-summary">{summary}</p>
        <svg class="map" viewBox=format!("0 0 {W} {H}") role="group" aria-label="2-D map of the embedding"
            aria-describedby="map-summary" data-testid="map">
            <rect x="0" y="0" width=W height=H class="plot-bg"/>
            <g class="bg-points" aria-hidden="true" on:click=pick>{background}</g>
            <g class="rec-points">
                <For each=move || st.recs.with(|r| r.iter().map(|r| r.index).collect::<Vec<_>>()) key=|&i| i let:i>
                    {marker(i, "rec-pt", 4.5, "Recommendation")}
                </For>
            </g>
            <g class="like-points">
                <For each=move || st.likes.get() key=|&i| i let:i>{marker(i, "like-pt", 6.0, "Your like")}</For>
            </g>
            // the path on top of the likes: its first step is often a like
            {move || st.path.with(|p| (p.len() > 1).then(|| {
                let pts: Vec<(f32, f32)> = p.iter().map(|&i| point_of(i)).collect();
                let line = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
                let (first, _) = track_name(p[0]);
                let (last, _) = track_name(p[p.len() - 1]);
                let n = p.len();
                let steps = p.iter().zip(pts).enumerate().map(|(k, (&i, (x, y)))| {
                    let (name, artist) = track_name(i);
                    view! {
                        <g class="path-step" data-index=k>
                            <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="7" class="path-pt"><title>{format!("{}. {name} — {artist}", k + 1)}</title></circle>
                            <text x=format!("{x:.1}") y=format!("{:.1}", y + 3.5) text-anchor="middle" class="path-num" aria-hidden="true">{k + 1}</text>
                        </g>
                    }
                }).collect_view();
                view! {
                    <g class="path-layer" data-testid="map-path" data-steps=n role="img"
                        aria-label=format!("Song path of {n} tracks from {first} to {last}")>
                        <polyline points=line class="path-line"/>
                        {steps}
                    </g>
                }
            }))}
            {move || st.newtrack.get().map(|nt| {
                let (x, y) = screen(nt.pos);
                view! { <text x=x y={y + 6.0} class="new-pt" text-anchor="middle">"★"<title>"your new track"</title></text> }
            })}
            {move || st.selected.get().map(|i| { let (x, y) = point_of(i); view! { <circle cx=x cy=y r="10" class="sel-ring"/> } })}
        </svg>
        <div class="map-card" aria-live="polite" data-testid="map-card">
            {move || match hover.get().or(st.selected.get()) {
                Some(i) => {
                    let (name, artist) = track_name(i);
                    view! {
                        <span class="title">{name}</span>" "<span class="artist">{artist}</span>" "
                        <span class="meta">{track_meta(i)}</span>
                        <button class="like" on:click=move |_| st.like(i)>"♡ Like"</button>
                    }.into_any()
                }
                None => view! { <span class="muted">"Hover or click a point to see the track."</span> }.into_any(),
            }}
            {move || format!(" ({genre_count} genres)")}
        </div>
    }
}
