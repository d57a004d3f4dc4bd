//! Shaping the results: diversity, reach beyond the genres of the likes, era, popularity, the
//! cap per artist, and Spotify-style
//! min / target / max bounds for each of the 16 features (the 7 engineered ones folded away).

use leptos::prelude::*;

use crate::catalog::features::{FEATURE_NAMES, N_BASE, N_FEATURES};
use crate::recommend::rerank::FeatureFilter;
use crate::recommend::Options;
use crate::web::display::{display_value, pretty_feature};
use crate::web::state::PageState;

#[derive(Clone, Copy, PartialEq)]
enum Bound {
    Min,
    Target,
    Max,
}

impl Bound {
    fn slot(self, ff: &mut FeatureFilter) -> &mut Option<f32> {
        match self {
            Bound::Min => &mut ff.min,
            Bound::Target => &mut ff.target,
            Bound::Max => &mut ff.max,
        }
    }

    fn get(self, ff: &FeatureFilter) -> Option<f32> {
        match self {
            Bound::Min => ff.min,
            Bound::Target => ff.target,
            Bound::Max => ff.max,
        }
    }

    /// Its name, and the slider's value when it is switched on.
    fn label_and_default(self) -> (&'static str, f32) {
        match self {
            Bound::Min => ("min", 0.0),
            Bound::Target => ("target", 0.5),
            Bound::Max => ("max", 1.0),
        }
    }
}

/// A checkbox (on/off), a slider and the value in the feature's unit, for one bound of feature `f`.
#[component]
fn BoundControl(f: usize, kind: Bound) -> impl IntoView {
    let st = expect_context::<PageState>();
    let get = move || st.opts.with(|o| kind.get(&o.filters.features[f]));
    let set = move |v: Option<f32>| {
        st.opts
            .update(|o| *kind.slot(&mut o.filters.features[f]) = v)
    };
    let (label, default) = kind.label_and_default();
    let name = pretty_feature(f);
    let id = format!("{}-{}", FEATURE_NAMES[f], label);
    view! {
        <div class="bound" class:on=move || get().is_some()>
            <input type="checkbox" aria-label=format!("use {label} {name}") prop:checked=move || get().is_some()
                on:change=move |ev| set(if event_target_checked(&ev) { Some(default) } else { None })/>
            <input type="range" id=id min="0" max="1" step="0.01" aria-label=format!("{label} {name}")
                data-feature={FEATURE_NAMES[f]} data-bound=label
                prop:value=move || get().unwrap_or(default).to_string()
                on:input=move |ev| set(event_target_value(&ev).parse::<f32>().ok())/>
            <span class="val">{move || get().map(|v| display_value(f, v)).unwrap_or_else(|| "off".into())}</span>
        </div>
    }
}

#[component]
fn FeatureRow(f: usize) -> impl IntoView {
    view! {
        <div class="feature-row">
            <span class="fname">{pretty_feature(f)}</span>
            <BoundControl f=f kind=Bound::Min/>
            <BoundControl f=f kind=Bound::Target/>
            <BoundControl f=f kind=Bound::Max/>
        </div>
    }
}

/// The years the era range spans (the catalog's tracks are from 1957 to 2020).
const ERA: [u16; 2] = [1950, 2020];

/// "Only tracks from year A to year B": a switch and two sliders. Tracks without a known year
/// are left out while it is on.
#[component]
fn EraControl() -> impl IntoView {
    let st = expect_context::<PageState>();
    let era = move || st.opts.with(|o| o.era);
    let set_end = move |end: usize, v: u16| {
        st.opts.update(|o| {
            let mut r = o.era.unwrap_or(ERA);
            r[end] = v;
            // keep from ≤ to whichever end moved
            if r[0] > r[1] {
                r[1 - end] = v;
            }
            o.era = Some(r);
        })
    };
    let slider = move |end: usize, label: &'static str| {
        view! {
            <input type="range" id=format!("era-{label}") min=ERA[0].to_string() max=ERA[1].to_string() step="1"
                aria-label=format!("era {label}")
                prop:value=move || era().unwrap_or(ERA)[end].to_string()
                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u16>() { set_end(end, v) } }/>
        }
    };
    view! {
        <div class="control-line era" class:on=move || era().is_some()>
            <label class="switch">
                <input type="checkbox" id="era-on" prop:checked=move || era().is_some()
                    on:change=move |ev| { let on = event_target_checked(&ev); st.opts.update(|o| o.era = on.then_some(ERA)) }/>
                " Era"
            </label>
            {slider(0, "from")}
            {slider(1, "to")}
            <span class="val" aria-live="polite">{move || era().map(|[a, b]| format!("{a}–{b}")).unwrap_or_else(|| "any".into())}</span>
        </div>
    }
}

