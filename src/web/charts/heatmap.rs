//! The 16×16 heatmap of Pearson correlations between the features, over the loaded catalog.

use leptos::prelude::*;

use crate::catalog::analysis::correlation_matrix;
use crate::catalog::features::N_FEATURES;
use crate::web::display::pretty_feature;
use crate::web::slot::with_engine;

/// Diverging colour: blue (−1), white (0), red (+1).
fn heat_color(v: f32) -> String {
    let v = v.clamp(-1.0, 1.0);
    let (r, g, b) = if v >= 0.0 {
        (255.0, 255.0 * (1.0 - v * 0.8), 255.0 * (1.0 - v * 0.85))
    } else {
        (255.0 * (1.0 + v * 0.85), 255.0 * (1.0 + v * 0.6), 255.0)
    };
    format!("rgb({r:.0},{g:.0},{b:.0})")
}

const CELL: f32 = 22.0;
const LEFT: f32 = 150.0;
const TOP: f32 = 8.0;

#[component]
pub fn Heatmap() -> impl IntoView {
    let m = with_engine(|e| correlation_matrix(&e.catalog().features)).unwrap_or_default();
    let size = CELL * N_FEATURES as f32;
    let hover = RwSignal::new(String::from("Hover a cell to read the correlation."));
    let labels = (0..N_FEATURES)
        .map(|i| {
            view! {
                <text x={LEFT - 6.0} y={TOP + CELL * i as f32 + CELL * 0.7} class="hm-label" text-anchor="end">{pretty_feature(i)}</text>
                <text class="hm-label" text-anchor="end"
                    transform=format!("translate({},{}) rotate(-60)", LEFT + CELL * i as f32 + CELL * 0.6, TOP + size + 6.0)>{pretty_feature(i)}</text>
            }
        })
        .collect_view();
    let cells = m
        .iter()
        .enumerate()
        .flat_map(|(i, row)| {
            row.iter().enumerate().map(move |(j, &v)| {
                let msg = format!("{} × {}: {:+.2}", pretty_feature(i), pretty_feature(j), v);
                let title = msg.clone();
                view! {
                    <rect x={LEFT + CELL * j as f32} y={TOP + CELL * i as f32} width={CELL - 1.0} height={CELL - 1.0}
                        fill=heat_color(v) on:mouseenter=move |_| hover.set(msg.clone())>
                        <title>{title}</title>
                    </rect>
                }
            })
        })
        .collect_view();
    view! {
        <svg class="heatmap" viewBox=format!("0 0 {} {}", LEFT + size + 8.0, TOP + size + 130.0) role="img"
            aria-label="Correlations between the 16 features" data-testid="heatmap">
            {labels}
            {cells}
        </svg>
        <p class="muted" aria-live="polite">{move || hover.get()}</p>
        <p class="legend"><span class="sw neg"></span>" −1 " <span class="sw zero"></span>" 0 " <span class="sw pos"></span>" +1 (Pearson, over the loaded catalog)"</p>
    }
}
