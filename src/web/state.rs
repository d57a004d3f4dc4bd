//! The page's reactive state: `PageState` (Copy, a bundle of signals, provided as context) and the
//! small values it holds, with one method per state change. No views, no storage, no fetching.

use leptos::prelude::*;

use super::load::{now, yield_now};
use super::slot::with_engine;
use crate::recommend::{Options, Query, Rec};

/// A ranking that took longer than this (ms) is shown in the next task rather than its own, and
/// the one after it runs in a task of its own rather than the change's: a task holds one of
/// them, never two (a million tracks and fifty likes: ~35 ms a ranking).
const SPLIT_MS: f64 = 16.0;

/// Where the page downloads its two files from (`data-catalog` / `data-weights` on the mount element).
#[derive(Clone, Debug)]
pub struct Config {
    pub catalog_url: String,
    pub weights_url: String,
}

impl Config {
    pub fn from_element(el: &web_sys::HtmlElement) -> Config {
        Config {
            catalog_url: el
                .get_attribute("data-catalog")
                .unwrap_or_else(|| "catalog.bin".into()),
            weights_url: el
                .get_attribute("data-weights")
                .unwrap_or_else(|| "weights.bin".into()),
        }
    }
}

/// The page's start-up, then ready (or failed).
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Loading {
        what: String,
        got: u64,
        total: Option<u64>,
    },
    Working(String),
    /// `n` tracks, ready `ms` after the page was opened.
    Ready {
        n: usize,
        ms: f64,
    },
    Error(String),
    /// The host serves no catalog and none of the listener's tracks are saved: the page waits
    /// for their CSVs (the import panel shows in place of the others).
    NoCatalog,
}

impl Status {
    pub fn is_ready(&self) -> bool {
        matches!(self, Status::Ready { .. })
    }
}

/// The personal fine-tune: progress while it runs, the outcome after.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TuneState {
    pub running: bool,
    pub progress: f32,
    pub losses: Vec<f32>,
    pub before: Vec<usize>,
    pub after: Vec<usize>,
    pub ms: f64,
    pub tuned: bool,
    pub longest_slice_ms: f64,
}

/// A pasted track placed on the map, with its nearest catalog tracks.
#[derive(Clone, Debug, PartialEq)]
pub struct NewTrack {
    pub pos: [f32; 2],
    pub neighbours: Vec<(usize, f32)>,
}

/// A dismissable message; `id` keys it in the list.
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub text: String,
}

/// How many notices stay on screen (the oldest goes first).
const MAX_NOTICES: usize = 4;

/// All reactive state of the page (signals are Copy).
#[derive(Clone, Copy)]
pub struct PageState {
    pub status: RwSignal<Status>,
    /// Bumped whenever the engine changes (loaded, head tuned or reset).
    pub version: RwSignal<u32>,
    pub likes: RwSignal<Vec<usize>>,
    pub dislikes: RwSignal<Vec<usize>>,
    /// Artists never to recommend (persisted with the likes).
    pub banned: RwSignal<Vec<String>>,
    pub opts: RwSignal<Options>,
    pub notices: RwSignal<Vec<Notice>>,
    pub selected: RwSignal<Option<usize>>,
    pub tune: RwSignal<TuneState>,
    pub newtrack: RwSignal<Option<NewTrack>>,
    /// The song path on show (catalog indices, start first), drawn on the map.
    pub path: RwSignal<Vec<usize>>,
    /// True once the stored likes were read (saving before would overwrite them).
    pub restored: RwSignal<bool>,
    /// The query the likes, dislikes, banned artists and options make now.
    wanted: Memo<Query>,
    /// What `recs` holds the ranking of: a query and the engine version.
    ranked_for: StoredValue<Option<(Query, u32)>>,
    /// ms the last ranking took.
    last_ms: StoredValue<f64>,
    set_recs: WriteSignal<Vec<Rec>>,
    /// The recommendations: the ranking of `wanted` on the current engine, set two tasks after
    /// either changes (see [`PageState::new`]), or at once by [`PageState::settle`].
    pub recs: ReadSignal<Vec<Rec>>,
}

