//! The notice a synthetic benchmark catalog always carries on the page (`catalog::synth`): its
//! tracks are resampled, not real, and nobody should read its recommendations as music advice.

use leptos::prelude::*;

use crate::web::slot::with_engine;
use crate::web::state::PageState;

#[component]
pub fn SyntheticBanner() -> impl IntoView {
    let st = expect_context::<PageState>();
    let synthetic = move || {
        st.version.track();
        with_engine(|e| e.catalog().synthetic().cloned().map(|s| (s, e.len()))).flatten()
    };
    move || {
        synthetic().map(|(s, n)| {
            view! {
                <div class="synthetic-banner" role="note" aria-label="Synthetic catalog" data-testid="synthetic-banner">
                    <strong>"Synthetic benchmark catalog: "</strong>
                    {format!(
                        "these {n} tracks are not real music. Their features were resampled with noise from {} real \
                         tracks (seed {}) to measure the page at this size; titles, artists and recommendations mean nothing.",
                        s.source_tracks, s.seed
                    )}
                </div>
            }
        })
    }
}
