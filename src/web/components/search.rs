//! Search as you type over titles and artists: ↑/↓ move (the active hit is spoken through a
//! live region), Enter likes, Esc clears.

use leptos::prelude::*;

use super::recs::RateButtons;
use crate::web::display::{track_meta, track_name};
use crate::web::load::now;
use crate::web::slot::with_engine;
use crate::web::state::PageState;

/// How many hits the list shows.
const HITS: usize = 12;

#[component]
pub fn SearchBox() -> impl IntoView {
    let st = expect_context::<PageState>();
    let query = RwSignal::new(String::new());
    let hits = RwSignal::new(Vec::<usize>::new());
    let active = RwSignal::new(None::<usize>);
    let took = RwSignal::new(0.0f64);
    let run = move |q: String| {
        let t = now();
        let h = with_engine(|e| {
            e.search()
                .search(&q, HITS)
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
    let no_match = move || query.with(|q| !q.trim().is_empty()) && hits.with(|h| h.is_empty());
    // what a screen reader hears as ↑/↓ move: the rows hold buttons, so they are a plain list
    // (options of a listbox may not contain buttons) and the active one is spoken from here
    let spoken = move || {
        let n = hits.with(|h| h.len());
        match active
            .get()
            .and_then(|a| hits.with(|h| h.get(a).copied()).map(|i| (a, i)))
        {
            Some((a, i)) => {
                let (name, artist) = track_name(i);
                format!("{name} by {artist}, {} of {n}. Enter likes it.", a + 1)
            }
            None if no_match() => "No track matches.".to_string(),
            None => String::new(),
        }
    };
    view! {
        <div class="search" role="search">
            <label for="search-input" class="sr-only">"Search by title or artist"</label>
            <input id="search-input" type="search" autocomplete="off" spellcheck="false"
                placeholder="Search by title or artist…" aria-controls="search-results"
                aria-describedby="search-help"
                prop:value=move || query.get()
                on:input=move |ev| run(event_target_value(&ev))
                on:keydown=on_key/>
            <p class="search-help" id="search-help">"↑/↓ to move, Enter to like, Esc to clear"
                {move || if query.with(|q| !q.is_empty()) { format!(" · {} results in {:.1} ms", hits.with(|h| h.len()), took.get()) } else { String::new() }}
            </p>
            <p class="sr-only" aria-live="polite" data-testid="search-live">{spoken}</p>
            <ul id="search-results" class="results" aria-label="Search results">
                <Show when=no_match>
                    <li class="empty">"No track matches “" {move || query.get()} "”."</li>
                </Show>
                // keyed by position and track: the position names the row (id hit-k)
                <For each=move || hits.get().into_iter().enumerate() key=|&hit| hit
                    children=move |(k, i)| view! { <SearchHit k=k i=i active=active/> }/>
            </ul>
        </div>
    }
}

/// One search result; `k` is its position in the list.
#[component]
fn SearchHit(k: usize, i: usize, active: RwSignal<Option<usize>>) -> impl IntoView {
    let (name, artist) = track_name(i);
    view! {
        <li id=format!("hit-{k}") class="hit" class:active=move || active.get() == Some(k)
            on:mouseenter=move |_| active.set(Some(k))>
            <span class="t">
                <span class="title">{name}</span>
                <span class="artist">{artist}</span>
                <span class="meta">{track_meta(i)}</span>
            </span>
            <RateButtons i=i/>
        </li>
    }
}