/// "Popularity at least N" (0–100): tracks without a known popularity are left out while on.
#[component]
fn PopularityControl() -> impl IntoView {
    let st = expect_context::<PageState>();
    let min = move || st.opts.with(|o| o.popularity.map(|p| p[0]));
    view! {
        <div class="control-line" class:on=move || min().is_some()>
            <label class="switch">
                <input type="checkbox" id="popularity-on" prop:checked=move || min().is_some()
                    on:change=move |ev| { let on = event_target_checked(&ev); st.opts.update(|o| o.popularity = on.then_some([50, 100])) }/>
                " Popularity at least"
            </label>
            <input type="range" id="popularity" min="0" max="100" step="1" aria-label="minimum popularity"
                prop:value=move || min().unwrap_or(50).to_string()
                on:input=move |ev| { if let Ok(v) = event_target_value(&ev).parse::<u8>() { st.opts.update(|o| o.popularity = Some([v.min(100), 100])) } }/>
            <span class="val">{move || min().map(|v| v.to_string()).unwrap_or_else(|| "off".into())}</span>
        </div>
    }
}

#[component]
pub fn Controls() -> impl IntoView {
    let st = expect_context::<PageState>();
    view! {
        <div class="controls">
            <div class="control-line">
                <label for="diversity">"Diversity (MMR)"</label>
                <input id="diversity" type="range" min="0" max="1" step="0.05"
                    prop:value=move || st.opts.with(|o| o.diversity.to_string())
                    on:input=move |ev| { let v = event_target_value(&ev).parse::<f32>().unwrap_or(0.0); st.opts.update(|o| o.diversity = v) }/>
                <span class="val">{move || format!("{:.2}", st.opts.with(|o| o.diversity))}</span>
            </div>
            <div class="control-line">
                <label class="switch">
                    <input type="checkbox" id="reach" prop:checked=move || st.opts.with(|o| o.reach_beyond_genres)
                        on:change=move |ev| { let v = event_target_checked(&ev); st.opts.update(|o| o.reach_beyond_genres = v) }/>
                    " Reach beyond the genres of my likes"
                </label>
            </div>
            <EraControl/>
            <PopularityControl/>
            <div class="control-line">
                <label for="per-artist">"Tracks per artist at most"</label>
                <select id="per-artist"
                    on:change=move |ev| { let v = event_target_value(&ev).parse::<usize>().unwrap_or(Options::MAX_PER_ARTIST); st.opts.update(|o| o.max_per_artist = v) }>
                    {[1usize, 2, 3, 5, 0].into_iter().map(|v| view! {
                        <option value=v.to_string() selected=move || st.opts.with(|o| o.max_per_artist == v)>
                            {if v == 0 { "any number".to_string() } else { v.to_string() }}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <p class="muted">"Spotify-style bounds: move a slider to turn it on, untick to turn it off. Targets re-rank softly; min and max filter."</p>
            <div class="feature-head"><span></span><span>"min"</span><span>"target"</span><span>"max"</span></div>
            {(0..N_BASE).map(|f| view! { <FeatureRow f=f/> }).collect_view()}
            <details>
                <summary>"Engineered features"</summary>
                {(N_BASE..N_FEATURES).map(|f| view! { <FeatureRow f=f/> }).collect_view()}
            </details>
            <button on:click=move |_| st.reset_shaping()>"Reset all bounds"</button>
        </div>
    }
}