impl Default for PageState {
    fn default() -> Self {
        Self::new()
    }
}

impl PageState {
    pub fn new() -> PageState {
        let version = RwSignal::new(0u32);
        let likes = RwSignal::new(Vec::<usize>::new());
        let dislikes = RwSignal::new(Vec::<usize>::new());
        let banned = RwSignal::new(Vec::<String>::new());
        let opts = RwSignal::new(Options::default());
        let wanted = Memo::new(move |_| Query {
            likes: likes.get(),
            dislikes: dislikes.get(),
            banned_artists: banned.get(),
            options: opts.get(),
        });
        let (recs, set_recs) = signal(Vec::<Rec>::new());
        let st = PageState {
            status: RwSignal::new(Status::Loading {
                what: "catalog".into(),
                got: 0,
                total: None,
            }),
            version,
            likes,
            dislikes,
            banned,
            opts,
            notices: RwSignal::new(Vec::new()),
            selected: RwSignal::new(None),
            tune: RwSignal::new(TuneState::default()),
            newtrack: RwSignal::new(None),
            path: RwSignal::new(Vec::new()),
            restored: RwSignal::new(false),
            wanted,
            ranked_for: StoredValue::new(None),
            last_ms: StoredValue::new(0.0),
            set_recs,
            recs,
        };
        // After a long ranking, a change ranks in a task of its own and the views show the new
        // list in the next: the click, the keystroke or the slider's input ends first (with its
        // own view updates), then the ranking runs, then the views it wakes. At a million
        // tracks and fifty likes a ranking takes ~35 ms, and with the click or with its views it
        // made one task over 50 ms. After a quick ranking the next runs with the change that
        // asked for it (no hop before the redraw: a slider at 66k tracks redraws in ~10 ms).
        // Several changes within one task rank once; a ranking that a newer change overtook is
        // not shown.
        Effect::new(move |_| {
            let (q, v) = (st.wanted.get(), st.version.get());
            if st.ranked(&q, v) {
                return;
            }
            if st.last_ms.get_value() <= SPLIT_MS {
                let r = st.rank(&q);
                return st.show(q, v, r);
            }
            leptos::task::spawn_local(async move {
                yield_now().await;
                if !st.current(&q, v) || st.ranked(&q, v) {
                    return;
                }
                let r = st.rank(&q);
                if st.last_ms.get_value() > SPLIT_MS {
                    yield_now().await;
                }
                if st.current(&q, v) {
                    st.show(q, v, r);
                }
            });
        });
        st
    }

    /// Whether `q` is still the query on engine version `v`.
    fn current(&self, q: &Query, v: u32) -> bool {
        self.version.get_untracked() == v && self.wanted.with_untracked(|w| w == q)
    }

    /// Whether `recs` holds the ranking of `q` on engine version `v`.
    fn ranked(&self, q: &Query, v: u32) -> bool {
        self.ranked_for
            .with_value(|r| r.as_ref().is_some_and(|(rq, rv)| rq == q && *rv == v))
    }

    /// The ranking of `q` on the engine (none before it is loaded), timed.
    fn rank(&self, q: &Query) -> Vec<Rec> {
        let t0 = now();
        let r = with_engine(|e| e.recommend(q)).unwrap_or_default();
        self.last_ms.set_value(now() - t0);
        r
    }

    /// Hold `r` as the ranking of `q` on engine version `v` (an unchanged list wakes no view).
    fn show(&self, q: Query, v: u32, r: Vec<Rec>) {
        self.ranked_for.set_value(Some((q, v)));
        if self.recs.with_untracked(|old| *old != r) {
            self.set_recs.set(r);
        }
    }

    pub fn is_ready(&self) -> bool {
        self.status.with(Status::is_ready)
    }

    // --- likes and dislikes ---

    pub fn like(&self, i: usize) {
        self.dislikes.update(|d| d.retain(|&x| x != i));
        self.likes.update(|l| {
            if !l.contains(&i) {
                l.push(i)
            }
        });
    }

