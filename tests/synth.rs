//! Synthetic benchmark catalogs (`catalog::synth`, `soundalike catalog synth`) resampled from the
//! real TidyTuesday tracks in ../shared/data: always flagged, kept through the file format,
//! deterministic for a seed, features in range, bad counts refused with a typed error.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use soundalike::catalog::features::N_BASE;
use soundalike::catalog::synth::{self, SynthError, Synthetic, MAX_TRACKS};
use soundalike::catalog::Catalog;
use soundalike::model::Weights;
use soundalike::recommend::{Query, Recommender};

fn source() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| common::real_catalog(common::TIDYTUESDAY))
}

fn made(n: usize, seed: u64) -> Catalog {
    synth::synthesize(source(), n, seed).expect("synthesize")
}

#[test]
fn a_synthetic_catalog_is_flagged_and_looks_like_one() {
    let src = source();
    assert!(src.synthetic().is_none(), "real data is not flagged");
    let cat = made(5000, 7);
    assert_eq!(cat.len(), 5000);
    assert_eq!(
        cat.synthetic(),
        Some(&Synthetic {
            source_tracks: src.len() as u32,
            seed: 7
        })
    );
    for (i, t) in cat.tracks.iter().enumerate() {
        assert_eq!(t.id, synth::synthetic_id(i));
        assert!(synth::is_synthetic_id(&t.id), "{}", t.id);
        assert!(t.name.starts_with("Synthetic "), "{}", t.name);
        assert_eq!(cat.index_of(&t.id), Some(i));
    }
    for f in &cat.features {
        assert!(f.iter().all(|x| (0.0..=1.0).contains(x)), "{f:?}");
        // the engineered features are derived from the base ones with the source's scaler
        let base: [f32; N_BASE] = std::array::from_fn(|j| f[j]);
        assert_eq!(*f, src.scaler.complete(&base));
    }
    assert_eq!(cat.scaler, src.scaler);
    // resampled, not copied: most tracks differ from every source track by the noise
    let exact_copies = cat
        .features
        .iter()
        .take(300)
        .filter(|f| src.features.contains(f))
        .count();
    assert!(exact_copies < 30, "{exact_copies} of 300 are exact copies");
}

#[test]
fn the_flag_survives_the_file_format() {
    let cat = made(3000, 1);
    let bytes = cat.to_bytes().expect("encode");
    let back = Catalog::from_bytes(&bytes).expect("decode");
    assert_eq!(back, cat);
    assert_eq!(back.synthetic(), cat.synthetic());
    assert!(back.synthetic().is_some());
    // and a real catalog's file carries no flag
    let real = Catalog::from_bytes(&source().to_bytes().expect("encode")).expect("decode");
    assert!(real.synthetic().is_none());
}

#[test]
fn deterministic_for_a_seed() {
    let a = made(2000, 42).to_bytes().expect("encode");
    let b = made(2000, 42).to_bytes().expect("encode");
    assert_eq!(a, b, "same seed, same file");
    let c = made(2000, 43);
    assert_ne!(
        c.features,
        made(2000, 42).features,
        "another seed, other tracks"
    );
}

#[test]
fn bad_counts_and_an_empty_source_are_typed_errors() {
    let src = source();
    assert_eq!(
        synth::synthesize(src, 0, 1).unwrap_err(),
        SynthError::BadCount { asked: 0 }
    );
    let too_many = MAX_TRACKS + 1;
    let e = synth::synthesize(src, too_many, 1).unwrap_err();
    assert_eq!(e, SynthError::BadCount { asked: too_many });
    assert!(e.to_string().contains("between 1 and"), "{e}");
    let empty = Catalog::new(Vec::new(), Vec::new(), src.scaler.clone());
    assert_eq!(
        synth::synthesize(&empty, 10, 1).unwrap_err(),
        SynthError::EmptySource
    );
}

#[test]
fn the_fast_scan_stays_exact_on_a_synthetic_catalog() {
    // resampled tracks are near-duplicates of each other: the densest case for the scan bound
    let weights = Weights::from_bytes(common::WEIGHTS).expect("committed weights");
    let rec = Recommender::new(made(20_000, 3), weights).expect("recommender");
    for q in 0..40u64 {
        let likes: Vec<usize> = (0..1 + q as usize % 7)
            .map(|j| (q as usize * 7919 + j * 104_729) % rec.len())
            .collect();
        let query = Query::likes(&likes, 20);
        let fast: Vec<usize> = rec.recommend(&query).iter().map(|r| r.index).collect();
        let exact: Vec<usize> = rec
            .recommend_exact(&query)
            .iter()
            .map(|r| r.index)
            .collect();
        assert_eq!(fast, exact, "query {q}");
        assert_eq!(fast.len(), 20);
    }
}

/// A fresh directory for one test.
fn dir(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("soundalike-synth-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn soundalike(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_soundalike"))
        .args(args)
        .output()
        .expect("run the soundalike binary")
}

#[test]
fn the_cli_writes_a_flagged_catalog_and_info_says_so() {
    let d = dir("cli");
    let real = d.join("real.bin");
    std::fs::write(&real, source().to_bytes().expect("encode")).unwrap();
    let out = d.join("sub/synth.bin");
    let (real_s, out_s) = (real.to_str().unwrap(), out.to_str().unwrap());
    let o = soundalike(&[
        "catalog", "synth", "--tracks", "1500", "--from", real_s, "--out", out_s, "--seed", "5",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cat = Catalog::from_bytes(&std::fs::read(&out).unwrap()).expect("decode");
    assert_eq!(cat.len(), 1500);
    assert_eq!(cat.synthetic().map(|s| s.seed), Some(5));

    let info = soundalike(&["catalog", "info", out_s]);
    assert!(info.status.success());
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("SYNTHETIC benchmark catalog"), "{text}");
    let info = soundalike(&["catalog", "info", real_s]);
    assert!(!String::from_utf8_lossy(&info.stdout).contains("SYNTHETIC"));

    // bad input: a count of 0, a missing source file
    let o = soundalike(&[
        "catalog", "synth", "--tracks", "0", "--from", real_s, "--out", out_s,
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("0 tracks asked for"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let missing = d.join("nope.bin");
    let o = soundalike(&[
        "catalog",
        "synth",
        "--tracks",
        "10",
        "--from",
        missing.to_str().unwrap(),
        "--out",
        out_s,
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nope.bin"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
