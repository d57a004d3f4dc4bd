//! "Place a new track": parse a pasted CSV row (or the 9 base features), scale it with the
//! catalog's scaler, embed it, and show where it lands (★ on the map) and its nearest tracks.

use leptos::prelude::*;

use crate::catalog::features::N_BASE;
use crate::catalog::Context;
use crate::listener::newtrack::{parse_row, parse_year};
use crate::web::charts::project;
use crate::web::display::track_name;
use crate::web::slot::with_engine;
use crate::web::state::{NewTrack, PageState};

/// How many nearest catalog tracks to list.
const NEIGHBOURS: usize = 8;
const EXAMPLE: &str = "0.748,0.916,-2.634,0.0583,0.102,0,0.0653,0.518,122.04";

/// Place a raw feature row released in `year` (popularity unknown): its map position and nearest
/// catalog tracks (None before loading).
fn place(raw: &[f32; N_BASE], year: Option<u16>) -> Option<NewTrack> {
    with_engine(|e| {
        let f = e.catalog().scaler.scale(raw);
        let context = Context {
            year,
            ..Context::default()
        };
        let emb = e.encode(&f, &context);
        NewTrack {
            neighbours: e.neighbours(&emb, NEIGHBOURS),
            pos: project(&emb),
        }
    })
}

#[component]
pub fn NewTrackForm() -> impl IntoView {
    let st = expect_context::<PageState>();
    let text = RwSignal::new(String::new());
    let year = RwSignal::new(String::new());
    let err = RwSignal::new(String::new());
    let on_place = move |_| {
        let y = match parse_year(&year.get_untracked()) {
            Ok(y) => y,
            Err(e) => return err.set(e.to_string()),
        };
        match parse_row(&text.get_untracked()) {
            Ok(raw) => {
                err.set(String::new());
                st.newtrack.set(place(&raw, y));
            }
            Err(e) => err.set(e.to_string()),
        }
    };
    view! {
        <p class="muted">"For labels: paste a CSV row (the 9 audio features danceability, energy, loudness, speechiness, acousticness, instrumentalness, liveness, valence, tempo — or a full TidyTuesday row, or a header line plus a row) to see where a track lands and which catalog tracks it sits next to."</p>
        <textarea id="newtrack-input" rows="3" aria-label="A CSV row or the 9 audio features" placeholder=EXAMPLE prop:value=move || text.get()
            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
        <label class="inline">"Release year (optional) "
            <input id="newtrack-year" type="text" inputmode="numeric" size="6" placeholder="2008"
                prop:value=move || year.get() on:input=move |ev| year.set(event_target_value(&ev))/>
        </label>
        <div class="row-actions">
            <button class="primary" on:click=on_place>"Place it"</button>
            <button on:click=move |_| text.set(EXAMPLE.to_string())>"Use an example"</button>
        </div>
        {move || (!err.get().is_empty()).then(|| view! { <p class="error-text" role="alert">{err.get()}</p> })}
        {move || st.newtrack.get().map(|nt| view! {
            <div class="newtrack-result">
                <p>"Shown as ★ on the map. Nearest neighbours:"</p>
                // a new placement replaces the whole result, so this list is rebuilt, not keyed
                <ol>{nt.neighbours.into_iter().map(|(i, sim)| view! { <Neighbour i=i sim=sim/> }).collect_view()}</ol>
            </div>
        })}
    }
}

#[component]
fn Neighbour(i: usize, sim: f32) -> impl IntoView {
    let (n, a) = track_name(i);
    view! {
        <li><span class="title">{n}</span>" "<span class="artist">{a}</span><span class="sim">{format!(" {:.0}%", sim.max(0.0) * 100.0)}</span></li>
    }
}
