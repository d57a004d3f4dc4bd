//! Integration tests of the models part on real data (../shared/data) and the committed weights.

mod common;

use soundalike::catalog::ingest::{build_catalog, read_tracks_csv};
use soundalike::catalog::Context;
use soundalike::catalog::{default_data_dir, Catalog, RawTrack};
use soundalike::model::finetune::{fine_tune, FineTuneConfig, FineTuneError, FineTuner};
use soundalike::model::input::{input, inputs};
use soundalike::model::train::{playlist_pairs, ConfigError};
use soundalike::model::train::{train_autoencoder, AeConfig};
use soundalike::model::weights::{pack, write_tensors, Head, Weights, WeightsError};
use soundalike::model::{cpu, weights_v2, AutoencoderWeights, HeadInput, RatingHead};
use soundalike::model::{head_scores, DenseEncoder};
use soundalike::model::{Input, Objective, N_IN};
use soundalike::recommend::{Query, Recommender};
use soundalike::vector::cosine;
use soundalike::vector::mean_of;

/// A real catalog from one decade file of the hit-predictor data (about 8.6k tracks).
fn small_catalog() -> Catalog {
    let path = default_data_dir().join("spotify_hit_predictor/dataset-of-60s.csv");
    let (rows, _) = read_tracks_csv(&path, |_| {}).expect("read real CSV");
    let raws: Vec<RawTrack> = rows
        .into_iter()
        .map(|r| RawTrack {
            track: r.track,
            raw: r.raw,
        })
        .collect();
    Catalog::from_raw(raws)
}

fn weights() -> Weights {
    Weights::from_bytes(common::WEIGHTS).expect("committed weights load")
}

fn inputs_of(cat: &Catalog, objective: Objective) -> Vec<Input> {
    inputs(
        cat.features
            .iter()
            .zip(cat.tracks.iter().map(|t| t.context())),
        objective,
    )
}

#[test]
fn short_training_on_real_subset_reduces_loss() {
    let cat = small_catalog();
    let feats: Vec<Input> = inputs_of(&cat, Objective::Paper)
        .into_iter()
        .take(4000)
        .collect();
    let cfg = AeConfig {
        epochs: 4,
        objective: Objective::Paper,
        ..AeConfig::default()
    };
    let (_ae, report) = train_autoencoder(&feats, &[], &[], &cfg, &mut |_| {}).unwrap();
    let first = report.epochs.first().unwrap();
    let last = report.epochs.last().unwrap();
    assert!(last.train_loss < first.train_loss, "{:?}", report.epochs);
    assert!(last.val_loss < first.val_loss, "{:?}", report.epochs);
    assert!(report.test_rmse.is_finite() && report.test_rmse < 0.3);
}

/// How often a held-out pair (a, b) is closer than a with a random track: the pairs' AUC.
fn pair_auc(emb: &[soundalike::model::Embedding], pairs: &[(usize, usize)]) -> f32 {
    let mut rng = soundalike::rng::Rng64::new(9);
    let wins = pairs
        .iter()
        .filter(|&&(a, b)| cosine(&emb[a], &emb[b]) > cosine(&emb[a], &emb[rng.below(emb.len())]))
        .count();
    wins as f32 / pairs.len() as f32
}

/// The taste objective puts tracks of one playlist closer than the paper's reconstruction alone
/// does, on validation playlists it never saw, and still reconstructs the features.
#[test]
fn taste_objective_learns_from_playlists() {
    let dir = default_data_dir().join("tidytuesday_spotify_songs");
    let built = build_catalog(&[dir], |_, _, _| {}).expect("TidyTuesday catalog");
    let cat = built.catalog;
    let mut pls: Vec<Vec<usize>> = built
        .interactions
        .playlists
        .iter()
        .map(|p| p.tracks.iter().filter_map(|t| cat.index_of(t)).collect())
        .collect();
    pls.retain(|p: &Vec<usize>| p.len() >= 2);
    let val = pls.split_off(pls.len() * 4 / 5);
    let held = playlist_pairs(&val, 3000, &mut soundalike::rng::Rng64::new(5));
    let mut margins = Vec::new();
    for objective in [Objective::Paper, Objective::Taste] {
        let cfg = AeConfig {
            epochs: 3,
            objective,
            ..AeConfig::default()
        };
        let x = inputs_of(&cat, objective);
        let (ae, report) = train_autoencoder(&x, &pls, &val, &cfg, &mut |_| {}).unwrap();
        assert!(
            report.test_rmse < 0.1,
            "{objective:?}: RMSE {}",
            report.test_rmse
        );
        let emb: Vec<_> = {
            let enc = DenseEncoder::new(&AutoencoderWeights::from_module(&ae));
            x.iter().map(|r| enc.encode(r)).collect()
        };
        margins.push(pair_auc(&emb, &held));
    }
    assert!(
        margins[1] > margins[0] + 0.05,
        "paper {:.3}, taste {:.3}",
        margins[0],
        margins[1]
    );
}

