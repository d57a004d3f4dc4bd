//! The recommendations panel: the ranked list with "because you liked X", the feature bars that
//! explain a match, and the like/dislike buttons (also used by the search results).

use leptos::prelude::*;

use crate::catalog::features::N_FEATURES;
use crate::listener::export::{self, spotify_url, ExportRow};
use crate::recommend::explain::top_contributions;
use crate::recommend::Rec;
use crate::web::display::{pretty_feature, track_id, track_meta, track_name};
use crate::web::load::download;
use crate::web::state::PageState;

/// The files the list can be taken out as: (button, accessible name, file name, MIME type).
const FORMATS: [(&str, &str, &str, &str); 4] = [
    (
        "CSV",
        "Export the list as CSV",
        "soundalike-recommendations.csv",
        "text/csv",
    ),
    (
        "M3U",
        "Export the list as an M3U playlist",
        "soundalike-recommendations.m3u",
        "audio/x-mpegurl",
    ),
    (
        "JSPF",
        "Export the list as a JSPF playlist (ListenBrainz)",
        "soundalike-recommendations.jspf",
        "application/json",
    ),
    (
        // the visible text is part of the accessible name (WCAG 2.5.3, "label in name")
        "Spotify track URIs",
        "Export the list as Spotify track URIs",
        "soundalike-spotify-uris.txt",
        "text/plain",
    ),
];

/// The shown list as export rows.
fn export_rows(recs: &[Rec]) -> Vec<ExportRow> {
    recs.iter()
        .map(|r| {
            let (title, artist) = track_name(r.index);
            ExportRow {
                id: track_id(r.index),
                title,
                artist,
                score: r.score,
                because: r.because.map(|(b, _)| {
                    let (t, a) = track_name(b);
                    format!("{t} — {a}")
                }),
            }
        })
        .collect()
}

/// Download the current list in format `f` (an index into [`FORMATS`]).
fn export_list(st: PageState, f: usize) {
    st.settle();
    let rows = st.recs.with_untracked(|r| export_rows(r));
    let (_, _, name, mime) = FORMATS[f];
    let title = "soundalike recommendations";
    let text = match f {
        0 => export::to_csv(&rows),
        1 => export::to_m3u(&rows, title),
        2 => export::to_jspf(&rows, title),
        _ => export::to_spotify_uris(&rows),
    };
    if let Err(e) = download(name, mime, &text) {
        st.notice(format!("Export failed: {e}"));
    }
}

/// ♡ / ✕ for track `i`; pressing the active one again takes the rating back.
#[component]
pub fn RateButtons(i: usize) -> impl IntoView {
    let st = expect_context::<PageState>();
    let liked = move || st.is_liked(i);
    let disliked = move || st.is_disliked(i);
    view! {
        <span class="rate">
            <button class="like" class:on=liked aria-pressed=move || liked().to_string() title="Like"
                on:click=move |ev| { ev.stop_propagation(); if liked() { st.unrate(i) } else { st.like(i) } }>
                {move || if liked() { "♥ Liked" } else { "♡ Like" }}
            </button>
            <button class="dislike" class:on=disliked aria-pressed=move || disliked().to_string() title="Dislike"
                aria-label="Dislike"
                on:click=move |ev| { ev.stop_propagation(); if disliked() { st.unrate(i) } else { st.dislike(i) } }>
                "✕"
            </button>
            <button class="ban" title="Never this artist" aria-label="Never recommend this artist"
                on:click=move |ev| { ev.stop_propagation(); st.ban_artist_of(i) }>
                "⊘"
            </button>
        </span>
    }
}

