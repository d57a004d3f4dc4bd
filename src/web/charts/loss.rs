//! The loss curve of the fine-tune, drawn live while it runs.

use leptos::prelude::*;

use crate::web::state::PageState;

const W: f32 = 320.0;
const H: f32 = 110.0;

/// SVG polyline points for `losses`, spread over the width the whole run will take at `progress`.
fn points(losses: &[f32], progress: f32) -> String {
    let hi = losses.iter().copied().fold(f32::MIN, f32::max);
    let lo = losses.iter().copied().fold(f32::MAX, f32::min);
    let span = (hi - lo).max(1e-6);
    let n = losses.len() as f32;
    let total = (n / progress.max(1e-3)).max(n);
    losses
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            format!(
                "{:.1},{:.1} ",
                6.0 + i as f32 / total * (W - 12.0),
                8.0 + (1.0 - (v - lo) / span) * (H - 24.0)
            )
        })
        .collect()
}

#[component]
pub fn LossCurve() -> impl IntoView {
    let st = expect_context::<PageState>();
    view! {
        <svg class="loss" viewBox=format!("0 0 {W} {H}") role="img" aria-label="Loss curve of the fine-tune" data-testid="loss-curve">
            <rect x="0" y="0" width=W height=H class="plot-bg"/>
            {move || st.tune.with(|t| {
                let l = &t.losses;
                if l.len() < 2 {
                    return view! { <text x="10" y="60" class="axis">"the loss curve appears here while tuning"</text> }.into_any();
                }
                view! {
                    <polyline points=points(l, t.progress) class="loss-line" fill="none"/>
                    <text x="6" y={H - 4.0} class="axis">{format!("loss {:.3} → {:.3}, step {}", l[0], l[l.len() - 1], l.len())}</text>
                }.into_any()
            })}
        </svg>
    }
}
