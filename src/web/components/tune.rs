//! "Tune to me": the fine-tune of the rating head on the likes, run in slices that yield to the
//! event loop, with progress, the live loss curve, a before/after comparison and a reset.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::model::tuned;
use crate::recommend::Recommender;
use crate::web::charts::LossCurve;
use crate::web::display::track_name;
use crate::web::load::{now, yield_now};
use crate::web::slot::{with_engine, with_engine_mut};
use crate::web::state::{PageState, TuneState};
use crate::web::storage;

/// Longest stretch of fine-tune steps between two yields to the browser.
const SLICE_MS: f64 = 25.0;
/// How many of the top recommendations the before/after comparison shows.
const COMPARE: usize = 10;

/// Run the fine-tune in slices of at most ~25 ms, yielding to the event loop between them;
/// then install the tuned head, keep it in localStorage and compare the top 10.
fn start_tune(st: PageState) {
    let l = st.likes.get_untracked();
    if l.is_empty() {
        st.notice("Like at least one track before tuning.");
        return;
    }
    let d = st.dislikes.get_untracked();
    st.tune.set(TuneState {
        running: true,
        before: st.top_untracked(COMPARE),
        ..Default::default()
    });
    spawn_local(async move {
        let mut tuner = match with_engine(|e| e.tuner(&l, &d, Recommender::TUNE_SEED)) {
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
            while !tuner.done() && now() - s0 < SLICE_MS {
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
        let bytes = with_engine(|e| tuned::to_bytes(&head, e.shipped_head()));
        with_engine_mut(|e| e.set_head(Some(head)));
        storage::save_head(bytes.as_deref());
        st.engine_changed();
        let after = st.top_untracked(COMPARE);
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

/// Back to the shipped head, here and in localStorage.
fn reset_tune(st: PageState) {
    with_engine_mut(|e| e.set_head(None));
    storage::save_head(None);
    st.tune.set(TuneState::default());
    st.engine_changed();
    st.notice("The tuned model was reset to the shipped one.");
}

fn status_text(t: &TuneState) -> String {
    if t.running {
        format!("tuning… {:.0}%", t.progress * 100.0)
    } else if t.tuned && !t.losses.is_empty() {
        format!(
            "tuned in {:.0} ms ({} steps, loss {:.3} → {:.3}, longest slice {:.0} ms)",
            t.ms,
            t.losses.len(),
            t.losses.first().copied().unwrap_or(0.0),
            t.losses.last().copied().unwrap_or(0.0),
            t.longest_slice_ms
        )
    } else if t.tuned {
        "using your tuned model (restored from this browser)".to_string()
    } else {
        "using the shipped model".to_string()
    }
}

/// The top tracks before and after the fine-tune, side by side.
#[component]
fn Compare(before: Vec<usize>, after: Vec<usize>) -> impl IntoView {
    let changed = after.iter().filter(|i| !before.contains(i)).count();
    let col = |v: Vec<usize>| {
        v.into_iter()
            .map(|i| {
                let (n, a) = track_name(i);
                view! { <li><span class="title">{n}</span>" "<span class="artist">{a}</span></li> }
            })
            .collect_view()
    };
    let n = after.len();
    view! {
        <div class="compare" data-testid="compare">
            <p>{format!("{changed} of the top {n} changed after tuning.")}</p>
            <div class="cols">
                <div><h4>"Before"</h4><ol>{col(before)}</ol></div>
                <div><h4>"After"</h4><ol>{col(after)}</ol></div>
            </div>
        </div>
    }
}

#[component]
pub fn Tune() -> impl IntoView {
    let st = expect_context::<PageState>();
    view! {
        <p class="muted">"Fine-tunes the rating head on your likes (and dislikes) right here, in small steps that keep the page responsive."</p>
        <div class="row-actions">
            <button class="primary" id="tune-btn" prop:disabled=move || st.tune.with(|t| t.running) || st.likes.with(|l| l.is_empty())
                on:click=move |_| start_tune(st)>"Tune to me"</button>
            <button id="tune-reset" prop:disabled=move || st.tune.with(|t| t.running || !t.tuned) on:click=move |_| reset_tune(st)>"Reset to shipped model"</button>
        </div>
        <div class="tune-status" data-testid="tune-status">{move || st.tune.with(status_text)}</div>
        <progress max="100" value=move || st.tune.with(|t| t.progress * 100.0) aria-label="Fine-tune progress"></progress>
        <LossCurve/>
        {move || st.tune.with(|t| (!t.after.is_empty()).then(|| view! { <Compare before=t.before.clone() after=t.after.clone()/> }))}
    }
}
