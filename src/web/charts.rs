//! SVG charts: the loss curve, the correlation heatmap and the embedding map.

use std::cell::RefCell;

use leptos::prelude::*;

use super::app::{pretty_feature, track_meta, track_name, St};
use super::with_engine;
use crate::catalog::analysis::correlation_matrix;
use crate::catalog::features::N_FEATURES;
use crate::engine::{Emb, EMB};
use crate::recommend::projection::{bounds, Pca};

#[component]
pub fn LossCurve() -> impl IntoView {
    let st = expect_context::<St>();
    let (w, h) = (320.0f32, 110.0f32);
    view! {
        <svg class="loss" viewBox=format!("0 0 {w} {h}") role="img" aria-label="Loss curve of the fine-tune" data-testid="loss-curve">
            <rect x="0" y="0" width=w height=h class="plot-bg"/>
            {move || st.tune.with(|t| {
                let l = &t.losses;
                if l.len() < 2 {
                    return view! { <text x="10" y="60" class="axis">"the loss curve appears here while tuning"</text> }.into_any();
                }
                let hi = l.iter().copied().fold(f32::MIN, f32::max);
                let lo = l.iter().copied().fold(f32::MAX, f32::min);
                let span = (hi - lo).max(1e-6);
                let total = (l.len() as f32 / t.progress.max(1e-3)).max(l.len() as f32);
                let pts: String = l.iter().enumerate().map(|(i, &v)| {
                    format!("{:.1},{:.1} ", 6.0 + i as f32 / total * (w - 12.0), 8.0 + (1.0 - (v - lo) / span) * (h - 24.0))
                }).collect();
                view! {
                    <polyline points=pts class="loss-line" fill="none"/>
                    <text x="6" y={h - 4.0} class="axis">{format!("loss {:.3} → {:.3}, step {}", l[0], l[l.len() - 1], l.len())}</text>
                }.into_any()
            })}
        </svg>
    }
}

fn heat_color(v: f32) -> String {
    // diverging: blue (-1) — white (0) — red (+1)
    let v = v.clamp(-1.0, 1.0);
    let (r, g, b) = if v >= 0.0 {
        (255.0, 255.0 * (1.0 - v * 0.8), 255.0 * (1.0 - v * 0.85))
    } else {
        (255.0 * (1.0 + v * 0.85), 255.0 * (1.0 + v * 0.6), 255.0)
    };
    format!("rgb({:.0},{:.0},{:.0})", r, g, b)
}

#[component]
pub fn Heatmap() -> impl IntoView {
    let m = with_engine(|e| correlation_matrix(&e.catalog.features)).unwrap_or_default();
    let cell = 22.0f32;
    let left = 150.0f32;
    let top = 8.0f32;
    let size = cell * N_FEATURES as f32;
    let hover = RwSignal::new(String::from("Hover a cell to read the correlation."));
    view! {
        <svg class="heatmap" viewBox=format!("0 0 {} {}", left + size + 8.0, top + size + 130.0) role="img"
            aria-label="Correlations between the 16 features" data-testid="heatmap">
            {(0..N_FEATURES).map(|i| view! {
                <text x={left - 6.0} y={top + cell * i as f32 + cell * 0.7} class="hm-label" text-anchor="end">{pretty_feature(i)}</text>
                <text class="hm-label" text-anchor="end"
                    transform=format!("translate({},{}) rotate(-60)", left + cell * i as f32 + cell * 0.6, top + size + 6.0)>{pretty_feature(i)}</text>
            }).collect_view()}
            {m.iter().enumerate().flat_map(|(i, row)| {
                row.iter().enumerate().map(move |(j, &v)| {
                    let msg = format!("{} × {}: {:+.2}", pretty_feature(i), pretty_feature(j), v);
                    let msg2 = msg.clone();
                    view! {
                        <rect x={left + cell * j as f32} y={top + cell * i as f32} width={cell - 1.0} height={cell - 1.0}
                            fill=heat_color(v) on:mouseenter=move |_| hover.set(msg.clone())>
                            <title>{msg2}</title>
                        </rect>
                    }
                }).collect::<Vec<_>>()
            }).collect_view()}
        </svg>
        <p class="muted" aria-live="polite">{move || hover.get()}</p>
        <p class="legend"><span class="sw neg"></span>" −1 " <span class="sw zero"></span>" 0 " <span class="sw pos"></span>" +1 (Pearson, over the loaded catalog)"</p>
    }
}

