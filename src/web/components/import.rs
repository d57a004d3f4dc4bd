//! Drop a CSV on the page: a file picker and a drop zone. Each file is read here, on the device
//! (nothing is uploaded), a slice of rows at a time with a yield to the event loop between
//! slices, so a 100,000-row file shows progress and the page stays responsive. Tracks the catalog
//! has become likes; tracks it lacks that carry audio features are added as the listener's own
//! and saved in IndexedDB; unusable rows are counted by reason. Nothing already liked is lost:
//! a failed file changes nothing.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use crate::listener::import::{ImportError, ImportReport, Importer};
use crate::model::Weights;
use crate::recommend::Recommender;
use crate::web::boot;
use crate::web::load::{js_err, now, yield_now};
use crate::web::slot::{set_engine, with_engine, with_engine_mut};
use crate::web::state::{PageState, Status};
use crate::web::yours;

/// Rows read between two yields (a few ms of work in wasm).
const ROWS_PER_SLICE: usize = 2000;
/// Tracks added to the engine between two yields (each slice re-indexes the catalog once).
const ADD_PER_SLICE: usize = 10_000;

/// What one dropped file did, as lines to show.
#[derive(Clone, Debug, PartialEq, Default)]
struct Outcome {
    file: String,
    lines: Vec<String>,
    problems: Vec<String>,
    examples: Vec<String>,
    error: Option<String>,
}

/// Why a file could not be taken in (shown as it is).
#[derive(Debug, thiserror::Error)]
enum FileError {
    #[error("the file could not be read: {0}")]
    Read(String),
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("the model weights could not be read: {0}")]
    Weights(String),
    #[error("{0}")]
    Build(#[from] crate::recommend::LoadError),
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Read one file in slices, reporting the fraction read.
async fn read(
    file: &web_sys::File,
    progress: RwSignal<Option<(String, f64)>>,
) -> Result<(ImportReport, f64), FileError> {
    let name = file.name();
    let buf = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| FileError::Read(js_err(e)))?;
    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
    let t0 = now();
    let mut imp = Importer::new(bytes)?;
    loop {
        // no engine yet (the page runs on the listener's music alone): every track is new
        let done = with_engine(|e| imp.step(ROWS_PER_SLICE, |id| e.catalog().index_of(id)))
            .unwrap_or_else(|| imp.step(ROWS_PER_SLICE, |_| None));
        let (got, total) = imp.progress();
        progress.set(Some((name.clone(), got as f64 / total.max(1) as f64)));
        if done {
            break;
        }
        yield_now().await;
    }
    Ok((imp.finish()?, now() - t0))
}

/// Put a file's tracks to use: likes, added tracks (saved), or a first catalog of them alone.
async fn apply(st: PageState, report: &ImportReport) -> Result<usize, FileError> {
    let added = if with_engine(|_| ()).is_some() {
        // in slices with a yield between them: encoding 100,000 tracks at once would freeze the page
        let mut added = 0;
        for chunk in report.new.chunks(ADD_PER_SLICE) {
            added += with_engine_mut(|e| e.add_tracks(chunk).len()).unwrap_or(0);
            yield_now().await;
        }
        if added > 0 {
            st.engine_changed();
            let len = with_engine(|e| e.len()).unwrap_or(0);
            st.status.update(|s| {
                if let Status::Ready { n, .. } = s {
                    *n = len;
                }
            });
        }
        added
    } else if let Some(w) = yours::alone_weights() {
        if report.new.is_empty() {
            return Ok(0);
        }
        let weights = Weights::from_bytes(&w).map_err(|e| FileError::Weights(e.to_string()))?;
        let mut rows = yours::rows();
        let have: std::collections::HashSet<&str> =
            rows.iter().map(|r| r.track.id.as_str()).collect();
        let fresh: Vec<_> = report
            .new
            .iter()
            .filter(|r| !have.contains(r.track.id.as_str()))
            .cloned()
            .collect();
        rows.extend(fresh);
        let engine = Recommender::from_own_tracks(rows, weights)?;
        let n = engine.len();
        let t0 = now();
        set_engine(engine);
        st.engine_changed();
        boot::restore(st);
        st.status.set(Status::Ready { n, ms: now() - t0 });
        n
    } else {
        0
    };
    if !report.new.is_empty() {
        if let Err(e) = yours::add(&report.new).await {
            st.notice(format!(
                "Your added tracks could not be saved on this device: {e}."
            ));
        }
    }
    Ok(added)
}

