//! The song path on real data (TidyTuesday songs from ../shared/data, with the committed weights):
//! both ends in place, each step a real track, no repeats, no song twice, no artist twice in a
//! row, never walking back from the destination, deterministic.

mod common;

use std::collections::HashSet;
use std::sync::OnceLock;

use soundalike::catalog::{default_data_dir, Catalog};
use soundalike::model::Weights;
use soundalike::recommend::path::{progress, song_path, PathError, DEFAULT_STEPS, MAX_STEPS};
use soundalike::recommend::Recommender;

fn recommender() -> &'static Recommender {
    static REC: OnceLock<Recommender> = OnceLock::new();
    REC.get_or_init(|| {
        let cat = common::real_catalog(common::TIDYTUESDAY);
        let weights = Weights::from_bytes(common::WEIGHTS).expect("committed weights");
        Recommender::new(cat, weights).expect("recommender")
    })
}

/// Pairs of tracks of different genres, spread over the catalog (fixed, so reruns agree).
fn pairs(rec: &Recommender, n: usize) -> Vec<(usize, usize)> {
    let len = rec.len();
    let mut out = Vec::new();
    let mut k = 0usize;
    while out.len() < n {
        let a = (k * 7919) % len;
        let b = (k * 104_729 + len / 2) % len;
        k += 1;
        if rec.genre_of(a) != rec.genre_of(b) && rec.song_keys()[a] != rec.song_keys()[b] {
            out.push((a, b));
        }
    }
    out
}

fn check(rec: &Recommender, from: usize, to: usize, steps: usize) -> Vec<usize> {
    let p = song_path(rec, from, to, steps).expect("a path");
    let t = &p.tracks;
    assert_eq!(t.len(), steps, "length");
    assert_eq!((t[0], t[steps - 1]), (from, to), "endpoints");
    assert!(t.iter().all(|&i| i < rec.len()), "real tracks");
    let uniq: HashSet<usize> = t.iter().copied().collect();
    assert_eq!(uniq.len(), steps, "no track twice: {t:?}");
    let songs: HashSet<u32> = t.iter().map(|&i| rec.song_keys()[i]).collect();
    assert_eq!(songs.len(), steps, "no song twice: {t:?}");
    let artists = rec.artist_keys();
    for w in t.windows(2) {
        assert_ne!(artists[w[0]], artists[w[1]], "artist twice in a row: {t:?}");
    }
    let cos = progress(rec, t);
    let forward = cos.windows(2).all(|w| w[1] >= w[0]);
    assert_eq!(p.monotone, forward, "`monotone` tells the truth: {cos:?}");
    // up to the default length the catalog always has a track further on
    if steps <= DEFAULT_STEPS {
        assert!(
            forward,
            "walked back from the destination ({steps} steps): {cos:?}"
        );
    }
    t.clone()
}

#[test]
fn paths_between_genres_keep_every_rule() {
    let rec = recommender();
    for (a, b) in pairs(rec, 12) {
        let t = check(rec, a, b, DEFAULT_STEPS);
        // the steps are spread: the middle of the path is not already at either end
        let cos = progress(rec, &t);
        let first = progress(rec, &[t[1], t[0]])[0];
        assert!(cos[1] < 0.999 && first < 0.999, "first step sits on an end");
    }
    let (a, b) = pairs(rec, 1)[0];
    for steps in [2, 3, 5, 25] {
        check(rec, a, b, steps);
    }
    println!(
        "path {} → {}: {:?}",
        rec.catalog().tracks[a].genre,
        rec.catalog().tracks[b].genre,
        song_path(rec, a, b, DEFAULT_STEPS)
            .unwrap()
            .tracks
            .iter()
            .map(|&i| format!(
                "{} — {}",
                rec.catalog().tracks[i].name,
                rec.catalog().tracks[i].artist
            ))
            .collect::<Vec<_>>()
    );
}

#[test]
fn paths_are_deterministic_and_spread_evenly() {
    let rec = recommender();
    let (a, b) = pairs(rec, 3)[2];
    let p1 = song_path(rec, a, b, 12).unwrap();
    let p2 = song_path(rec, a, b, 12).unwrap();
    assert_eq!(p1, p2);
    // progress goes from the start's cosine to 1; the mean cosine of the second half is above the first's
    let cos = progress(rec, &p1.tracks);
    let half = cos.len() / 2;
    let m = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
    assert!(m(&cos[half..]) > m(&cos[..half]), "{cos:?}");
}

#[test]
fn bad_requests_are_refused() {
    let rec = recommender();
    let n = rec.len();
    let (a, b) = pairs(rec, 1)[0];
    assert_eq!(
        song_path(rec, a, n, 5),
        Err(PathError::OutOfRange { index: n, len: n })
    );
    assert_eq!(song_path(rec, a, b, 1), Err(PathError::Steps(1)));
    assert_eq!(
        song_path(rec, a, b, MAX_STEPS + 1),
        Err(PathError::Steps(MAX_STEPS + 1))
    );
    assert_eq!(song_path(rec, a, a, 5), Err(PathError::SameSong));
    // two different songs by one artist: fine with a step between, refused back to back
    let artists = rec.artist_keys();
    let songs = rec.song_keys();
    let (x, y) = (0..n)
        .flat_map(|i| (i + 1..(i + 200).min(n)).map(move |j| (i, j)))
        .find(|&(i, j)| artists[i] == artists[j] && songs[i] != songs[j])
        .expect("an artist with two songs");
    assert_eq!(song_path(rec, x, y, 2), Err(PathError::SameArtistAdjacent));
    check(rec, x, y, 3);
}

/// `soundalike path` on a catalog built from a real CSV: JSON with the ends in place, and an
/// unknown id named in the error.
#[test]
fn the_cli_prints_the_path() {
    use std::process::Command;
    let csv = default_data_dir().join("spotify_hit_predictor/dataset-of-10s.csv");
    let dir = std::env::temp_dir().join(format!("soundalike-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cat = dir.join("catalog.bin");
    let weights = concat!(env!("CARGO_MANIFEST_DIR"), "/www/weights.bin");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_soundalike"))
            .args(args)
            .output()
            .expect("run soundalike")
    };
    let built = run(&[
        "catalog",
        "build",
        "--input",
        csv.to_str().unwrap(),
        "--out",
        cat.to_str().unwrap(),
        "--interactions",
        dir.join("i.json").to_str().unwrap(),
    ]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let catalog = Catalog::from_bytes(&std::fs::read(&cat).unwrap()).unwrap();
    let (a, b) = (&catalog.tracks[0].id, &catalog.tracks[catalog.len() / 2].id);
    let cat_s = cat.to_str().unwrap();
    let out = run(&[
        "path",
        "--catalog",
        cat_s,
        "--weights",
        weights,
        "--from",
        a,
        "--to",
        b,
        "--steps",
        "6",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["tracks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 6);
    assert_eq!((ids[0], ids[5]), (a.as_str(), b.as_str()));
    let bad = run(&[
        "path",
        "--catalog",
        cat_s,
        "--weights",
        weights,
        "--from",
        a,
        "--to",
        "nope",
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--to \"nope\" is not in the catalog"));
    let _ = std::fs::remove_dir_all(&dir);
}
