//! The one recommender on real data (TidyTuesday songs from ../shared/data, with the committed
//! weights): the properties every caller relies on, and that `eval` measures the page's ranking.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use proptest::prelude::*;
use soundalike::catalog::default_data_dir;
use soundalike::eval::protocol::product_ranking;
use soundalike::model::Weights;
use soundalike::recommend::distinct::artist_key;
use soundalike::recommend::rerank::Filters;
use soundalike::recommend::{Options, OptionsError, Query, Recommender};

fn recommender() -> &'static Recommender {
    static REC: OnceLock<Recommender> = OnceLock::new();
    REC.get_or_init(|| {
        let cat = common::real_catalog(common::TIDYTUESDAY);
        let weights = Weights::from_bytes(common::WEIGHTS).expect("committed weights");
        Recommender::new(cat, weights).expect("recommender")
    })
}

/// Whether track `i` passes the query's constraints (rated tracks and liked songs aside).
fn admissible(rec: &Recommender, q: &Query, i: usize) -> bool {
    let o = &q.options;
    let t = &rec.catalog().tracks[i];
    let genres: Vec<usize> = q.likes.iter().map(|&l| rec.genre_of(l)).collect();
    let banned: Vec<u64> = q.banned_artists.iter().map(|a| artist_key(a)).collect();
    (o.reach_beyond_genres || q.likes.is_empty() || genres.contains(&rec.genre_of(i)))
        && (!o.dated_only || rec.dated()[i])
        && o.filters.passes(&rec.catalog().features[i])
        && o.era
            .is_none_or(|[a, b]| t.year.is_some_and(|y| (a..=b).contains(&y)))
        && o.popularity
            .is_none_or(|[a, b]| t.popularity.is_some_and(|p| (a..=b).contains(&p)))
        && !banned.contains(&artist_key(&t.artist))
}