#[test]
fn training_settings_are_checked() {
    let bad = AeConfig {
        temperature: 0.0,
        ..AeConfig::default()
    };
    let e = train_autoencoder(&[], &[], &[], &bad, &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("temperature"), "{e}");
    let e = train_autoencoder(
        &[[0.5; N_IN]; 4],
        &[],
        &[],
        &AeConfig::default(),
        &mut |_| {},
    )
    .unwrap_err();
    assert_eq!(e, ConfigError::NoPlaylists);
}

/// Embedding of a fixed feature vector with the committed weights.
const PROBE: [f32; 16] = [
    0.6, 0.7, 0.45, 0.8, 1.0, 0.05, 0.2, 0.0, 0.15, 0.55, 0.5, 0.3, 0.6, 0.4, 0.35, 0.5,
];
const PROBE_EMBEDDING: [f32; 32] = [
    0.79317415,
    1.6852458,
    0.85720134,
    -0.8602532,
    -0.56687397,
    -1.3410282,
    2.0875342,
    0.86325,
    -0.68159777,
    -1.1744474,
    0.2874456,
    -0.42310658,
    2.6544008,
    0.2656302,
    -0.037668526,
    1.9220036,
    -1.5990064,
    -1.7964575,
    0.26786843,
    -0.4554005,
    -0.72427195,
    -1.196125,
    0.5217771,
    0.7031236,
    -1.0286373,
    0.4408179,
    0.6560094,
    -0.32969958,
    -0.9722311,
    0.84093696,
    1.5908968,
    1.4510665,
];

#[test]
fn committed_weights_reproduce_stored_embedding() {
    let w = weights();
    assert!(
        common::WEIGHTS.len() < 100_000,
        "{} bytes",
        common::WEIGHTS.len()
    );
    let probe = input(
        &PROBE,
        &Context {
            year: Some(2008),
            year_approx: false,
            popularity: Some(70),
        },
        w.objective,
    );
    let e = DenseEncoder::new(&w.autoencoder).encode(&probe);
    println!("PROBE_EMBEDDING = {e:?}");
    for (a, b) in e.iter().zip(PROBE_EMBEDDING.iter()) {
        assert!((a - b).abs() < 1e-4, "{e:?}");
    }
    // burn's own forward agrees with the fast loops
    let t = soundalike::model::tensor2(probe.to_vec(), 1, N_IN, &cpu());
    let burn_e = soundalike::model::to_vec(w.autoencoder.module(&cpu()).encode(t));
    for (a, b) in e.iter().zip(&burn_e) {
        assert!((a - b).abs() < 1e-4);
    }
}

/// The weights file before version 3 (burnpack records inside), as it was committed.
const WEIGHTS_V2: &[u8] = include_bytes!("fixtures/weights-v2.bin");

#[test]
fn v3_weights_are_the_v2_file_converted_losslessly() {
    // the committed file is exactly the conversion of the old one
    let up = weights_v2::upgrade(WEIGHTS_V2).unwrap();
    assert!(up == common::WEIGHTS, "www/weights.bin is not upgrade(v2)");
    // and the old file is refused by the reader with a clear error
    let err = Weights::from_bytes(WEIGHTS_V2).unwrap_err();
    assert_eq!(err, WeightsError::UnsupportedVersion(2));
    // the burn modules of the old file against the plain weights: every tensor bit for bit,
    // so the page's embeddings and head scores are bit-identical to before
    let (ae, net, input, objective, blend) = weights_v2::read(WEIGHTS_V2).unwrap();
    let w = weights();
    assert_eq!((w.head.input, w.objective), (input, objective));
    assert_eq!(w.blend.to_bits(), blend.to_bits());
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let old_ae = AutoencoderWeights::from_module(&ae);
    for (a, b) in old_ae.tensors().iter().zip(w.autoencoder.tensors()) {
        assert_eq!((&a.name, &a.shape), (&b.name, &b.shape));
        assert_eq!(bits(&a.data), bits(&b.data), "{}", a.name);
    }
    let old_head = Head::from_net(&net, input);
    assert_eq!(old_head, w.head);
    let feats: Vec<Input> = (0..50)
        .map(|i| std::array::from_fn(|j| ((i * 7 + j * 3) % 11) as f32 / 10.0))
        .collect();
    let old_emb = DenseEncoder::new(&old_ae).encode_many(feats.iter().copied());
    let emb = DenseEncoder::new(&w.autoencoder).encode_many(feats.iter().copied());
    assert_eq!(bits(old_emb.as_flattened()), bits(emb.as_flattened()));
    let p = mean_of(&emb, &[1, 2, 3]);
    assert_eq!(
        bits(&head_scores(&old_head, &emb, p.as_ref())),
        bits(&head_scores(&w.head, &emb, p.as_ref()))
    );
    // burn's own forward on the old modules agrees with the plain loops on the new file
    let flat: Vec<f32> = feats.iter().flatten().copied().collect();
    let burn_e =
        soundalike::model::to_vec(ae.encode(soundalike::model::tensor2(flat, 50, N_IN, &cpu())));
    for (a, b) in emb.as_flattened().iter().zip(&burn_e) {
        assert!((a - b).abs() < 1e-4, "{a} vs burn {b}");
    }
}