async fn import_file(
    st: PageState,
    file: web_sys::File,
    progress: RwSignal<Option<(String, f64)>>,
) -> Outcome {
    let name = file.name();
    let mut out = Outcome {
        file: name.clone(),
        ..Default::default()
    };
    let t0 = now();
    let result = async {
        let (report, ms) = read(&file, progress).await?;
        let added = apply(st, &report).await?;
        Ok::<_, FileError>((report, ms, added))
    }
    .await;
    // reading, adding (encoding) and saving, for the listener and the browser test's figure
    let total = now() - t0;
    match result {
        Err(e) => out.error = Some(format!("{name}: {e}")),
        Ok((report, ms, added)) => {
            let found = report.found.clone();
            if !found.is_empty() {
                st.dislikes.update(|d| d.retain(|i| !found.contains(i)));
                st.likes.update(|l| {
                    for i in found {
                        if !l.contains(&i) {
                            l.push(i);
                        }
                    }
                });
            }
            out.lines.push(format!(
                "{} rows read as {} in {ms:.0} ms, done in {total:.0} ms",
                report.rows,
                report.schema.name()
            ));
            out.lines.push(format!(
                "{} of {} tracks found, added as likes",
                report.found.len(),
                report.tracks
            ));
            if added > 0 || !report.new.is_empty() {
                out.lines
                    .push(format!("{added} tracks added to the catalog (yours)"));
            }
            out.problems = report.unusable_lines();
            out.examples = report.examples.clone();
        }
    }
    out
}

/// The import's state, owned by the page (not the panel): with no catalog, the panel first
/// shows in place of the others and moves into them once the first file built the catalog,
/// while the files after it are still being read.
#[derive(Clone, Copy)]
pub struct ImportState {
    progress: RwSignal<Option<(String, f64)>>,
    results: RwSignal<Vec<Outcome>>,
    /// How many of the catalog's tracks are the listener's.
    mine: RwSignal<usize>,
}

/// Create the import's state for the page (call once, in the page's root).
pub fn provide_import_state() {
    provide_context(ImportState {
        progress: RwSignal::new(None),
        results: RwSignal::new(Vec::new()),
        mine: RwSignal::new(0),
    });
}