/// How many tracks a query could return at most: not rated, passing every constraint, one per
/// song (and no liked song), at most `max_per_artist` per artist.
fn candidates(rec: &Recommender, q: &Query) -> usize {
    let song = rec.song_keys();
    let liked: HashSet<u32> = q.likes.iter().map(|&i| song[i]).collect();
    let mut songs_of: HashMap<u32, HashSet<u32>> = HashMap::new();
    for (i, s) in song.iter().enumerate() {
        if q.likes.contains(&i) || q.dislikes.contains(&i) || liked.contains(s) {
            continue;
        }
        if admissible(rec, q, i) {
            songs_of.entry(rec.artist_keys()[i]).or_default().insert(*s);
        }
    }
    let cap = q.options.max_per_artist;
    songs_of
        .values()
        .map(|s| if cap == 0 { s.len() } else { s.len().min(cap) })
        .sum()
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
        (
            0usize..4,
            proptest::option::weighted(0.3, (1960u16..2020, 0u16..30)),
            proptest::option::weighted(0.3, (0u8..80, 0u8..40)),
            proptest::option::weighted(0.3, 0..n),
        ),
    )
        .prop_map(
            move |(
                likes,
                dislikes,
                bound,
                target,
                diversity,
                reach,
                dated,
                k,
                (cap, era, pop, ban),
            )| {
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
                    banned_artists: ban
                        .map(|i| recommender().catalog().tracks[i].artist.to_string())
                        .into_iter()
                        .collect(),
                    options: Options {
                        filters,
                        diversity: if diversity < 0.5 { 0.0 } else { diversity },
                        reach_beyond_genres: reach,
                        dated_only: dated,
                        era: era.map(|(a, w)| [a, a + w]),
                        popularity: pop.map(|(a, w)| [a, a + w]),
                        max_per_artist: cap,
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
        // hard constraints hold; one version per song, none of a liked song; the artist cap
        let song = rec.song_keys();
        let mut songs: HashSet<u32> = q.likes.iter().map(|&i| song[i]).collect();
        let mut per_artist: HashMap<u32, usize> = HashMap::new();
        for r in &out {
            prop_assert!(admissible(rec, &q, r.index));
            prop_assert!(songs.insert(song[r.index]), "a song twice: {}", rec.catalog().tracks[r.index].name);
            let n = per_artist.entry(rec.artist_keys()[r.index]).or_default();
            *n += 1;
            prop_assert!(q.options.max_per_artist == 0 || *n <= q.options.max_per_artist);
        }
        // exactly k whenever there are k candidates (the cold-start list draws from the most
        // popular tracks only, so it promises "not empty" instead)
        if q.likes.is_empty() {
            let o = &q.options;
            if o.filters.is_empty() && o.era.is_none() && o.popularity.is_none() {
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

/// The whole catalog the page ships (every CSV under ../shared/data), with the committed weights.
fn full_recommender() -> &'static Recommender {
    static REC: OnceLock<Recommender> = OnceLock::new();
    REC.get_or_init(|| {
        let built = soundalike::catalog::ingest::build_catalog(&[default_data_dir()], |_, _, _| {})
            .expect("build the catalog from ../shared/data");
        let weights = Weights::from_bytes(common::WEIGHTS).expect("committed weights");
        Recommender::new(built.catalog, weights).expect("recommender")
    })
}

/// The listener: "I'm Yours" and "Lucky - Spotify Session". The top 20 must be of their
/// era (the likes' years ± 15), hold no version of either song and at most two per artist.
#[test]
fn a_jason_mraz_fan_gets_contemporary_tracks() {
    let rec = full_recommender();
    let cat = rec.catalog();
    let likes: Vec<usize> = ["1EzrEOXmMH3G43AXT1y7pA", "4hbGPfz03P8Nnh75mFIAoH"]
        .iter()
        .map(|id| {
            cat.index_of(id)
                .expect("the Jason Mraz tracks are in the catalog")
        })
        .collect();
    let years: Vec<u16> = likes.iter().filter_map(|&i| cat.tracks[i].year).collect();
    let (lo, hi) = (
        years.iter().min().unwrap() - 15,
        years.iter().max().unwrap() + 15,
    );
    let out = rec.recommend(&Query::likes(&likes, 20));
    assert_eq!(out.len(), 20);
    let mut per_artist: HashMap<u32, usize> = HashMap::new();
    for r in &out {
        let t = &cat.tracks[r.index];
        println!("{} — {} ({:?})", t.name, t.artist, t.year);
        let y = t.year.expect("a recommended track of a known era");
        assert!(
            (lo..=hi).contains(&y),
            "{} — {} ({y}) is outside {lo}–{hi}",
            t.name,
            t.artist
        );
        assert!(!likes
            .iter()
            .any(|&l| rec.song_keys()[l] == rec.song_keys()[r.index]));
        *per_artist.entry(rec.artist_keys()[r.index]).or_default() += 1;
    }
    assert!(per_artist.values().all(|&n| n <= Options::MAX_PER_ARTIST));
}

/// The quantized first stage returns exactly the f32 ranking: 1,000 seeded queries on the whole
/// catalog (1 to 40 likes, so the k-means of the interests runs; some with dislikes, bans and
/// constraints), identical top-20 (indices and scores) to the all-f32 scan.
#[test]
fn the_quantized_scan_returns_the_exact_top_20() {
    let rec = full_recommender();
    let differing = soundalike::recommend::exactness::differing(rec, 1000, 2026);
    for (q, lists) in &differing {
        eprintln!("query {q}: {lists}");
    }
    assert_eq!(
        differing.len(),
        0,
        "{} of 1,000 queries differ",
        differing.len()
    );
}

/// The page's engine starts with the worker's scan index in catalog order and adopts the one
/// grouped into cells that follows: only an index of its own tracks (the same fitted basis), and
/// its rankings stay exactly the all-f32 ones.
#[test]
fn the_page_adopts_only_its_own_grouped_scan_index() {
    let cat = common::real_catalog(common::TIDYTUESDAY);
    let weights = Weights::from_bytes(common::WEIGHTS).expect("committed weights");
    let emb = recommender().embeddings().to_vec();
    // as the page builds it: the index in catalog order, not grouped
    let mut rec = soundalike::recommend::Indexer::new(cat, weights, emb.clone())
        .and_then(|ix| ix.finish())
        .expect("engine");
    let half = soundalike::recommend::scan::Quantized::new(&emb[..emb.len() / 2]);
    assert!(!rec.adopt_grouped_scan(half), "an index of other rows");
    let grouped = soundalike::recommend::scan::Quantized::new(&emb);
    assert!(rec.adopt_grouped_scan(grouped));
    let differing = soundalike::recommend::exactness::differing(&rec, 300, 9);
    assert_eq!(differing.len(), 0, "{differing:?}");
}

/// The page's engine from the worker's pieces (the scan index, each embedding's inverse length
/// and the embeddings' sums, computed in the worker as it encodes) ranks exactly as the engine
/// that computes them itself; pieces of the wrong length are refused.
#[test]
fn the_page_engine_from_the_workers_norms_ranks_as_one_built_whole() {
    use soundalike::recommend::scan::Quantized;
    use soundalike::vector::{inv_norm, Mean};
    let cat = common::real_catalog(common::TIDYTUESDAY);
    let weights = Weights::from_bytes(common::WEIGHTS).expect("committed weights");
    let emb = recommender().embeddings().to_vec();
    // as the worker computes them, a track at a time in catalog order
    let norms: Vec<f32> = emb.iter().map(inv_norm).collect();
    let mut mean = Mean::default();
    for e in &emb {
        mean.push(e);
    }
    let (sums, n) = mean.sums();
    let mut ix = soundalike::recommend::Indexer::new(cat, weights, emb.clone()).expect("indexer");
    assert!(ix.norms(norms[1..].to_vec(), Mean::default()).is_err());
    let mut quant = Quantized::fitted(&emb);
    quant.extend(&emb);
    ix.scan_index(quant).expect("scan index");
    ix.norms(norms, Mean::from_sums(&sums, n).expect("sums"))
        .expect("norms");
    let page = ix.finish().expect("engine");
    let whole = recommender();
    let mut rng = soundalike::rng::Rng64::new(31);
    for q in 0..200 {
        let query = soundalike::recommend::exactness::query(whole, q, &mut rng);
        let top = |r: &Recommender| -> Vec<(usize, f32)> {
            r.recommend(&query)
                .iter()
                .map(|r| (r.index, r.score))
                .collect()
        };
        assert_eq!(top(&page), top(whole), "query {q}");
    }
    assert!(Mean::<32>::from_sums(&sums[1..], n).is_none());
}
