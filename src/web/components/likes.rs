//! The listener's likes: chips to remove them, the dislike count, export (JSON/CSV), import and
//! the share link (the likes travel after the `#`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::listener::likes::{self, Stored};
use crate::web::display::track_name;
use crate::web::load::download;
use crate::web::state::PageState;

/// Offer the likes (CSV: ids only) or likes and dislikes (JSON) as a file.
fn export(st: PageState, csv: bool) {
    let ids = st.ids(&st.likes.get_untracked());
    let r = if csv {
        download("soundalike-likes.csv", "text/csv", &likes::export_csv(&ids))
    } else {
        let dis = st.ids(&st.dislikes.get_untracked());
        download(
            "soundalike-likes.json",
            "application/json",
            &Stored::new(ids, dis).to_json(),
        )
    };
    if let Err(e) = r {
        st.notice(format!("Export failed: {e}"));
    }
}

/// Like every known id of an imported file's text, and say how it went.
fn import(st: PageState, text: Option<String>) {
    match text
        .ok_or_else(|| "the file could not be read".to_string())
        .and_then(|t| likes::parse_import(&t).map_err(|e| e.to_string()))
    {
        Ok(ids) => {
            let (found, missing) = st.indices(&ids);
            let n = found.len();
            for i in found {
                st.like(i);
            }
            st.notice(format!(
                "Imported {n} likes{}.",
                if missing > 0 {
                    format!(" ({missing} ids not in the catalog)")
                } else {
                    String::new()
                }
            ));
        }
        Err(e) => st.notice(format!("Import failed: {e}.")),
    }
}

/// This page's address with the likes after the `#`.
fn share_link(ids: &[String]) -> Option<String> {
    let loc = web_sys::window()?.location();
    Some(format!(
        "{}{}{}#{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default(),
        likes::to_fragment(ids)
    ))
}

#[component]
pub fn LikesList() -> impl IntoView {
    let st = expect_context::<PageState>();
    let share = RwSignal::new(String::new());
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
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            import(st, text);
        });
    };
    let make_link = move |_| {
        if let Some(link) = share_link(&st.ids(&st.likes.get_untracked())) {
            share.set(link);
        }
    };
    let none = move || st.likes.with(|l| l.is_empty());
    view! {
        <div class="likes">
            <h3>{move || format!("Your likes ({})", st.likes.with(|l| l.len()))}</h3>
            <Show when=move || !none() fallback=|| view! {
                <p class="muted">"No likes yet. Search above and press Enter or ♡ to like a track."</p>
            }>
                <ul class="chips" data-testid="likes">
                    <For each=move || st.likes.get() key=|&i| i let:i>
                        <LikeChip i=i/>
                    </For>
                </ul>
            </Show>
            {move || {
                let d = st.dislikes.with(|d| d.len());
                (d > 0).then(|| view! {
                    <p class="muted">{format!("{d} disliked ")}
                        <button class="link" on:click=move |_| st.clear_dislikes()>"clear dislikes"</button></p>
                })
            }}
            {move || (!st.banned.with(Vec::is_empty)).then(|| view! {
                <div class="banned">
                    <p class="muted">"Never recommended:"</p>
                    <ul class="chips" data-testid="banned">
                        <For each=move || st.banned.get() key=|a| a.clone() let:artist>
                            <li class="chip">{artist.clone()}
                                <button class="icon" aria-label=format!("recommend {artist} again") title="Recommend again"
                                    on:click={ let a = artist.clone(); move |_| st.unban(&a) }>"×"</button>
                            </li>
                        </For>
                    </ul>
                </div>
            })}
            <div class="row-actions">
                <button on:click=move |_| export(st, false)>"Export JSON"</button>
                <button on:click=move |_| export(st, true)>"Export CSV"</button>
                <label class="button">"Import…"
                    <input type="file" accept=".json,.csv,.txt,application/json,text/csv" class="sr-only" node_ref=file_ref on:change=on_file/>
                </label>
                <button on:click=make_link>"Share link"</button>
                <button class="danger" on:click=move |_| st.clear_ratings()>"Clear"</button>
            </div>
            {move || (!share.get().is_empty()).then(|| view! {
                <div class="share">
                    <label for="share-link">"Your link (likes travel after the #, no server sees them):"</label>
                    <input id="share-link" readonly prop:value=move || share.get() on:focus=move |ev| {
                        if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) { t.select(); }
                    }/>
                </div>
            })}
        </div>
    }
}

/// A liked track, with × to take the like back.
#[component]
fn LikeChip(i: usize) -> impl IntoView {
    let st = expect_context::<PageState>();
    let (name, artist) = track_name(i);
    let remove = format!("Remove {name} from your likes");
    view! {
        <li class="chip">
            <span class="title">{name}</span><span class="artist">{artist}</span>
            <button class="icon" aria-label=remove title="Remove" on:click=move |_| st.unrate(i)>"×"</button>
        </li>
    }
}