#[component]
pub fn ImportCsv() -> impl IntoView {
    let st = expect_context::<PageState>();
    let ImportState {
        progress,
        results,
        mine,
    } = expect_context::<ImportState>();
    mine.set(with_engine(|e| e.yours().len()).unwrap_or(0));
    let over = RwSignal::new(false);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let run = move |files: Vec<web_sys::File>| {
        if files.is_empty() || progress.get_untracked().is_some() {
            return;
        }
        results.set(Vec::new());
        progress.set(Some((String::new(), 0.0)));
        spawn_local(async move {
            for f in files {
                let o = import_file(st, f, progress).await;
                results.update(|r| r.push(o));
            }
            progress.set(None);
            mine.set(with_engine(|e| e.yours().len()).unwrap_or(0));
        });
    };
    let on_pick = move |_| {
        let Some(input) = input_ref.get_untracked() else {
            return;
        };
        let files = files_of(input.files());
        input.set_value("");
        run(files);
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        over.set(false);
        run(files_of(ev.data_transfer().and_then(|d| d.files())));
    };
    let forget = move |_| {
        let from = with_engine(|e| e.yours().start).unwrap_or(0);
        let alone = from == 0;
        with_engine_mut(|e| e.forget_yours());
        if !alone {
            st.likes.update(|l| l.retain(|&i| i < from));
            st.dislikes.update(|d| d.retain(|&i| i < from));
            if st.selected.get_untracked().is_some_and(|i| i >= from) {
                st.selected.set(None);
            }
            st.engine_changed();
        }
        spawn_local(async move {
            if alone && yours::by_choice() {
                let _ = yours::set_only_mine(false).await;
            }
            match yours::forget().await {
                Ok(()) if alone => {
                    // a catalog of the listener's tracks alone: start again without them
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Ok(()) => st.notice("Your added tracks were forgotten on this device."),
                Err(e) => st.notice(format!(
                    "Your added tracks could not be removed from storage: {e}."
                )),
            }
        });
        mine.set(0);
        results.set(Vec::new());
    };
    // "use only my music" and back: a choice kept across visits, applied by reloading
    let switch = move |on: bool| {
        spawn_local(async move {
            match yours::set_only_mine(on).await {
                Ok(()) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Err(e) => st.notice(format!("The choice could not be saved: {e}.")),
            }
        })
    };
    let alone = yours::alone_weights().is_some();
    view! {
        <div class="import" data-testid="import">
            <h3>"Bring your music"</h3>
            <div class="dropzone" class:over=move || over.get() data-testid="dropzone"
                on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); over.set(true); }
                on:dragleave=move |_| over.set(false)
                on:drop=on_drop>
                <p>"Drop CSV files here (Exportify playlist exports, or the Spotify CSVs the catalog is built from), or "
                    <label class="button">"choose files…"
                        <input type="file" multiple accept=".csv,text/csv" class="sr-only" data-testid="import-file"
                            node_ref=input_ref on:change=on_pick/>
                    </label>
                </p>
                <p class="muted">"Read on this device; nothing is uploaded."</p>
            </div>
            <div role="status" aria-live="polite" data-testid="import-progress">
                {move || progress.get().map(|(name, f)| view! {
                    <span>{format!("Reading {name}: {:.0}%", f * 100.0)}</span>
                    <progress max="100" value=f * 100.0></progress>
                })}
            </div>
            <ul class="import-results" data-testid="import-results">
                // keyed by position: the list is cleared before each batch of files
                <For each=move || results.get().into_iter().enumerate() key=|(k, _)| *k let:item>
                    <li>
                        {let o = item.1; match o.error.clone() {
                            Some(e) => view! { <p class="error-text" data-testid="import-error">{e}</p> }.into_any(),
                            None => view! {
                                <p class="file">{o.file.clone()}</p>
                                <ul data-testid="import-summary">
                                    {o.lines.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}
                                </ul>
                                <ul class="problems" data-testid="import-problems">
                                    {o.problems.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}
                                </ul>
                                {(!o.examples.is_empty()).then(|| view! {
                                    <details><summary>"First problems, by line"</summary>
                                        <ul>{o.examples.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}</ul>
                                    </details>
                                })}
                            }.into_any(),
                        }}
                    </li>
                </For>
            </ul>
            {move || (mine.get() > 0).then(|| view! {
                <p class="muted" data-testid="yours-count">{format!("{} of your tracks are in the catalog.", mine.get())}</p>
                <button class="danger" data-testid="forget-yours" on:click=forget>"Forget my tracks"</button>
                {(!alone).then(|| view! {
                    <button data-testid="only-mine" on:click=move |_| switch(true)>"Use only my music"</button>
                })}
            })}
            {yours::by_choice().then(|| view! {
                <p class="muted">"Recommending within your music only."
                    <button data-testid="whole-catalog" on:click=move |_| switch(false)>"Use the whole catalog again"</button>
                </p>
            })}
        </div>
    }
}
