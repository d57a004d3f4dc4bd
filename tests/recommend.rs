//! The one recommender on real data (TidyTuesday songs from ../shared/data, with the committed
//! weights): the properties every caller relies on, and that `eval` measures the page's ranking.

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use soundalike::catalog::ingest::read_tracks_csv;
use soundalike::catalog::{default_data_dir, Catalog, RawTrack};
use soundalike::eval::protocol::product_ranking;
use soundalike::model::Weights;
use soundalike::recommend::rerank::Filters;
use soundalike::recommend::{Options, OptionsError, Query, Recommender};

fn recommender() -> &'static Recommender {
    static REC: OnceLock<Recommender> = OnceLock::new();
    REC.get_or_init(|| {
        let path = default_data_dir().join("tidytuesday_spotify_songs/spotify_songs.csv");
        let (rows, _) = read_tracks_csv(&path, |_| {}).expect("read the TidyTuesday CSV");
        let mut seen = std::collections::HashSet::new();
        let raws: Vec<RawTrack> = rows
            .into_iter()
            .filter(|r| seen.insert(r.track.id.clone()))
            .map(|r| RawTrack {
                track: r.track,
                raw: r.raw,
            })
            .collect();
        let weights = Weights::from_bytes(common::WEIGHTS).expect("committed weights");
        Recommender::new(Catalog::from_raw(raws), weights).expect("recommender")
    })
}

/// How many tracks a query could return at most: not rated, and passing every filter.
fn candidates(rec: &Recommender, q: &Query) -> usize {
    let genres: Vec<usize> = q.likes.iter().map(|&i| rec.genre_of(i)).collect();
    (0..rec.len())
        .filter(|i| !q.likes.contains(i) && !q.dislikes.contains(i))
        .filter(|&i| q.options.reach_beyond_genres || genres.contains(&rec.genre_of(i)))
        .filter(|&i| !q.options.dated_only || rec.dated()[i])
        .filter(|&i| q.options.filters.passes(&rec.catalog().features[i]))
        .count()
}

fn query_strategy(n: usize) -> impl Strategy<Value = Query> {
    (
        proptest::collection::vec(0..n, 0..8),
        proptest::collection::vec(0..n, 0..3),
        proptest::option::of((0usize..16, 0.0f32..0.6, 0.2f32..0.5)),
        proptest::option::of((0usize..16, 0.0f32..1.0)),
        0.0f32..=1.0,
        any::<bool>(),
        any::<bool>(),
        1usize..60,
    )
        .prop_map(
            |(likes, dislikes, bound, target, diversity, reach, dated, k)| {
                let mut filters = Filters::default();
                if let Some((f, lo, width)) = bound {
                    filters.features[f].min = Some(lo);
                    filters.features[f].max = Some(lo + width);
                }
                if let Some((f, t)) = target {
                    filters.features[f].target = Some(t);
                }
                let dislikes = dislikes
                    .into_iter()
                    .filter(|d| !likes.contains(d))
                    .collect();
                Query {
                    likes,
                    dislikes,
                    options: Options {
                        filters,
                        diversity: if diversity < 0.5 { 0.0 } else { diversity },
                        reach_beyond_genres: reach,
                        dated_only: dated,
                        k,
                    },
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn recommendations_keep_their_promises(q in query_strategy(28_000)) {
        let rec = recommender();
        prop_assume!(q.likes.iter().chain(&q.dislikes).all(|&i| i < rec.len()));
        let out = rec.recommend(&q);
        let ids: Vec<usize> = out.iter().map(|r| r.index).collect();
        // likes and dislikes never come back, and nothing comes back twice
        prop_assert!(ids.iter().all(|i| !q.likes.contains(i) && !q.dislikes.contains(i)));
        let mut uniq = ids.clone();
        uniq.sort_unstable();
        uniq.dedup();
        prop_assert_eq!(uniq.len(), ids.len());
        // hard filters hold
        for r in &out {
            prop_assert!(q.options.filters.passes(&rec.catalog().features[r.index]));
            prop_assert!(!q.options.dated_only || rec.dated()[r.index]);
        }
        // exactly k whenever there are k candidates (the cold-start list draws from the most
        // popular tracks only, so it promises "not empty" instead)
        if q.likes.is_empty() {
            if q.options.filters.is_empty() {
                prop_assert!(!out.is_empty());
            }
        } else {
            prop_assert_eq!(out.len(), q.options.k.min(candidates(rec, &q)));
            prop_assert!(out.iter().all(|r| r.because.is_some_and(|(l, _)| q.likes.contains(&l))));
        }
        // deterministic
        prop_assert_eq!(rec.recommend(&q), out);
    }
}

#[test]
fn cold_start_is_never_empty() {
    let rec = recommender();
    let out = rec.recommend(&Query::likes(&[], 20));
    assert_eq!(out.len(), 20);
    assert!(out.iter().all(|r| r.because.is_none()));
}

#[test]
fn eval_measures_the_page_ranking() {
    let rec = recommender();
    for seed in 0..10usize {
        let likes: Vec<usize> = (0..5)
            .map(|j| (seed * 7919 + j * 3571) % rec.len())
            .collect();
        // what the page asks for: its default options, 20 results
        let page: Vec<usize> = rec
            .recommend(&Query::likes(&likes, 20))
            .iter()
            .map(|r| r.index)
            .collect();
        // what `eval` ranks: the same call, deeper
        let eval = product_ranking(rec, &likes, 100, None);
        assert_eq!(page, eval[..20], "likes {likes:?}");
    }
}

#[test]
fn options_are_checked_into_typed_errors() {
    assert_eq!(Options::default().check(), Ok(()));
    let bad = Options {
        diversity: 1.5,
        ..Options::default()
    };
    assert_eq!(bad.check(), Err(OptionsError::Diversity(1.5)));
    let bad = Options {
        k: 0,
        ..Options::default()
    };
    assert!(matches!(bad.check(), Err(OptionsError::K { got: 0, .. })));
    let mut bad = Options::default();
    bad.filters.features[1].min = Some(0.8);
    bad.filters.features[1].max = Some(0.2);
    let e = bad.check().unwrap_err();
    assert!(e.to_string().contains("energy"), "{e}");
}