/// The four features that weigh most in a match, as signed bars around the middle.
#[component]
fn Bars(contrib: [f32; N_FEATURES]) -> impl IntoView {
    let top = top_contributions(&contrib, 4);
    view! {
        <div class="bars" aria-label="Features that drive this match">
            {top.into_iter().map(|f| {
                let v = contrib[f];
                let w = (v.abs() * 100.0).min(100.0);
                view! {
                    <div class="bar-row" title=format!("{}: {:+.2}", pretty_feature(f), v)>
                        <span class="bar-label">{pretty_feature(f)}</span>
                        <span class="bar-track">
                            <span class={if v >= 0.0 { "bar pos" } else { "bar neg" }}
                                style=format!("width:{:.0}%;{}", w / 2.0, if v >= 0.0 { "left:50%" } else { "right:50%" })></span>
                        </span>
                        <span class="bar-val">{format!("{v:+.2}")}</span>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

/// What identifies a row on screen: the track and its explanation, so that a row whose
/// explanation changed is rebuilt while unchanged rows are kept (only moved).
type RowKey = (usize, Option<(usize, u32)>, [u32; N_FEATURES]);

fn row_key(r: &Rec) -> RowKey {
    (
        r.index,
        r.because.map(|(b, sim)| (b, sim.to_bits())),
        r.contrib.map(f32::to_bits),
    )
}

/// One recommendation: title (click selects it on the map), rating buttons, why, and bars.
#[component]
fn RecRow(rec: Rec) -> impl IntoView {
    let st = expect_context::<PageState>();
    let i = rec.index;
    let (name, artist) = track_name(i);
    let open_label = format!("Open {name} by {artist} in Spotify");
    let has_because = rec.because.is_some();
    let because = rec.because.map(|(b, sim)| {
        let (bn, ba) = track_name(b);
        view! { <p class="because">"because you liked " <b>{bn}</b> " · " {ba} <span class="sim">{format!(" ({:.0}% similar)", sim.max(0.0) * 100.0)}</span></p> }
    });
    view! {
        <li class="rec" data-id=track_id(i) class:selected=move || st.is_selected(i)>
            <div class="rec-head">
                <span class="t" on:click=move |_| st.select(i)>
                    <span class="title">{name}</span>
                    <span class="artist">{artist}</span>
                    <span class="meta">{track_meta(i)}</span>
                </span>
                <RateButtons i=i/>
            </div>
            <a class="open-spotify" href=spotify_url(&track_id(i)) target="_blank" rel="noopener noreferrer"
                aria-label=open_label>"Spotify ↗"</a>
            {because}
            // bars explain a match with the listener's taste: none before the first like
            {has_because.then(|| view! { <Bars contrib=rec.contrib/> })}
        </li>
    }
}

#[component]
pub fn Recommendations() -> impl IntoView {
    let st = expect_context::<PageState>();
    let cold = move || st.likes.with(|l| l.is_empty());
    let any = move || st.recs.with(|r| !r.is_empty());
    // what a screen reader hears when the list changes (after a like, a slider, a tune)
    let spoken = move || {
        st.recs.with(|r| match r.first() {
            None => "No track passes the current filters.".to_string(),
            Some(top) => {
                let (name, artist) = track_name(top.index);
                let what = if cold() {
                    "popular tracks shown"
                } else {
                    "recommendations updated"
                };
                format!("{} {what}; first: {name} by {artist}.", r.len())
            }
        })
    };
    view! {
        <p class="sr-only" role="status" data-testid="recs-live">{spoken}</p>
        {move || cold().then(|| view! {
            <p class="hint cold" data-testid="cold-hint">"You have no likes yet, so here are popular tracks across genres. Like a few tracks to make these yours."</p>
        })}
        <div class="row-actions export" role="group" aria-label="Take the list out">
            <span class="muted">"Take the list out:"</span>
            {FORMATS.iter().enumerate().map(|(f, &(label, aria, _, _))| view! {
                <button aria-label=aria disabled=move || !any() on:click=move |_| export_list(st, f)>{label}</button>
            }).collect_view()}
        </div>
        <ol class="recs" data-testid="recs">
            <Show when=any fallback=|| view! { <li class="empty">"No track passes the current filters. Loosen a min/max bound."</li> }>
                <For each=move || st.recs.get() key=row_key let:rec>
                    <RecRow rec=rec/>
                </For>
            </Show>
        </ol>
    }
}
