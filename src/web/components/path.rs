//! "Song path": pick a start and a destination (from search or from the likes), choose the length,
//! and get a playlist that walks from one to the other (`recommend::path`), listed here and drawn
//! on the map.

use leptos::prelude::*;

use crate::recommend::path::{song_path, DEFAULT_STEPS, MAX_STEPS};
use crate::web::display::{track_id, track_meta, track_name};
use crate::web::slot::with_engine;
use crate::web::state::PageState;

/// How many search hits the picker shows.
const HITS: usize = 8;

fn label(i: Option<usize>) -> String {
    match i {
        Some(i) => {
            let (n, a) = track_name(i);
            format!("{n} — {a}")
        }
        None => "not chosen yet".into(),
    }
}

/// A `<select>` of the likes that sets one end of the path.
#[component]
fn FromLikes(end: RwSignal<Option<usize>>, id: &'static str, text: &'static str) -> impl IntoView {
    let st = expect_context::<PageState>();
    view! {
        <label for=id>{text}</label>
        <select id=id on:change=move |ev| {
            if let Ok(i) = event_target_value(&ev).parse::<usize>() { end.set(Some(i)) }
        }>
            <option value="">"choose a like…"</option>
            <For each=move || st.likes.get() key=|&i| i let:i>
                <option value=i.to_string()>{label(Some(i))}</option>
            </For>
        </select>
    }
}

#[component]
pub fn SongPathPanel() -> impl IntoView {
    let st = expect_context::<PageState>();
    let from = RwSignal::new(None::<usize>);
    let to = RwSignal::new(None::<usize>);
    let steps = RwSignal::new(DEFAULT_STEPS);
    let query = RwSignal::new(String::new());
    let result = RwSignal::new(String::new());
    let hits = Memo::new(move |_| {
        let q = query.get();
        if q.trim().is_empty() {
            return Vec::new();
        }
        with_engine(|e| {
            e.search()
                .search(&q, HITS)
                .into_iter()
                .map(|h| h.index)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    });
    let build = move |_| {
        let (Some(a), Some(b)) = (from.get_untracked(), to.get_untracked()) else {
            return;
        };
        let n = steps.get_untracked();
        match with_engine(|e| song_path(e, a, b, n)) {
            Some(Ok(p)) => {
                result.set(format!(
                    "A path of {} tracks from {} to {}{}.",
                    p.tracks.len(),
                    label(Some(a)),
                    label(Some(b)),
                    if p.monotone {
                        ""
                    } else {
                        " (the catalog is thin near the destination: the path steps back once or more)"
                    }
                ));
                st.path.set(p.tracks);
            }
            Some(Err(e)) => {
                st.path.set(Vec::new());
                result.set(format!("No path: {e}."));
            }
            None => {}
        }
    };
    let hit_row = move |i: usize| {
        let (name, artist) = track_name(i);
        let (n1, n2) = (name.clone(), name.clone());
        view! {
            <li class="hit" data-id=track_id(i)>
                <span class="t"><span class="title">{name}</span>" "<span class="artist">{artist}</span>
                    " "<span class="meta">{track_meta(i)}</span></span>
                <button class="path-from" aria-label=format!("From {n1} (start of the path)") on:click=move |_| from.set(Some(i))>"From"</button>
                <button class="path-to" aria-label=format!("To {n2} (end of the path)") on:click=move |_| to.set(Some(i))>"To"</button>
            </li>
        }
    };
    view! {
        <p class="muted">"Pick two tracks: the path walks from one to the other through the taste space, each step a real track, evenly spaced along the way, with no track or song twice and no artist twice in a row."</p>
        <dl class="path-ends">
            <dt>"From"</dt><dd data-testid="path-from">{move || label(from.get())}</dd>
            <dt>"To"</dt><dd data-testid="path-to">{move || label(to.get())}</dd>
        </dl>
        <label for="path-search">"Find a track for either end"</label>
        <input id="path-search" type="search" autocomplete="off" spellcheck="false" placeholder="Title or artist…"
            prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
        <ul class="results path-hits" data-testid="path-hits">
            <For each=move || hits.get() key=|&i| i let:i>{hit_row(i)}</For>
        </ul>
        <div class="path-likes">
            <FromLikes end=from id="path-from-like" text="…or start at a like: "/>
            <FromLikes end=to id="path-to-like" text="…and end at a like: "/>
        </div>
        <div class="row-actions">
            <label for="path-steps">"Tracks on the path"</label>
            <input id="path-steps" type="number" min="2" max=MAX_STEPS.to_string() prop:value=move || steps.get().to_string()
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<usize>() { steps.set(n.clamp(2, MAX_STEPS)) }
                }/>
            <button class="primary" id="path-build" prop:disabled=move || from.get().is_none() || to.get().is_none()
                on:click=build>"Build the path"</button>
            <button id="path-clear" prop:disabled=move || st.path.with(Vec::is_empty)
                on:click=move |_| { st.path.set(Vec::new()); result.set(String::new()); }>"Clear"</button>
        </div>
        <p class="path-result" aria-live="polite" data-testid="path-result">{move || result.get()}</p>
        <ol class="path-list" data-testid="path">
            <For each=move || st.path.get().into_iter().enumerate() key=|&s| s let:s>
                {
                    let (k, i) = s;
                    let (name, artist) = track_name(i);
                    let data_artist = artist.clone();
                    view! {
                        <li class="step" data-id=track_id(i) data-artist=data_artist data-step=k>
                            <span class="title">{name}</span>" "<span class="artist">{artist}</span>
                            " "<span class="meta">{track_meta(i)}</span>
                        </li>
                    }
                }
            </For>
        </ol>
    }
}
