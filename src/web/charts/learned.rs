//! What the tuned model learned: per feature, how tracks with more of it moved under the tuned
//! head compared with the shipped one (`model::learned::feature_shift`), as diverging bars with
//! the numbers as text beside them.

use leptos::prelude::*;

use crate::catalog::features::N_FEATURES;
use crate::model::learned::feature_shift;
use crate::vector::mean_of;
use crate::web::display::pretty_feature;
use crate::web::load::yield_now;
use crate::web::slot::with_engine;
use crate::web::state::PageState;

/// At most this many catalog tracks (evenly spaced) are scored by both heads: ~66k would hold
/// the page for about half a second.
const SAMPLE: usize = 4000;

/// The shift per feature for the current likes' profile; None without a tuned head.
fn shift(likes: &[usize]) -> Option<[f32; N_FEATURES]> {
    with_engine(|e| {
        if !e.is_tuned() {
            return None;
        }
        let n = e.len();
        let stride = n.div_ceil(SAMPLE).max(1);
        let rows: Vec<usize> = (0..n).step_by(stride).collect();
        let feats: Vec<_> = rows.iter().map(|&i| e.catalog().features[i]).collect();
        let emb: Vec<_> = rows.iter().map(|&i| e.embeddings()[i]).collect();
        let profile = mean_of(e.embeddings(), likes);
        Some(feature_shift(
            &feats,
            &emb,
            e.shipped_head(),
            e.head(),
            profile.as_ref(),
        ))
    })
    .flatten()
}

const ROW: f32 = 18.0;
const LABEL: f32 = 150.0;
const HALF: f32 = 120.0;
const VALUE: f32 = 48.0;

/// One sentence, shown and used as the chart's description.
pub const EXPLAIN: &str = "For each feature: the correlation, over a sample of the catalog, \
between how much of the feature a track has and how far its score rose from the shipped model \
to your tuned one (both as z-scores); bars to the right mean tracks with more of it moved up.";

#[component]
pub fn LearnedChart() -> impl IntoView {
    let st = expect_context::<PageState>();
    // computed in a task of its own after the change that asks for it (a new head, new likes),
    // so the list and this chart never share one long task
    let data = RwSignal::new(None);
    Effect::new(move |_| {
        st.version.track();
        let likes = st.likes.get();
        leptos::task::spawn_local(async move {
            yield_now().await;
            data.set(shift(&likes));
        });
    });
    move || {
        data.get().map(|s| {
            let mut order: Vec<usize> = (0..N_FEATURES).collect();
            order.sort_by(|&a, &b| s[b].total_cmp(&s[a]).then(a.cmp(&b)));
            let max = s.iter().fold(0.05f32, |m, v| m.max(v.abs()));
            let mid = LABEL + HALF;
            let w = LABEL + 2.0 * HALF + VALUE;
            let h = ROW * N_FEATURES as f32 + 4.0;
            let bars = order
                .iter()
                .enumerate()
                .map(|(r, &k)| {
                    let v = s[k];
                    let len = v.abs() / max * HALF;
                    let x = if v >= 0.0 { mid } else { mid - len };
                    let y = 2.0 + ROW * r as f32;
                    let class = if v >= 0.0 { "bar up" } else { "bar down" };
                    view! {
                        <g class="learned-row" data-feature=crate::catalog::features::FEATURE_NAMES[k] data-value=format!("{v:.4}")>
                            <text x={LABEL - 6.0} y={y + ROW * 0.7} text-anchor="end" class="lbl">{pretty_feature(k)}</text>
                            <rect x=format!("{x:.1}") y={y + 3.0} width=format!("{len:.1}") height={ROW - 6.0} class=class/>
                            <text x={w - 4.0} y={y + ROW * 0.7} text-anchor="end" class="val">{format!("{v:+.2}")}</text>
                        </g>
                    }
                })
                .collect_view();
            let text = order
                .iter()
                .map(|&k| view! { <li>{format!("{}: {:+.2}", pretty_feature(k), s[k])}</li> })
                .collect_view();
            view! {
                <figure class="learned" data-testid="learned">
                    <figcaption>"What your tuned model learned. " {EXPLAIN}</figcaption>
                    <svg viewBox=format!("0 0 {w} {h}") role="img"
                        aria-label="Bar chart: per feature, how tracks with more of it moved under your tuned model (list below)">
                        <line x1=mid x2=mid y1="0" y2=h class="axis"/>
                        {bars}
                    </svg>
                    <details>
                        <summary>"The same as text"</summary>
                        <ul class="learned-text">{text}</ul>
                    </details>
                </figure>
            }
        })
    }
}
