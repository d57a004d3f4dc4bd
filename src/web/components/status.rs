//! Start-up feedback and messages: the status line (progress, then "ready"), the skeleton or the
//! error box while the panels are not shown, and the dismissable notices.

use leptos::prelude::*;

use crate::web::display::human_bytes;
use crate::web::state::{PageState, Status};

#[component]
pub fn StatusLine() -> impl IntoView {
    let st = expect_context::<PageState>();
    view! {
        <div class="status" role="status" aria-live="polite" data-testid="status">
            {move || match st.status.get() {
                Status::Loading { what, got, total } => {
                    let pct = total.filter(|&t| t > 0).map(|t| (got as f64 / t as f64 * 100.0).min(100.0));
                    let of = total.map(|t| format!(" of {}", human_bytes(t))).unwrap_or_default();
                    view! {
                        <span>{format!("Loading {what}: {}{of}", human_bytes(got))}</span>
                        <progress max="100" value=pct.unwrap_or(0.0) class:indeterminate=pct.is_none()></progress>
                    }.into_any()
                }
                Status::Working(s) => view! { <span class="working">{s}</span> }.into_any(),
                Status::Ready { n, ms } => view! {
                    <span class="ready">{format!("ready: {n} tracks in {ms:.0} ms")}</span>
                }.into_any(),
                Status::Error(_) => view! { <span class="error-text">"could not load"</span> }.into_any(),
                Status::NoCatalog => view! { <span class="working">"no catalog: bring your music"</span> }.into_any(),
            }}
        </div>
    }
}

#[component]
pub fn LoadingOrError() -> impl IntoView {
    let st = expect_context::<PageState>();
    move || {
        if st.status.with(|s| *s == Status::NoCatalog) {
            return view! {
                <div class="no-catalog" data-testid="no-catalog">
                    <h2>"Start with your own music"</h2>
                    <p>"This site serves no catalog (catalog.bin answered 404). Drop CSV files of your own music below "
                       "(Exportify exports with audio features, or Spotify feature CSVs): the page builds a catalog of "
                       "them on this device and recommends within it. Nothing is uploaded."</p>
                </div>
            }
            .into_any();
        }
        if let Status::Error(msg) = st.status.get() {
            view! {
                <div class="error-box" role="alert">
                    <h2>"Something went wrong while loading"</h2>
                    <p class="error-message">{msg}</p>
                    <p class="hint">"Rebuild the catalog and site with " <code>"scripts/serve.sh"</code> " and reload this page."</p>
                </div>
            }
            .into_any()
        } else {
            view! { <div class="skeleton" aria-hidden="true"><div></div><div></div><div></div></div> }.into_any()
        }
    }
}

#[component]
pub fn Notices() -> impl IntoView {
    let st = expect_context::<PageState>();
    view! {
        <div class="notices" aria-live="polite">
            <For each=move || st.notices.get() key=|n| n.id let:n>
                <div class="notice">
                    <span>{n.text}</span>
                    <button class="icon" aria-label="Dismiss" on:click=move |_| st.dismiss(n.id)>"×"</button>
                </div>
            </For>
        </div>
    }
}
