//! The fast scan checked against the all-f32 one ([`Recommender::recommend_exact`]) on varied
//! seeded queries (1 to 40 likes, dislikes, era, popularity, genre, feature bounds, bans). The
//! native test (`tests/recommend.rs`) and the page's wasm (its SIMD128 scan, through a hook
//! `tests/browser/scan.test.mjs` calls) run this same check.

use super::{Options, Query, Recommender};
use crate::rng::Rng64;

/// One query of the check (the `q`-th: its options cycle through the filters).
pub fn query(rec: &Recommender, q: usize, rng: &mut Rng64) -> Query {
    let n = rec.len();
    let n_likes = 1 + rng.below(if q.is_multiple_of(4) { 40 } else { 8 });
    let likes: Vec<usize> = (0..n_likes).map(|_| rng.below(n)).collect();
    let dislikes: Vec<usize> = (0..rng.below(3))
        .map(|_| rng.below(n))
        .filter(|d| !likes.contains(d))
        .collect();
    let mut options = Options {
        k: 20,
        ..Options::default()
    };
    match q % 5 {
        1 => options.era = Some([1990, 2015]),
        2 => options.popularity = Some([30, 100]),
        3 => options.reach_beyond_genres = false,
        4 => options.filters.features[1].min = Some(0.5),
        _ => {}
    }
    let banned_artists = if q.is_multiple_of(7) {
        vec![rec.catalog().tracks[rng.below(n)].artist.to_string()]
    } else {
        Vec::new()
    };
    Query {
        likes,
        dislikes,
        banned_artists,
        options,
    }
}

/// The queries (of `count`, seeded) whose top 20 (indices and scores) differ between
/// [`Recommender::recommend`] and [`Recommender::recommend_exact`], with both lists.
pub fn differing(rec: &Recommender, count: usize, seed: u64) -> Vec<(usize, String)> {
    let mut rng = Rng64::new(seed);
    let mut out = Vec::new();
    for q in 0..count {
        let query = query(rec, q, &mut rng);
        let top = |recs: Vec<super::Rec>| -> Vec<(usize, f32)> {
            recs.iter().map(|r| (r.index, r.score)).collect()
        };
        let (fast, exact) = (top(rec.recommend(&query)), top(rec.recommend_exact(&query)));
        if fast != exact {
            out.push((q, format!("{fast:?}\n   exact: {exact:?}")));
        }
    }
    out
}
