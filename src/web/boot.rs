//! Start-up of the page: download the catalog and the weights with progress, build the engine,
//! bring back what the listener saved (likes, a shared link, the tuned head), and keep the likes
//! saved from then on. Fetching is `load`'s, localStorage is `storage`'s; no views here.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::load::{fetch_bytes, now, yield_now};
use super::slot::{set_engine, with_engine, with_engine_mut};
use super::state::{Config, PageState, Status};
use super::storage;
use crate::listener::likes::{self, Stored};
use crate::model::tuned;
use crate::recommend::{Options, Recommender};

/// Load everything in the background, and save the likes whenever they change once restored.
pub fn start(cfg: Config, st: PageState) {
    Effect::new(move |_| {
        let l = st.likes.get();
        let d = st.dislikes.get();
        let banned = st.banned.get();
        let cap = st.opts.with(|o| o.max_per_artist);
        if st.restored.get_untracked() {
            let mut stored = Stored::new(st.ids(&l), st.ids(&d));
            stored.banned_artists = banned;
            stored.max_per_artist = (cap != Options::MAX_PER_ARTIST).then_some(cap);
            storage::save_likes(&stored);
        }
    });
    spawn_local(async move {
        if let Err(e) = load_all(cfg, st).await {
            st.status.set(Status::Error(e));
        }
    });
}

/// Download, decode and encode; then restore and compute the first recommendations.
pub async fn load_all(cfg: Config, st: PageState) -> Result<(), String> {
    let t0 = now();
    let status = st.status;
    // one download with its progress in the status line
    let download = |url: String, what: &'static str| async move {
        fetch_bytes(&url, move |got, total| {
            status.set(Status::Loading {
                what: what.into(),
                got,
                total,
            })
        })
        .await
        .map_err(|e| format!("The {what} could not be downloaded: {e}."))
    };
    let cat = download(cfg.catalog_url.clone(), "catalog").await?;
    let w = download(cfg.weights_url.clone(), "model weights").await?;
    status.set(Status::Working("decoding…".into()));
    yield_now().await;
    let catalog = crate::catalog::Catalog::from_bytes(&cat)
        .map_err(|e| crate::recommend::LoadError::from(e).to_string())?;
    let weights = crate::model::Weights::from_bytes(&w)
        .map_err(|e| crate::recommend::LoadError::from(e).to_string())?;
    status.set(Status::Working(format!(
        "encoding {} tracks…",
        catalog.len()
    )));
    yield_now().await;
    let engine = Recommender::new(catalog, weights).map_err(|e| e.to_string())?;
    let n = engine.len();
    set_engine(engine);
    st.engine_changed();
    restore(st);
    // compute the first recommendations before declaring ready
    let _ = st.recs.get_untracked();
    let ms = now() - t0;
    status.set(Status::Ready { n, ms });
    // for scripts/bench.sh: when the first recommendations were ready (ms since navigation start)
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"__soundalikeReadyMs".into(), &now().into());
    }
    Ok(())
}

/// Bring back likes (storage, then the share link) and the tuned head.
pub fn restore(st: PageState) {
    let (stored, notice) = storage::load_likes();
    if let Some(n) = notice {
        st.notice(n);
    }
    let (mut l, m1) = st.indices(&stored.likes);
    let (d, m2) = st.indices(&stored.dislikes);
    if m1 + m2 > 0 {
        st.notice(format!(
            "{} saved tracks are not in this catalog and were skipped.",
            m1 + m2
        ));
    }
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if let Some(ids) = likes::from_fragment(&hash) {
        let (shared, missing) = st.indices(&ids);
        let added = shared.iter().filter(|i| !l.contains(i)).count();
        for i in shared {
            if !l.contains(&i) {
                l.push(i);
            }
        }
        st.notice(format!(
            "Added {added} likes from the shared link{}.",
            if missing > 0 {
                format!(" ({missing} unknown ids skipped)")
            } else {
                String::new()
            }
        ));
    }
    st.likes.set(l);
    st.dislikes.set(d);
    st.banned.set(stored.banned_artists);
    if let Some(cap) = stored.max_per_artist {
        st.opts.update(|o| o.max_per_artist = cap);
    }
    let (head, notice) = storage::load_head();
    if let Some(n) = notice {
        st.notice(n);
    }
    if let Some(b) = head {
        match with_engine(|e| tuned::from_bytes(&b, e.shipped_head()).map_err(|e| e.to_string()))
            .unwrap_or_else(|| Err("no model".into()))
        {
            Ok(h) => {
                with_engine_mut(|e| e.set_head(Some(h)));
                st.tune.update(|t| t.tuned = true);
                st.engine_changed();
            }
            Err(e) => {
                storage::save_head(None);
                st.notice(format!("Your saved tuned model was reset: {e}."));
            }
        }
    }
    st.restored.set(true);
}
