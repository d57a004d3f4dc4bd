//! The 16×16 heatmap of Pearson correlations between the features, over the loaded catalog, with
//! its text alternatives: a summary (the strongest pairs) as the chart's name and the whole
//! matrix as a table.

use leptos::prelude::*;

use crate::catalog::analysis::{strongest_pairs, Correlations};
use crate::catalog::features::{FEATURE_NAMES, N_FEATURES};
use crate::web::display::pretty_feature;
use crate::web::load::in_slices;
use crate::web::slot::with_engine;

/// Diverging colour: blue (−1), white (0), red (+1). The `fill` attribute, for where CSS
/// custom properties are not applied (a saved SVG).
fn heat_color(v: f32) -> String {
    let v = v.clamp(-1.0, 1.0);
    let (r, g, b) = if v >= 0.0 {
        (255.0, 255.0 * (1.0 - v * 0.8), 255.0 * (1.0 - v * 0.85))
    } else {
        (255.0 * (1.0 + v * 0.85), 255.0 * (1.0 + v * 0.6), 255.0)
    };
    format!("rgb({r:.0},{g:.0},{b:.0})")
}

/// The same scale in the theme's colours (`--hm-neg`, `--hm-zero`, `--hm-pos` in style.css), so
/// that 0 is the panel's own background in light and dark.
fn heat_style(v: f32) -> String {
    let v = v.clamp(-1.0, 1.0);
    let end = if v >= 0.0 { "--hm-pos" } else { "--hm-neg" };
    format!(
        "fill:color-mix(in srgb,var({end}) {:.0}%,var(--hm-zero))",
        v.abs() * 100.0
    )
}

/// A feature's display name from its column name.
fn pretty(name: &str) -> String {
    FEATURE_NAMES
        .iter()
        .position(|n| *n == name)
        .map(pretty_feature)
        .unwrap_or_else(|| name.to_string())
}

const CELL: f32 = 22.0;
const LEFT: f32 = 150.0;
const TOP: f32 = 8.0;

/// The heatmap, once the correlations are summed a slice of the catalog at a time (the page
/// keeps answering meanwhile).
#[component]
pub fn Heatmap() -> impl IntoView {
    let m = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        let mut c = Correlations::default();
        let mut from = 0usize;
        // no engine: the matrix of what was summed (none), as before
        let _ = in_slices(|n| {
            with_engine(|e| {
                let f = &e.catalog().features;
                let to = from.saturating_add(n).min(f.len());
                c.push(&f[from.min(to)..to]);
                from = to;
                to == f.len()
            })
            .ok_or_else(|| "no engine".to_string())
        })
        .await;
        m.set(Some(c.matrix()));
    });
    move || match m.get() {
        Some(m) => view! { <HeatmapView m/> }.into_any(),
        None => view! { <p class="muted">"Summing the correlations…"</p> }.into_any(),
    }
}

#[component]
fn HeatmapView(m: [[f32; N_FEATURES]; N_FEATURES]) -> impl IntoView {
    let size = CELL * N_FEATURES as f32;
    let hover = RwSignal::new(String::from("Hover a cell to read the correlation."));
    let strongest = strongest_pairs(&m, 3)
        .iter()
        .map(|p| format!("{} × {} {:+.2}", pretty(p.a), pretty(p.b), p.r))
        .collect::<Vec<_>>()
        .join(", ");
    let summary = format!(
        "Heatmap of the correlations between the 16 features; strongest pairs: {strongest}. The full matrix is in the table below."
    );
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
                        fill=heat_color(v) style=heat_style(v) on:mouseenter=move |_| hover.set(msg.clone())>
                        <title>{title}</title>
                    </rect>
                }
            })
        })
        .collect_view();
    let table_rows = m
        .iter()
        .enumerate()
        .map(|(i, row)| {
            view! {
                <tr>
                    <th scope="row">{pretty_feature(i)}</th>
                    {row.iter().map(|v| view! { <td>{format!("{v:+.2}")}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <svg class="heatmap" viewBox=format!("0 0 {} {}", LEFT + size + 8.0, TOP + size + 130.0) role="img"
            aria-label=summary data-testid="heatmap">
            {labels}
            {cells}
        </svg>
        <p class="muted" aria-live="polite">{move || hover.get()}</p>
        <p class="legend"><span class="sw neg"></span>" −1 " <span class="sw zero"></span>" 0 " <span class="sw pos"></span>" +1 (Pearson, over the loaded catalog)"</p>
        <details class="as-table">
            <summary>"The correlations as a table"</summary>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Correlation table">
                <table data-testid="heatmap-table">
                    <caption class="sr-only">"Pearson correlation between each pair of features, over the loaded catalog"</caption>
                    <thead><tr><td></td>{(0..N_FEATURES).map(|j| view! { <th scope="col">{pretty_feature(j)}</th> }).collect_view()}</tr></thead>
                    <tbody>{table_rows}</tbody>
                </table>
            </div>
        </details>
    }
}
