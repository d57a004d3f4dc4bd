//! "Tune to me": the fine-tune of the rating head on the likes, run in the engine worker (or, on
//! a page without one, in slices that yield to the event loop), with progress, the live loss curve, a before/after comparison and a reset; "Save my
//! model" / "Load my model" (the tuned head with the likes it was tuned on, as one file) and what
//! the tuned model learned.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::listener::likes::Stored;
use crate::listener::personal;
use crate::model::{tuned, Head};
use crate::recommend::{Options, Recommender};
use crate::web::charts::{LearnedChart, LossCurve};
use crate::web::client::{self, Answer};
use crate::web::display::track_name;
use crate::web::load::{download_bytes, js_err, now, yield_now};
use crate::web::protocol::{buf_bytes, bytes_buf, Reply, Request, COPY_SLICE};
use crate::web::slot::{with_engine, with_engine_mut};
use crate::web::state::{PageState, TuneState};
use crate::web::storage;

/// Longest stretch of fine-tune steps between two yields to the browser.
const SLICE_MS: f64 = 25.0;
/// How many of the top recommendations the before/after comparison shows.
const COMPARE: usize = 10;

/// Run the fine-tune in the engine worker (inline in slices of at most ~25 ms when the page has
/// none), drawing the loss as it goes; then install the tuned head, keep it in localStorage and
/// compare the top 10.
fn start_tune(st: PageState) {
    let l = st.likes.get_untracked();
    if l.is_empty() {
        st.notice("Like at least one track before tuning.");
        return;
    }
    let d = st.dislikes.get_untracked();
    let tuned_on = ratings(st);
    st.tune.set(TuneState {
        running: true,
        before: st.top_untracked(COMPARE),
        ..Default::default()
    });
    spawn_local(async move {
        let t0 = now();
        let outcome = match tune_in_worker(st, &l, &d).await {
            Some(r) => r,
            None => {
                // no worker: start over on the page
                st.tune.update(|t| t.losses.clear());
                tune_inline(st, &l, &d).await
            }
        };
        let (head, longest) = match outcome {
            Ok(h) => h,
            Err(e) => {
                st.notice(e);
                st.tune.set(TuneState::default());
                return;
            }
        };
        let bytes = with_engine(|e| tuned::to_bytes(&head, e.shipped_head()));
        with_engine_mut(|e| e.set_head(Some(head)));
        storage::save_head(bytes.as_deref());
        storage::save_tuned_on(Some(&tuned_on));
        // the new list, the comparison and the learned-features chart each in their own task,
        // so none blocks the page for long
        yield_now().await;
        st.engine_changed();
        yield_now().await;
        let after = st.top_untracked(COMPARE);
        yield_now().await;
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

/// The page's embeddings as a new ArrayBuffer for the worker, copied [`COPY_SLICE`] per task (a
/// million tracks' are 128 MB, which blocked the page for over 100 ms in one copy). `None` when the
/// engine is gone or shrank meanwhile.
async fn embeddings_in_slices() -> Option<js_sys::ArrayBuffer> {
    let len = with_engine(|e| std::mem::size_of_val(e.embeddings()))?;
    let out = js_sys::Uint8Array::new_with_length(len as u32);
    let mut at = 0;
    while at < len {
        let end = (at + COPY_SLICE).min(len);
        with_engine(|e| {
            let bytes: &[u8] = bytemuck::cast_slice(e.embeddings());
            bytes
                .get(at..end)
                .map(|b| out.subarray(at as u32, end as u32).copy_from(b))
        })
        .flatten()?;
        at = end;
        if at < len {
            yield_now().await;
        }
    }
    Some(out.buffer())
}

/// The fine-tune in the engine worker: it gets the weights and the page's embeddings (the
/// listener's added tracks included) and sends the losses as it goes. `None`: no worker here.
async fn tune_in_worker(
    st: PageState,
    likes: &[usize],
    dislikes: &[usize],
) -> Option<Result<(Head, f64), String>> {
    use futures::StreamExt;
    let weights = client::weights()?;
    let emb = embeddings_in_slices().await?;
    let req = Request::Tune {
        likes: likes.to_vec(),
        dislikes: dislikes.to_vec(),
        seed: Recommender::TUNE_SEED,
    };
    let mut rx = client::request(req, vec![bytes_buf(&weights), emb]).ok()?;
    while let Some(Answer { reply, bufs }) = rx.next().await {
        match reply {
            Reply::Steps { losses, progress } => st.tune.update(|t| {
                t.losses.extend(losses);
                t.progress = progress;
            }),
            Reply::Tuned { longest_slice_ms } => {
                let head = buf_bytes(&bufs, 0, "tuned model").and_then(|b| {
                    with_engine(|e| {
                        tuned::from_bytes(&b, e.shipped_head()).map_err(|e| e.to_string())
                    })
                    .unwrap_or_else(|| Err("the page is not ready".into()))
                });
                return Some(
                    head.map(|h| (h, longest_slice_ms))
                        .map_err(|e| format!("Could not tune: {e}.")),
                );
            }
            Reply::Failed(e) => return Some(Err(e)),
            _ => {}
        }
    }
    None
}

/// The fine-tune on the page's thread, in slices of at most ~25 ms that yield to the event loop.
async fn tune_inline(
    st: PageState,
    likes: &[usize],
    dislikes: &[usize],
) -> Result<(Head, f64), String> {
    let mut tuner = match with_engine(|e| e.tuner(likes, dislikes, Recommender::TUNE_SEED)) {
        Some(Ok(t)) => t,
        Some(Err(e)) => return Err(format!("Could not tune: {e}.")),
        None => return Err("Could not tune: the page is not ready.".into()),
    };
    let mut longest = 0.0f64;
    while !tuner.done() {
        let s0 = now();
        let batch = tuner.steps_for(SLICE_MS, now);
        longest = longest.max(now() - s0);
        let p = tuner.progress();
        st.tune.update(|t| {
            t.losses.extend(batch);
            t.progress = p;
        });
        yield_now().await;
    }
    Ok((tuner.finish(), longest))
}

/// Back to the shipped head, here and in localStorage.
fn reset_tune(st: PageState) {
    with_engine_mut(|e| e.set_head(None));
    storage::save_head(None);
    storage::save_tuned_on(None);
    st.tune.set(TuneState::default());
    st.engine_changed();
    st.notice("The tuned model was reset to the shipped one.");
}

/// The listener's ratings now, as stored (ids, bans, the cap per artist when not the default).
fn ratings(st: PageState) -> Stored {
    let mut s = Stored::new(
        st.ids(&st.likes.get_untracked()),
        st.ids(&st.dislikes.get_untracked()),
    );
    s.banned_artists = st.banned.get_untracked();
    let cap = st.opts.with_untracked(|o| o.max_per_artist);
    s.max_per_artist = (cap != Options::MAX_PER_ARTIST).then_some(cap);
    s
}

/// "Save my model": the tuned head and what it was tuned on (the current ratings when a head
/// restored from an older page has no record of it), as one file.
fn save_model(st: PageState) {
    let on = storage::load_tuned_on().unwrap_or_else(|| ratings(st));
    let Some(bytes) = with_engine(|e| {
        e.is_tuned()
            .then(|| personal::to_bytes(&on, e.head(), e.shipped_head()))
    })
    .flatten() else {
        st.notice("Tune the model first: there is no tuned model to save.");
        return;
    };
    match download_bytes(personal::FILE_NAME, "application/octet-stream", &bytes) {
        Ok(()) => st.notice(format!(
            "Saved your model, tuned on {} likes ({} kB). Load it on another device under “Load my model”.",
            on.likes.len(),
            bytes.len().div_ceil(1024)
        )),
        Err(e) => st.notice(format!("Saving failed: {e}")),
    }
}

/// "Load my model": install the file's head and merge its ratings into the listener's, saying
/// what happened. Nothing the listener has is lost; a refused file changes nothing.
fn load_model(st: PageState, bytes: Result<Vec<u8>, String>) {
    let loaded = bytes.and_then(|b| {
        with_engine(|e| personal::from_bytes(&b, e.shipped_head()).map_err(|e| e.to_string()))
            .unwrap_or_else(|| Err("the page is not ready".into()))
    });
    let p = match loaded {
        Ok(p) => p,
        Err(e) => {
            st.notice(format!("Could not load the model: {e}."));
            return;
        }
    };
    let merged = personal::merge(&ratings(st), &p.likes);
    let before = st.likes.with_untracked(Vec::len);
    let (likes, missing_l) = st.indices(&merged.stored.likes);
    let (dislikes, missing_d) = st.indices(&merged.stored.dislikes);
    let added = likes.len().saturating_sub(before);
    st.likes.set(likes);
    st.dislikes.set(dislikes);
    st.banned.set(merged.stored.banned_artists.clone());
    if let Some(cap) = merged.stored.max_per_artist {
        st.opts.update(|o| o.max_per_artist = cap);
    }
    let bytes = with_engine(|e| tuned::to_bytes(&p.head, e.shipped_head()));
    with_engine_mut(|e| e.set_head(Some(p.head)));
    storage::save_head(bytes.as_deref());
    storage::save_tuned_on(Some(&p.likes));
    st.tune.set(TuneState {
        tuned: true,
        ..Default::default()
    });
    st.engine_changed();
    let mut msg = format!(
        "Loaded a model tuned on {} likes; {added} likes added",
        p.likes.likes.len()
    );
    if merged.dislikes_added > 0 {
        msg += &format!(", {} dislikes added", merged.dislikes_added);
    }
    if merged.bans_added > 0 {
        msg += &format!(", {} artists never recommended", merged.bans_added);
    }
    if missing_l + missing_d > 0 {
        msg += &format!(" ({} tracks not in this catalog)", missing_l + missing_d);
    }
    if merged.conflicts > 0 {
        msg += &format!(
            " ({} tracks you had rated the other way kept your rating)",
            merged.conflicts
        );
    }
    st.notice(msg + ".");
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
        "using your tuned model (restored or loaded)".to_string()
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
                <div><h3>"Before"</h3><ol>{col(before)}</ol></div>
                <div><h3>"After"</h3><ol>{col(after)}</ol></div>
            </div>
        </div>
    }
}

#[component]
pub fn Tune() -> impl IntoView {
    let st = expect_context::<PageState>();
    let file_ref = NodeRef::<leptos::html::Input>::new();
    let on_file = move |_| {
        let Some(input) = file_ref.get_untracked() else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let bytes = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
                .await
                .map(|b| js_sys::Uint8Array::new(&b).to_vec())
                .map_err(|e| format!("the file could not be read ({})", js_err(e)));
            load_model(st, bytes);
        });
    };
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
        <div class="row-actions carry">
            <button id="save-model" prop:disabled=move || st.tune.with(|t| t.running || !t.tuned)
                on:click=move |_| save_model(st)>"Save my model"</button>
            <label class="button">"Load my model…"
                <input id="load-model" type="file" accept=".slmodel,application/octet-stream" class="sr-only"
                    node_ref=file_ref on:change=on_file aria-label="Load my model from a file"/>
            </label>
        </div>
        <p class="muted">"Your tuned model and the likes it learned from, as one file: load it in another browser to carry it there (your likes there are kept)."</p>
        <LearnedChart/>
    }
}