    pub fn dislike(&self, i: usize) {
        self.likes.update(|l| l.retain(|&x| x != i));
        self.dislikes.update(|d| {
            if !d.contains(&i) {
                d.push(i)
            }
        });
    }

    pub fn unrate(&self, i: usize) {
        self.likes.update(|l| l.retain(|&x| x != i));
        self.dislikes.update(|d| d.retain(|&x| x != i));
    }

    pub fn clear_dislikes(&self) {
        self.dislikes.set(Vec::new());
    }

    pub fn clear_ratings(&self) {
        self.likes.set(Vec::new());
        self.dislikes.set(Vec::new());
    }

    /// Never recommend the artist of track `i` again.
    pub fn ban_artist_of(&self, i: usize) {
        let Some(artist) =
            with_engine(|e| e.catalog().tracks.get(i).map(|t| t.artist.to_string())).flatten()
        else {
            return;
        };
        self.banned.update(|b| {
            if !b.contains(&artist) {
                b.push(artist.clone())
            }
        });
        self.notice(format!(
            "{artist} will not be recommended again (undo under Your likes)."
        ));
    }

    pub fn unban(&self, artist: &str) {
        self.banned.update(|b| b.retain(|a| a != artist));
    }

    pub fn is_liked(&self, i: usize) -> bool {
        self.likes.with(|l| l.contains(&i))
    }

    pub fn is_disliked(&self, i: usize) -> bool {
        self.dislikes.with(|d| d.contains(&i))
    }

    // --- notices ---

    pub fn notice(&self, s: impl Into<String>) {
        let text = s.into();
        self.notices.update(|n| {
            // ids grow along the list, so the next one is the last one's plus one
            let id = n.last().map_or(0, |last| last.id + 1);
            n.push(Notice { id, text });
            if n.len() > MAX_NOTICES {
                n.remove(0);
            }
        });
    }

    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|x| x.id != id));
    }

    // --- the engine and the options ---

    /// Say that the engine changed (recommendations recompute).
    pub fn engine_changed(&self) {
        self.version.update(|v| *v += 1);
    }

    pub fn select(&self, i: usize) {
        self.selected.set(Some(i));
    }

    pub fn is_selected(&self, i: usize) -> bool {
        self.selected.get() == Some(i)
    }

    /// Back to no bounds, no era or popularity range, no diversity (the cap per artist is kept:
    /// it is the listener's saved choice).
    pub fn reset_shaping(&self) {
        self.opts.update(|o| {
            *o = Options {
                k: o.k,
                max_per_artist: o.max_per_artist,
                ..Options::default()
            }
        });
    }

    /// Rank the current query on the current engine now, unless `recs` holds it already
    /// (before reading `recs` outside the views: the first recommendations of a load, a
    /// comparison, an export).
    pub fn settle(&self) {
        let (q, v) = (self.wanted.get_untracked(), self.version.get_untracked());
        if !self.ranked(&q, v) {
            let r = self.rank(&q);
            self.show(q, v, r);
        }
    }

    /// The first `n` recommendations of the current query as track indices (not tracked).
    pub fn top_untracked(&self, n: usize) -> Vec<usize> {
        self.settle();
        self.recs
            .with_untracked(|r| r.iter().take(n).map(|r| r.index).collect())
    }

    // --- track ids ---

    /// Spotify ids of the tracks `v`.
    pub fn ids(&self, v: &[usize]) -> Vec<String> {
        with_engine(|e| {
            v.iter()
                .filter_map(|&i| e.catalog().tracks.get(i).map(|t| t.id.clone()))
                .collect()
        })
        .unwrap_or_default()
    }

    /// Catalog indices of the Spotify ids `ids`, and how many of them the catalog lacks.
    pub fn indices(&self, ids: &[String]) -> (Vec<usize>, usize) {
        with_engine(|e| {
            let v: Vec<usize> = ids
                .iter()
                .filter_map(|id| e.catalog().index_of(id))
                .collect();
            let missing = ids.len() - v.len();
            (v, missing)
        })
        .unwrap_or_default()
    }
}
