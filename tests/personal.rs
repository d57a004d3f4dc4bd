//! "My model" on real data (one decade of the hit-predictor data from ../shared/data, with the
//! committed weights): the file round-trips (same recommendations after loading it elsewhere), a
//! file from another model is refused, and the per-feature "learned" shift points the way the
//! likes lean.

mod common;

use std::sync::OnceLock;

use soundalike::catalog::features::FEATURE_NAMES;
use soundalike::catalog::Catalog;
use soundalike::listener::likes::Stored;
use soundalike::listener::personal::{self, PersonalError};
use soundalike::model::learned::feature_shift;
use soundalike::model::weights::Head;
use soundalike::model::{cpu, Weights};
use soundalike::recommend::{Query, Recommender};
use soundalike::vector::mean_of;

fn catalog() -> Catalog {
    common::real_catalog("spotify_hit_predictor/dataset-of-00s.csv")
}

fn recommender() -> Recommender {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    let cat = CAT.get_or_init(catalog).clone();
    Recommender::new(cat, Weights::from_bytes(common::WEIGHTS).unwrap()).unwrap()
}

fn feature(name: &str) -> usize {
    FEATURE_NAMES.iter().position(|&n| n == name).unwrap()
}

/// The `n` tracks with the highest (or lowest) value of a feature.
fn extreme(rec: &Recommender, k: usize, n: usize, high: bool) -> Vec<usize> {
    let f = &rec.catalog().features;
    let mut idx: Vec<usize> = (0..f.len()).collect();
    idx.sort_by(|&a, &b| f[a][k].total_cmp(&f[b][k]).then(a.cmp(&b)));
    if high {
        idx.reverse();
    }
    idx.truncate(n);
    idx
}

fn shift(rec: &Recommender, tuned: &Head, likes: &[usize]) -> [f32; 16] {
    let p = mean_of(rec.embeddings(), likes);
    feature_shift(
        &rec.catalog().features,
        rec.embeddings(),
        rec.shipped_head(),
        tuned,
        p.as_ref(),
    )
}

#[test]
fn a_saved_model_gives_the_same_recommendations_elsewhere() {
    let mut here = recommender();
    let likes: Vec<usize> = (0..23).map(|k| k * 97 + 5).collect();
    let dislikes = vec![3, 4];
    let tuned = here.fine_tuned(&likes, &dislikes).unwrap();
    let ids = |v: &[usize]| -> Vec<String> {
        v.iter()
            .map(|&i| here.catalog().tracks[i].id.clone())
            .collect()
    };
    let mut stored = Stored::new(ids(&likes), ids(&dislikes));
    stored.banned_artists = vec![here.catalog().tracks[11].artist.to_string()];
    let file = personal::to_bytes(&stored, &tuned, here.shipped_head());
    let query = |r: &Recommender, s: &Stored| {
        let ix = |v: &[String]| -> Vec<usize> {
            v.iter().filter_map(|id| r.catalog().index_of(id)).collect()
        };
        let mut q = Query::likes(&ix(&s.likes), 30);
        q.dislikes = ix(&s.dislikes);
        q.banned_artists = s.banned_artists.clone();
        q
    };
    here.set_head(Some(tuned));
    let before: Vec<usize> = here
        .recommend(&query(&here, &stored))
        .iter()
        .map(|r| r.index)
        .collect();

    // another device: the same catalog and weights, nothing of the listener's
    let mut there = recommender();
    let loaded = personal::from_bytes(&file, there.shipped_head()).expect("loads");
    assert_eq!(loaded.likes, stored);
    let merged = personal::merge(&Stored::new(vec![], vec![]), &loaded.likes);
    assert_eq!(
        (merged.likes_added, merged.dislikes_added, merged.bans_added),
        (23, 2, 1)
    );
    there.set_head(Some(loaded.head));
    let after: Vec<usize> = there
        .recommend(&query(&there, &merged.stored))
        .iter()
        .map(|r| r.index)
        .collect();
    assert_eq!(after.len(), 30);
    assert_eq!(after, before);
    // and the file re-saved there is byte for byte the same
    assert_eq!(
        personal::to_bytes(&merged.stored, there.head(), there.shipped_head()),
        file
    );
}

#[test]
fn a_file_from_another_model_is_refused() {
    let rec = recommender();
    let likes: Vec<usize> = (0..10).collect();
    let tuned = rec.fine_tuned(&likes, &[]).unwrap();
    let stored = Stored::new(vec!["4uLU6hMCjMI75M1A2tKUQC".into()], vec![]);
    let file = personal::to_bytes(&stored, &tuned, rec.shipped_head());
    // other shipped weights of the same architecture (a retrained model)
    let other = Head::new(rec.shipped_head().input, &cpu());
    let e = personal::from_bytes(&file, &other).unwrap_err();
    assert_eq!(e, PersonalError::OtherModel);
    assert!(e.to_string().contains("another version of the model"));
    // the weights file and a likes export are not saved models, and say what they are
    assert!(matches!(
        personal::from_bytes(common::WEIGHTS, rec.shipped_head()),
        Err(PersonalError::WrongKind(k)) if k.contains("weights")
    ));
    assert!(matches!(
        personal::from_bytes(stored.to_json().as_bytes(), rec.shipped_head()),
        Err(PersonalError::WrongKind(k)) if k.contains("likes")
    ));
    for cut in [10, 30, file.len() / 2, file.len() - 1] {
        assert!(matches!(
            personal::from_bytes(&file[..cut], rec.shipped_head()),
            Err(PersonalError::Truncated { .. })
        ));
    }
}

#[test]
fn learned_shows_the_way_the_likes_lean() {
    let rec = recommender();
    let energy = feature("energy");
    let acoustic = feature("acousticness");
    let high = extreme(&rec, energy, 40, true);
    let low = extreme(&rec, energy, 40, false);
    let up = shift(&rec, &rec.fine_tuned(&high, &[]).unwrap(), &high);
    let down = shift(&rec, &rec.fine_tuned(&low, &[]).unwrap(), &low);
    println!("energy up:   {up:?}\nenergy down: {down:?}");
    assert!(
        up[energy] > 0.0,
        "tuned on loud likes, energy weighed up: {up:?}"
    );
    assert!(
        down[energy] < 0.0,
        "tuned on quiet likes, energy weighed down: {down:?}"
    );
    assert!(
        up[acoustic] < down[acoustic],
        "acousticness moves the other way"
    );
    // the untuned head learned nothing
    assert_eq!(
        shift(&rec, rec.shipped_head(), &high),
        [0.0; 16],
        "the shipped head against itself"
    );
}
