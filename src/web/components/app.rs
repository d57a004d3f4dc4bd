//! The page's layout: header with the status line, notices, the panels once ready, the privacy note.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::controls::Controls;
use super::import::{provide_import_state, ImportCsv};
use super::likes::LikesList;
use super::newtrack::NewTrackForm;
use super::path::SongPathPanel;
use super::recs::Recommendations;
use super::search::SearchBox;
use super::status::{LoadingOrError, Notices, StatusLine};
use super::synthetic::SyntheticBanner;
use super::tune::Tune;
use crate::web::boot;
use crate::web::charts::{Heatmap, MapView};
use crate::web::load::yield_now;
use crate::web::state::{Config, PageState, Status};

/// Render stages after ready (see `App`); `main[data-stage]` says which is on screen.
const LAST_STAGE: u8 = 5;

#[component]
pub fn App(cfg: Config) -> impl IntoView {
    let st = PageState::new();
    provide_context(st);
    provide_import_state();
    boot::start(cfg, st);

    let ready = move || st.is_ready();
    // the page renders in stages, a task each, so none blocks for long: the likes and the
    // recommendations first, then the controls, "Tune to me", the song path and the new-track
    // form, the map, the heatmap
    let stage = RwSignal::new(0u8);
    Effect::new(move |_| {
        if ready() && stage.get_untracked() == 0 {
            spawn_local(async move {
                for s in 1..=LAST_STAGE {
                    yield_now().await;
                    stage.set(s);
                }
            });
        }
    });
    let at = move |s: u8| move || stage.get() >= s;
    let later = || view! { <p class="muted">"preparing…"</p> };
    view! {
        <header class="top">
            <div class="brand">
                <h1>"soundalike"</h1>
                <p class="tagline">"Music recommendations computed entirely in your browser."</p>
            </div>
            <StatusLine/>
        </header>
        <SyntheticBanner/>
        <Notices/>
        <Show when=ready fallback=move || view! {
            <LoadingOrError/>
            // no catalog from the host: the listener's CSVs are the starting point
            {move || st.status.with(|s| *s == Status::NoCatalog)
                .then(|| view! { <section class="panel" aria-label="Your music"><ImportCsv/></section> })}
        }>
            <main class="grid" data-stage=move || stage.get()>
                <section class="panel likes-panel" aria-label="Your tracks">
                    <h2>"1 · Find tracks you like"</h2>
                    <SearchBox/>
                    <LikesList/>
                    <ImportCsv/>
                </section>
                <section class="panel recs-panel" aria-label="Recommendations">
                    <h2>"2 · Recommendations"</h2>
                    <Recommendations/>
                </section>
                <section class="panel controls-panel" aria-label="Tuning the results">
                    <h2>"3 · Shape the results"</h2>
                    <Show when=at(1) fallback=later><Controls/></Show>
                </section>
                <section class="panel tune-panel" aria-label="Tune to me">
                    <h2>"4 · Tune to me"</h2>
                    <Show when=at(2) fallback=later><Tune/></Show>
                </section>
                <section class="panel path-panel" aria-label="Song path">
                    <h2>"Song path"</h2>
                    <Show when=at(3) fallback=later><SongPathPanel/></Show>
                </section>
                <section class="panel map-panel" aria-label="Embedding map">
                    <h2>"Map of the catalog"</h2>
                    <Show when=at(4) fallback=later><MapView/></Show>
                </section>
                <section class="panel heat-panel" aria-label="Feature correlations">
                    <h2>"Feature correlations"</h2>
                    <Show when=at(5) fallback=later><Heatmap/></Show>
                </section>
                <section class="panel new-panel" aria-label="New track">
                    <h2>"Place a new track"</h2>
                    <Show when=at(3) fallback=later><NewTrackForm/></Show>
                </section>
            </main>
        </Show>
        <footer class="privacy" id="privacy">
            <h2>"Privacy"</h2>
            <p>
                "Everything happens on your device. This page downloads the track catalog and the model weights once; "
                "after that it makes no network request at all. Your likes, dislikes and tuned model are kept in this "
                "browser's localStorage, and tracks you add from CSV files (read here, never uploaded) in its IndexedDB; none of it leaves this browser. A share link carries your likes in the part of the URL after "
                "the #, which browsers do not send to any server."
            </p>
        </footer>
    }
}