pub struct MapData {
    pub pca: Pca<EMB>,
    pub pts: Vec<[f32; 2]>,
    pub bounds: [f32; 4],
}

thread_local! {
    static MAP: RefCell<Option<MapData>> = const { RefCell::new(None) };
}

fn ensure_map() {
    MAP.with(|m| {
        if m.borrow().is_none() {
            let d = with_engine(|e| {
                let pca = Pca::fit(&e.emb, 8000);
                let pts = pca.project_all(&e.emb);
                let b = bounds(&pts, 0.005);
                MapData {
                    pca,
                    pts,
                    bounds: b,
                }
            });
            *m.borrow_mut() = d;
        }
    })
}

/// Map coordinates of an arbitrary embedding.
pub fn project(e: &Emb) -> [f32; 2] {
    ensure_map();
    MAP.with(|m| {
        m.borrow()
            .as_ref()
            .map(|d| d.pca.project(e))
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
    let p = MAP.with(|m| {
        m.borrow()
            .as_ref()
            .and_then(|d| d.pts.get(i).copied())
            .unwrap_or([0.0, 0.0])
    });
    screen(p)
}

const PALETTE: [&str; 8] = [
    "#7aa6c2", "#e3a869", "#9ccf8f", "#d98fa8", "#b49ddb", "#e6d37a", "#8fd0cb", "#c7b299",
];

#[component]
pub fn MapView() -> impl IntoView {
    let st = expect_context::<St>();
    ensure_map();
    let n = with_engine(|e| e.len()).unwrap_or(0);
    let stride = (n / 2500).max(1);
    let genres = with_engine(|e| e.genres.clone()).unwrap_or_default();
    let background = (0..n)
        .step_by(stride)
        .map(|i| {
            let (x, y) = point_of(i);
            let g = with_engine(|e| e.genre_of[i] as usize).unwrap_or(0);
            view! {
                <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="1.6" fill=PALETTE[g % PALETTE.len()] class="pt"
                    on:click=move |_| st.selected.set(Some(i))/>
            }
        })
        .collect_view();
    let hover = RwSignal::new(None::<usize>);
    let marker = move |i: usize, class: &'static str, r: f32| {
        let (x, y) = point_of(i);
        let (name, artist) = track_name(i);
        view! {
            <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r=r class=class tabindex="0"
                on:mouseenter=move |_| hover.set(Some(i)) on:mouseleave=move |_| hover.set(None)
                on:click=move |_| st.selected.set(Some(i))
                on:keydown=move |ev: web_sys::KeyboardEvent| { if ev.key() == "Enter" { st.selected.set(Some(i)) } }>
                <title>{format!("{name} — {artist}")}</title>
            </circle>
        }
    };
    view! {
        <p class="muted">"Every track's 32-d embedding, projected to 2-D by PCA (a sample of the catalog in grey-ish genre colours). "
            <span class="key like-key">"● your likes"</span>" "<span class="key rec-key">"● recommendations"</span>" "<span class="key new-key">"★ new track"</span></p>
        <svg class="map" viewBox=format!("0 0 {W} {H}") role="img" aria-label="2-D map of the embedding" data-testid="map">
            <rect x="0" y="0" width=W height=H class="plot-bg"/>
            <g class="bg-points">{background}</g>
            <g class="rec-points">{move || st.recs.get().into_iter().map(|r| marker(r.index, "rec-pt", 4.5)).collect_view()}</g>
            <g class="like-points">{move || st.likes.get().into_iter().map(|i| marker(i, "like-pt", 6.0)).collect_view()}</g>
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
            {move || format!(" ({} genres)", genres.len())}
        </div>
    }
}
