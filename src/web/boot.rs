//! Start-up of the page: download the catalog and the weights with progress, build the engine,
//! bring back what the listener saved (likes, a shared link, the tuned head), and keep the likes
//! saved from then on. Fetching is `load`'s, localStorage is `storage`'s; no views here.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::catalog_param::catalog_url;
use super::client;
use super::load::{after_next_frame, fetch_bytes, mark, now, yield_now};
use super::protocol::Reply;
use super::remote::{self, Remote};
use super::slot::{set_engine, with_engine, with_engine_mut};
use super::state::{Config, PageState, Status};
use super::storage;
use super::yours;
use crate::listener::likes::{self, Stored};
use crate::model::tuned;
use crate::recommend::{Options, Recommender};

thread_local! {
    /// The worker's load started before the page was mounted: (catalog URL, its request).
    static EARLY: std::cell::RefCell<Option<(String, Option<remote::Pending>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Start the engine worker's download before the page is mounted: the download is the critical
/// path of a load, and mounting the page takes a while. [`load_all`] picks the request up; a
/// `?catalog=` the page will refuse starts nothing.
pub fn start_early(cfg: &Config) {
    mark("page-start");
    if let Ok((url, _)) = catalog_url(&cfg.catalog_url) {
        let pending = remote::start(&url, &cfg.weights_url, true);
        EARLY.with(|e| *e.borrow_mut() = Some((url, pending)));
    }
}

/// The request [`start_early`] made for this catalog, or a new one.
fn start_load(catalog_url: &str, weights_url: &str) -> Option<remote::Pending> {
    match EARLY.with(|e| e.borrow_mut().take()) {
        Some((url, pending)) if url == catalog_url => pending,
        _ => remote::start(catalog_url, weights_url, true),
    }
}

/// Load everything in the background, and save the likes whenever they change once restored.
pub fn start(cfg: Config, st: PageState) {
    Effect::new(move |_| {
        let l = st.likes.get();
        let d = st.dislikes.get();
        let banned = st.banned.get();
        let cap = st.opts.with(|o| o.max_per_artist);
        if st.restored.get_untracked() {
            // ids the catalog of the listener's tracks alone lacks stay saved
            let (kl, kd) = yours::aside();
            let keep = |mut v: Vec<String>, more: Vec<String>| {
                for id in more {
                    if !v.contains(&id) {
                        v.push(id);
                    }
                }
                v
            };
            let mut stored = Stored::new(keep(st.ids(&l), kl), keep(st.ids(&d), kd));
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

/// One download with its progress in the status line.
async fn download(
    status: RwSignal<Status>,
    url: String,
    what: &'static str,
) -> Result<Vec<u8>, String> {
    fetch_bytes(&url, move |got, total| {
        status.set(Status::Loading {
            what: what.into(),
            got,
            total,
        })
    })
    .await
    .map_err(|e| format!("The {what} could not be downloaded: {e}."))
}

/// Download, decode and encode; then restore and compute the first recommendations.
pub async fn load_all(cfg: Config, st: PageState) -> Result<(), String> {
    let status = st.status;
    // `?catalog=` names another catalog of this site (checked before anything is fetched)
    let (catalog_url, asked) = catalog_url(&cfg.catalog_url).map_err(|e| e.to_string())?;
    let download = |url: String, what: &'static str| download(status, url, what);
    // the worker starts downloading now, while IndexedDB says whether the listener chose their
    // own tracks alone (then its load is dropped): the download is on the critical path, the
    // check rarely changes anything
    let pending = start_load(&catalog_url, &cfg.weights_url);
    if yours::only_mine().await {
        if yours::load().await.0.is_empty() {
            // the listener's tracks are gone: back to the whole catalog
            let _ = yours::set_only_mine(false).await;
        } else {
            let w = download(cfg.weights_url.clone(), "model weights").await?;
            yours::set_by_choice();
            return start_alone(st, w).await;
        }
    }
    // the worker's progress in the status line: bytes while downloading, then tracks
    let progress = |r: &Reply| match r {
        Reply::Download { what, got, total } => status.set(Status::Loading {
            what: what.clone(),
            got: *got,
            total: *total,
        }),
        Reply::Encoding { done, total } => status.set(Status::Working(format!(
            "encoding {done} of {total} tracks…"
        ))),
        Reply::Loaded { tracks, .. } => {
            status.set(Status::Working(format!("indexing {tracks} tracks…")))
        }
        _ => {}
    };
    // the listener's saved tracks are read from IndexedDB while the engine loads (a read is a
    // few round trips to the browser: not worth waiting for once the engine is ready)
    let finishing = async {
        match pending {
            Some(p) => p.finish(progress).await,
            None => Err(None),
        }
    };
    let (loaded, (rows, notice)) = futures::future::join(finishing, yours::load()).await;
    let mut grouping = None;
    let engine = match loaded {
        Ok(Remote::Engine(e, w, g)) => {
            client::set_weights(w);
            grouping = Some(g);
            Some(*e)
        }
        // a catalog the address named must exist; only the host's default may be absent
        Ok(Remote::NoCatalog(_)) if asked => {
            return Err(format!(
                "The catalog could not be downloaded: {catalog_url} answered HTTP 404 (not found)."
            ))
        }
        Ok(Remote::NoCatalog(w)) => return start_alone(st, w).await,
        Err(Some(e)) => return Err(e),
        // no worker on this page (or it stopped answering): the same work inline
        Err(None) => {
            web_sys::console::warn_1(
                &"soundalike: no answer from the engine worker; the engine runs on the page".into(),
            );
            load_inline(&catalog_url, asked, &cfg, st).await?
        }
    };
    let Some(engine) = engine else {
        return Ok(());
    };
    set_engine(engine);
    // a task of its own for what follows (restoring the likes, the first ranking and the
    // views it wakes): with the finishing of the engine it made one task over 50 ms
    yield_now().await;
    // the listener's own tracks, before the likes that may point at them
    if let Some(n) = notice {
        st.notice(n);
    }
    if !rows.is_empty() {
        with_engine_mut(|e| e.add_tracks(&rows));
    }
    let n = with_engine(|e| e.len()).unwrap_or(0);
    st.engine_changed();
    restore(st);
    mark("page-restored");
    // compute the first recommendations before declaring ready
    st.settle();
    mark("page-ready");
    // ms since the page was opened (its downloads start before this code runs)
    let ms = now();
    status.set(Status::Ready { n, ms });
    // for scripts/bench.sh: when the first recommendations were ready (ms since navigation start)
    if let Some(w) = web_sys::window() {
        let _ = js_sys::Reflect::set(&w, &"__soundalikeReadyMs".into(), &now().into());
    }
    if let Some(g) = grouping {
        adopt_when_grouped(g);
    }
    Ok(())
}

/// Once the first recommendations are shown, ask the worker for the scan index grouped into
/// cells (grouping while the page finished its load took the machine from it), and swap it in
/// when it comes: the same rankings, faster.
fn adopt_when_grouped(grouping: remote::Grouping) {
    spawn_local(async move {
        // the recommendations are drawn a task or two after ready
        after_next_frame().await;
        after_next_frame().await;
        let Some(q) = grouping.index().await else {
            return;
        };
        if with_engine_mut(|e| e.adopt_grouped_scan(q)) == Some(true) {
            mark("page-grouped");
            // for scripts/bench.sh and the tests: rankings use the grouped index from here on
            if let Some(w) = web_sys::window() {
                let _ = js_sys::Reflect::set(&w, &"__soundalikeGroupedMs".into(), &now().into());
            }
        }
    });
}

/// The load on the page's thread (no worker here): download, decode, encode. `None` when the
/// host serves no catalog (then the page runs on the listener's tracks).
async fn load_inline(
    catalog_url: &str,
    asked: bool,
    cfg: &Config,
    st: PageState,
) -> Result<Option<Recommender>, String> {
    let status = st.status;
    let download = |url: String, what: &'static str| download(status, url, what);
    // a host without a catalog is a starting point: the listener's own CSVs become the catalog
    // (not when the address named one: then its absence is the error)
    let cat = match download(catalog_url.to_string(), "catalog").await {
        Ok(c) => Some(c),
        Err(e) if e.contains("answered HTTP 404") && !asked => None,
        Err(e) => return Err(e),
    };
    let w = download(cfg.weights_url.clone(), "model weights").await?;
    let Some(cat) = cat else {
        start_alone(st, w).await?;
        return Ok(None);
    };
    status.set(Status::Working("decoding…".into()));
    yield_now().await;
    let catalog = super::inflate::decode(&cat)
        .await
        .map_err(|e| crate::recommend::LoadError::from(e).to_string())?;
    let weights = crate::model::Weights::from_bytes(&w)
        .map_err(|e| crate::recommend::LoadError::from(e).to_string())?;
    status.set(Status::Working(format!(
        "encoding {} tracks…",
        catalog.len()
    )));
    yield_now().await;
    client::set_weights(w);
    Recommender::new(catalog, weights)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// No catalog from the host: build one from the listener's saved tracks, or wait for their CSVs.
async fn start_alone(st: PageState, w: Vec<u8>) -> Result<(), String> {
    let weights = crate::model::Weights::from_bytes(&w)
        .map_err(|e| crate::recommend::LoadError::from(e).to_string())?;
    client::set_weights(w.clone());
    yours::set_alone(w);
    let (rows, notice) = yours::load().await;
    if let Some(n) = notice {
        st.notice(n);
    }
    if rows.is_empty() {
        st.status.set(Status::NoCatalog);
        return Ok(());
    }
    status_working(st, rows.len());
    yield_now().await;
    let engine = Recommender::from_own_tracks(rows, weights).map_err(|e| e.to_string())?;
    let n = engine.len();
    set_engine(engine);
    st.engine_changed();
    restore(st);
    st.settle();
    st.status.set(Status::Ready { n, ms: now() });
    Ok(())
}

fn status_working(st: PageState, n: usize) {
    st.status
        .set(Status::Working(format!("encoding your {n} tracks…")));
}

/// Bring back likes (storage, then the share link) and the tuned head.
pub fn restore(st: PageState) {
    let (stored, notice) = storage::load_likes();
    if let Some(n) = notice {
        st.notice(n);
    }
    let (mut l, m1) = st.indices(&stored.likes);
    let (d, m2) = st.indices(&stored.dislikes);
    if yours::alone_weights().is_some() {
        // running on the listener's music alone: what it lacks is kept for the whole catalog
        let lacking = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .filter(|id| st.indices(std::slice::from_ref(id)).0.is_empty())
                .cloned()
                .collect()
        };
        yours::keep_aside(lacking(&stored.likes), lacking(&stored.dislikes));
    } else if m1 + m2 > 0 {
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
            "Added {added} {} from the shared link{}.",
            if added == 1 { "like" } else { "likes" },
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