#[test]
fn wrong_shape_weights_are_a_clear_error() {
    let dev = cpu();
    let ae = write_tensors(&weights().autoencoder.tensors());
    let head = Head::from_net(&RatingHead::new(48, &dev), HeadInput::EmbeddingProfile).to_section();
    let err = Weights::from_bytes(&pack(&ae, &head, HeadInput::EmbeddingProfile.tag(), 1, 0.5))
        .unwrap_err();
    assert!(matches!(err, WeightsError::Shape { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("rating head") && msg.contains("shape"),
        "{msg}"
    );
    let b = common::WEIGHTS;
    assert!(matches!(
        Weights::from_bytes(&b[..b.len() / 2]),
        Err(WeightsError::Truncated { .. })
    ));
    assert!(matches!(
        Weights::from_bytes(b"hello world, not weights at all"),
        Err(WeightsError::BadMagic)
    ));
}

#[test]
fn recommend_and_place_on_real_tracks() {
    let mut rec = Recommender::new(small_catalog(), weights()).unwrap();
    let likes: Vec<usize> = (0..5).map(|i| i * 97).collect();
    let tuned = rec.fine_tuned(&likes, &[]).unwrap();
    rec.set_head(Some(tuned));
    let recs = rec.recommend(&Query::likes(&likes, 20));
    assert_eq!(recs.len(), 20);
    assert!(recs.iter().all(|r| !likes.contains(&r.index)));
    assert!(recs.windows(2).all(|p| p[0].score >= p[1].score));
    assert!(recs
        .iter()
        .all(|r| r.because.is_some_and(|(l, _)| likes.contains(&l))));
    // cold start never fails
    let cold = rec.recommend(&Query::likes(&[], 10));
    assert_eq!(cold.len(), 10);
    assert!(cold.iter().all(|r| r.because.is_none()));
    // place: re-scale a track of the CSV with the stored scaler; it lands on itself
    let path = default_data_dir().join("spotify_hit_predictor/dataset-of-60s.csv");
    let (rows, _) = read_tracks_csv(&path, |_| {}).unwrap();
    let row = &rows[10];
    let cat = rec.catalog();
    let e = rec.encode(&cat.scaler.scale(&row.raw), &row.track.context());
    let me = cat.index_of(&row.track.id).unwrap();
    let top = rec.neighbours(&e, 6);
    assert_eq!(top[0].0, me, "a track is most similar to itself: {top:?}");
    assert!(top[0].1 > 0.99 && top.iter().all(|&(_, s)| s <= 1.0001));
}

#[test]
fn finetune_is_deterministic_and_rejects_empty_likes() {
    let w = weights();
    let emb = common::embeddings();
    let cfg = FineTuneConfig {
        seed: 11,
        ..FineTuneConfig::default()
    };
    let a = fine_tune(&w.head, &emb, &[1, 2, 3], &[9], cfg).unwrap();
    let b = fine_tune(&w.head, &emb, &[1, 2, 3], &[9], cfg).unwrap();
    let p = mean_of(&emb, &[1, 2, 3]);
    assert_eq!(
        head_scores(&a, &emb, p.as_ref()),
        head_scores(&b, &emb, p.as_ref())
    );
    // stepping in chunks gives the same result as running everything
    let mut t = FineTuner::new(&w.head, &emb, &[1, 2, 3], &[9], cfg).unwrap();
    while !t.done() {
        t.run(3);
    }
    assert_eq!(
        head_scores(&t.finish(), &emb, p.as_ref()),
        head_scores(&a, &emb, p.as_ref())
    );
    assert_eq!(
        FineTuner::new(&w.head, &emb, &[], &[], cfg).err(),
        Some(FineTuneError::NoLikes)
    );
    assert!(matches!(
        FineTuner::new(&w.head, &emb, &[100_000], &[], cfg).err(),
        Some(FineTuneError::OutOfRange { .. })
    ));
}

/// Checks the native fine-tune fixture and writes its numbers to `target/fixtures/` for the
/// browser test that runs the same fixture in the page's wasm (tests/browser/finetune.test.mjs).
#[test]
fn native_finetune_fixture_values() {
    let got = common::finetune_fixture();
    println!("FINETUNE_EXPECTED = {got:?}");
    assert_eq!(got.len(), common::FINETUNE_EXPECTED.len());
    for (g, e) in got.iter().zip(common::FINETUNE_EXPECTED.iter()) {
        assert!((g - e).abs() < 1e-5, "{got:?}");
    }
    let out = std::path::Path::new(common::FINETUNE_NATIVE_JSON);
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(out, serde_json::to_string(&got).unwrap()).unwrap();
}
