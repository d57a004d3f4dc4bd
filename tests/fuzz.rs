//! Fuzzing every decoder that reads bytes from outside the program, with proptest:
//!
//! | target | decoder | inputs |
//! |---|---|---|
//! | `catalog_file` | `Catalog::from_bytes` | small catalogs built here, mutated; raw bytes |
//! | `catalog_payload` | the same, past the CRC | sections / zlib stream mutated, CRC recomputed |
//! | `weights_file` | `Weights::from_bytes` | `www/weights.bin`, mutated; raw bytes |
//! | `weights_payload` | the same, past the CRC | tensor sections edited (shapes, names, values, bytes), CRC recomputed |
//! | `tuned_head` | `model::tuned::from_bytes` (localStorage) | shipped and fresh heads as stored, mutated; tensors edited |
//! | `personal_model` | `listener::personal::from_bytes` ("Load my model") | saved models mutated; likes JSON and head tensors edited, checksum recomputed |
//! | `likes_import` | `likes::parse_import`, `Stored::from_json`, `base64_decode` | exports mutated; raw text |
//! | `share_fragment` | `likes::from_fragment` | share links mutated; raw text |
//! | `newtrack_row` | `newtrack::parse_row` | pasted rows mutated; raw text |
//!
//! Each must return (never panic), and what it returns must hold the decoder's promises (a
//! decoded catalog's features are in [0, 1], decoded weights run, imported ids are valid, …).
//!
//! `SOUNDALIKE_FUZZ_CASES` sets the cases per target (default 5,000, what CI runs);
//! `SOUNDALIKE_FUZZ_SEED` fixes the random seed (otherwise one is drawn and printed, so a failure
//! can be replayed). See docs/fuzzing.md for the long runs.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use soundalike::catalog::format::{self, MAGIC};
use soundalike::catalog::{ingest, Catalog, RawTrack};
use soundalike::listener::likes::{self, Stored};
use soundalike::listener::newtrack;
use soundalike::listener::personal;
use soundalike::model::tuned;
use soundalike::model::weights::{self, Weights};
use soundalike::model::N_IN;
use soundalike::model::{encode_all, head_scores};
use soundalike::vector::mean_of;

// ---------------------------------------------------------------------------------------------
// The runner

fn cases() -> u32 {
    std::env::var("SOUNDALIKE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(5_000)
}

/// How often each outcome (`ok`, or an error variant) came up: shows which decoder stages the
/// mutations reach. Printed with the timing.
#[derive(Default)]
struct Outcomes(RefCell<BTreeMap<String, usize>>);

impl Outcomes {
    fn ok(&self) {
        self.add("ok".into());
    }
    /// Count an error by its variant (and, for a bad section or record part, which one).
    fn err(&self, e: &impl std::fmt::Debug) {
        let d = format!("{e:?}");
        let end = d.find([' ', '(', '{']).unwrap_or(d.len());
        let mut key = d[..end].to_string();
        for detail in ["section: \"", "part: \""] {
            if let Some(i) = d.find(detail) {
                let rest = &d[i + detail.len()..];
                key = format!("{key}({})", &rest[..rest.find('"').unwrap_or(0)]);
            }
        }
        self.add(key);
    }
    fn add(&self, key: String) {
        *self.0.borrow_mut().entry(key).or_default() += 1;
    }
    fn summary(&self) -> String {
        let m = self.0.borrow();
        let total: usize = m.values().sum::<usize>().max(1);
        m.iter()
            .map(|(k, n)| format!("{k} {:.1}%", 100.0 * *n as f64 / total as f64))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Run `test` on `cases()` inputs from `strategy`; print the seed, the count, the time and
/// the outcomes.
fn fuzz<S: Strategy>(
    name: &str,
    outcomes: &Outcomes,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let seed: u64 = std::env::var("SOUNDALIKE_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..8 + name.len().min(24)].copy_from_slice(&name.as_bytes()[..name.len().min(24)]);
    let cases = cases();
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
    let start = Instant::now();
    let result = runner.run(&strategy, test);
    let secs = start.elapsed().as_secs_f64();
    eprintln!("fuzz {name}: {cases} cases in {secs:.2} s (SOUNDALIKE_FUZZ_SEED={seed})");
    eprintln!("  outcomes: {}", outcomes.summary());
    if let Err(e) = result {
        panic!("fuzz {name} failed (replay with SOUNDALIKE_FUZZ_SEED={seed}): {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Byte mutations

/// One edit of a byte string. Positions are taken modulo the length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: usize,
        mask: u8,
    },
    Set {
        at: usize,
        byte: u8,
    },
    /// Write a boundary value (0, 1, 0x7F…, 0xFF…, a small count) as u32 LE.
    Word {
        at: usize,
        value: u32,
    },
    Truncate {
        at: usize,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    Remove {
        at: usize,
        len: usize,
    },
    /// Copy a chunk of the input over another place (repeats a section, a length, a string).
    Copy {
        from: usize,
        to: usize,
        len: usize,
    },
    /// Copy a chunk of another seed over this input.
    Splice {
        seed: usize,
        from: usize,
        to: usize,
        len: usize,
    },
}

/// Positions: often near the front (headers, metadata), sometimes anywhere.
fn position() -> impl Strategy<Value = usize> {
    prop_oneof![0..32usize, 0..512usize, any::<usize>()]
}

fn boundary() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0u32),
        Just(1),
        Just(0x7F),
        Just(0xFF),
        Just(0xFFFF),
        Just(0x7FFF_FFFF),
        Just(0x8000_0000),
        Just(u32::MAX),
        0..300u32,
        any::<u32>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (position(), 1..=255u8).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        2 => (position(), any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
        2 => (position(), boundary()).prop_map(|(at, value)| Mutation::Word { at, value }),
        1 => position().prop_map(|at| Mutation::Truncate { at }),
        1 => (position(), vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (position(), 1..64usize).prop_map(|(at, len)| Mutation::Remove { at, len }),
        1 => (position(), position(), 1..128usize).prop_map(|(from, to, len)| Mutation::Copy { from, to, len }),
        1 => (any::<usize>(), position(), position(), 1..256usize)
            .prop_map(|(seed, from, to, len)| Mutation::Splice { seed, from, to, len }),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    vec(mutation(), 1..6)
}

fn apply(data: &mut Vec<u8>, m: &Mutation, seeds: &[Vec<u8>]) {
    let n = data.len();
    match m {
        Mutation::Flip { at, mask } if n > 0 => data[at % n] ^= mask,
        Mutation::Set { at, byte } if n > 0 => data[at % n] = *byte,
        Mutation::Word { at, value } if n > 0 => {
            let at = at % n;
            let end = (at + 4).min(n);
            data[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
        }
        Mutation::Truncate { at } => data.truncate(at % (n + 1)),
        Mutation::Insert { at, bytes } => {
            let at = at % (n + 1);
            data.splice(at..at, bytes.iter().copied());
        }
        Mutation::Remove { at, len } if n > 0 => {
            let at = at % n;
            data.drain(at..(at + len).min(n));
        }
        Mutation::Copy { from, to, len } if n > 0 => {
            let from = from % n;
            let chunk = data[from..(from + len).min(n)].to_vec();
            overwrite(data, to % n, &chunk);
        }
        Mutation::Splice {
            seed,
            from,
            to,
            len,
        } if !seeds.is_empty() => {
            let other = &seeds[seed % seeds.len()];
            if other.is_empty() {
                return;
            }
            let from = from % other.len();
            let chunk = other[from..(from + len).min(other.len())].to_vec();
            overwrite(data, to % (n + 1), &chunk);
        }
        _ => {}
    }
}

/// Write `chunk` at `at`, growing `data` when it runs past the end.
fn overwrite(data: &mut Vec<u8>, at: usize, chunk: &[u8]) {
    let end = at + chunk.len();
    if end > data.len() {
        data.resize(end, 0);
    }
    data[at..end].copy_from_slice(chunk);
}

fn mutate(seed: &[u8], ms: &[Mutation], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for m in ms {
        apply(&mut d, m, seeds);
    }
    d
}

/// A seed (by index) with mutations, or raw arbitrary bytes.
#[derive(Debug, Clone)]
enum Input {
    Mutated { seed: usize, edits: Vec<Mutation> },
    Raw(Vec<u8>),
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        4 => (any::<usize>(), mutations()).prop_map(|(seed, edits)| Input::Mutated { seed, edits }),
        1 => vec(any::<u8>(), 0..1024).prop_map(Input::Raw),
    ]
}

fn realise(input: &Input, seeds: &[Vec<u8>]) -> Vec<u8> {
    match input {
        Input::Mutated { seed, edits } => mutate(&seeds[seed % seeds.len()], edits, seeds),
        Input::Raw(b) => b.clone(),
    }
}

/// Text inputs: a mutated seed read back as UTF-8 (lossily), or an arbitrary string.
fn realise_text(input: &Input, seeds: &[Vec<u8>]) -> String {
    String::from_utf8_lossy(&realise(input, seeds)).into_owned()
}

fn text_input() -> impl Strategy<Value = (Input, String)> {
    (
        input(),
        prop_oneof![
            any::<String>(),
            "[ -~\n\t]{0,200}",
            "[a-zA-Z0-9,;#=&\"{}\\[\\]:. \n-]{0,120}"
        ],
    )
}

// ---------------------------------------------------------------------------------------------
// Catalog seeds, built at test time (never committed)

const FIXTURE: &str = include_str!("fixtures/html-titles.csv");

const HEADER: &str = "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms";

/// `n` synthetic TidyTuesday rows with `genres` distinct genres, some missing years.
fn synthetic_csv(n: usize, genres: usize) -> String {
    let mut s = format!("{HEADER}\n");
    for i in 0..n {
        let id = format::u128_to_id(0x1234_5678_9abc_def0_u128 * (i as u128 + 7));
        let f = |k: usize| ((i * 37 + k * 11) % 100) as f32 / 100.0;
        let year = if i % 5 == 0 {
            String::new()
        } else {
            format!("{}-01-01", 1960 + i % 60)
        };
        s.push_str(&format!(
            "{id},Song {i},Artist {a},{pop},alb,Album,{year},,,g{g},sub,{},{},{},{},{},{},{},{},{},{},{},200000\n",
            f(0),
            f(1),
            i % 12,
            -30.0 + 25.0 * f(2),
            i % 2,
            f(3),
            f(4),
            f(5) * f(5),
            f(6),
            f(7),
            60.0 + 120.0 * f(8),
            a = i % 7,
            pop = (i * 13) % 101,
            g = i % genres.max(1),
        ));
    }
    s
}

fn catalog_from_csv(text: &str) -> Catalog {
    let (rows, _) = ingest::read_tracks_from(text.as_bytes(), Path::new("seed.csv"), &mut |_| {})
        .expect("seed CSV reads");
    let raws: Vec<RawTrack> = rows
        .into_iter()
        .map(|r| RawTrack {
            track: r.track,
            raw: r.raw,
        })
        .collect();
    Catalog::from_raw(raws)
}

/// The first `rows` data lines of a real CSV, when ../shared/data is present.
fn real_slice(rel: &str, rows: usize) -> Option<String> {
    let text = std::fs::read_to_string(soundalike::catalog::default_data_dir().join(rel)).ok()?;
    Some(text.lines().take(rows + 1).collect::<Vec<_>>().join("\n") + "\n")
}

fn catalog_seeds() -> &'static Vec<Vec<u8>> {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut csvs = vec![
            FIXTURE.to_string(),
            synthetic_csv(40, 6),
            synthetic_csv(24, 300),
            synthetic_csv(1, 1),
        ];
        csvs.extend(real_slice(
            "tidytuesday_spotify_songs/spotify_songs.csv",
            48,
        ));
        csvs.extend(real_slice("spotify_hit_predictor/dataset-of-00s.csv", 48));
        csvs.iter()
            .map(|c| {
                catalog_from_csv(c)
                    .to_bytes()
                    .expect("seed catalog encodes")
            })
            .collect()
    })
}

/// The decoder's promises about a catalog it accepted.
fn check_catalog(c: &Catalog) -> Result<(), TestCaseError> {
    prop_assert_eq!(c.tracks.len(), c.features.len());
    for (i, (t, f)) in c.tracks.iter().zip(&c.features).enumerate() {
        prop_assert!(
            f.iter().all(|x| (0.0..=1.0).contains(x)),
            "track {} has features outside [0, 1]: {:?}",
            i,
            f
        );
        prop_assert!(c.index_of(&t.id).is_some());
        prop_assert!(t.popularity.is_none_or(|p| p <= 100));
    }
    prop_assert!(c.scaler.is_valid());
    Ok(())
}

/// A decoded catalog keeps its promises; an error says it is about the catalog.
fn check_decoded(
    seen: &Outcomes,
    r: Result<Catalog, format::FormatError>,
) -> Result<(), TestCaseError> {
    match r {
        Ok(c) => {
            seen.ok();
            check_catalog(&c)
        }
        Err(e) => {
            seen.err(&e);
            prop_assert!(e.to_string().contains("catalog"), "{}", e);
            Ok(())
        }
    }
}

const HEADER_LEN: usize = 24;

/// Wrap a compressed payload in a catalog header with a valid checksum.
fn wrap_catalog(version: u16, raw_len: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&raw_len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

fn compress(raw: &[u8]) -> Vec<u8> {
    soundalike::catalog::format::compress(raw)
}

fn decompress(file: &[u8]) -> Vec<u8> {
    let mut raw = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::ZlibDecoder::new(&file[HEADER_LEN..]),
        &mut raw,
    )
    .expect("seed inflates");
    raw
}

type Section = ([u8; 4], Vec<u8>);

fn split_sections(raw: &[u8]) -> Vec<Section> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= raw.len() {
        let tag: [u8; 4] = raw[at..at + 4].try_into().unwrap();
        let len = u32::from_le_bytes(raw[at + 4..at + 8].try_into().unwrap()) as usize;
        out.push((tag, raw[at + 8..at + 8 + len].to_vec()));
        at += 8 + len;
    }
    out
}

const TAGS: [&[u8; 4]; 9] = [
    b"META", b"IDS_", b"NAME", b"ARTS", b"YEAR", b"POPU", b"GENR", b"FEAT", b"XTRA",
];

/// One edit of the section table.
#[derive(Debug, Clone)]
enum SectionEdit {
    Drop(usize),
    Duplicate(usize),
    Swap(usize, usize),
    /// Put section b's bytes under section a's tag (a column of the wrong width or kind).
    Replace(usize, usize),
    Retag(usize, usize),
    /// Mutate the bytes inside one section (postcard META/NAME/ARTS, the fixed columns).
    Inner(usize, Vec<Mutation>),
    /// Write a wrong length into one section's header.
    Length(usize, u32),
}

fn section_edit() -> impl Strategy<Value = SectionEdit> {
    let i = any::<usize>();
    prop_oneof![
        1 => i.prop_map(SectionEdit::Drop),
        1 => i.prop_map(SectionEdit::Duplicate),
        1 => (i, any::<usize>()).prop_map(|(a, b)| SectionEdit::Swap(a, b)),
        1 => (i, any::<usize>()).prop_map(|(a, b)| SectionEdit::Replace(a, b)),
        1 => (i, any::<usize>()).prop_map(|(a, b)| SectionEdit::Retag(a, b)),
        5 => (i, mutations()).prop_map(|(a, m)| SectionEdit::Inner(a, m)),
        1 => (i, boundary()).prop_map(|(a, v)| SectionEdit::Length(a, v)),
    ]
}

fn join_sections(sections: &[Section], bad_len: Option<(usize, u32)>) -> Vec<u8> {
    let mut raw = Vec::new();
    for (k, (tag, data)) in sections.iter().enumerate() {
        raw.extend_from_slice(tag);
        let len = match bad_len {
            Some((i, v)) if i == k => v,
            _ => data.len() as u32,
        };
        raw.extend_from_slice(&len.to_le_bytes());
        raw.extend_from_slice(data);
    }
    raw
}

fn edit_sections(raw: &[u8], edits: &[SectionEdit], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut s = split_sections(raw);
    let mut bad_len = None;
    for e in edits {
        let n = s.len();
        if n == 0 {
            break;
        }
        match e {
            SectionEdit::Drop(i) => {
                s.remove(i % n);
            }
            SectionEdit::Duplicate(i) => {
                let d = s[i % n].clone();
                s.insert(i % n, d);
            }
            SectionEdit::Swap(a, b) => s.swap(a % n, b % n),
            SectionEdit::Replace(a, b) => s[a % n].1 = s[b % n].1.clone(),
            SectionEdit::Retag(a, t) => s[a % n].0 = *TAGS[t % TAGS.len()],
            SectionEdit::Inner(a, ms) => {
                let d = &mut s[a % n].1;
                *d = mutate(d, ms, seeds);
            }
            SectionEdit::Length(a, v) => bad_len = Some((a % n, *v)),
        }
    }
    join_sections(&s, bad_len)
}

/// What reaches the inner decoders with a valid checksum.
#[derive(Debug, Clone)]
enum PastCrc {
    /// Edit the section table, recompress, rewrap.
    Sections {
        seed: usize,
        edits: Vec<SectionEdit>,
        raw_edits: Vec<Mutation>,
    },
    /// Mutate the zlib stream itself, rewrap (same declared size, or a boundary value).
    Zlib {
        seed: usize,
        edits: Vec<Mutation>,
        raw_len: Option<u32>,
    },
    /// Arbitrary bytes as the inflated payload.
    RawSections(Vec<u8>),
}

fn past_crc() -> impl Strategy<Value = PastCrc> {
    prop_oneof![
        4 => (any::<usize>(), vec(section_edit(), 0..4), vec(mutation(), 0..3))
            .prop_map(|(seed, edits, raw_edits)| PastCrc::Sections { seed, edits, raw_edits }),
        2 => (any::<usize>(), mutations(), proptest::option::of(boundary()))
            .prop_map(|(seed, edits, raw_len)| PastCrc::Zlib { seed, edits, raw_len }),
        1 => vec(any::<u8>(), 0..600).prop_map(PastCrc::RawSections),
    ]
}

fn catalog_raws() -> &'static Vec<Vec<u8>> {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| catalog_seeds().iter().map(|f| decompress(f)).collect())
}

#[test]
fn catalog_file() {
    let seeds = catalog_seeds();
    for s in seeds {
        check_catalog(&Catalog::from_bytes(s).expect("seed decodes")).unwrap();
    }
    let seen = Outcomes::default();
    fuzz("catalog_file", &seen, input(), |inp| {
        check_decoded(&seen, Catalog::from_bytes(&realise(&inp, seeds)))
    });
}

#[test]
fn catalog_payload() {
    let seeds = catalog_seeds();
    let raws = catalog_raws();
    let seen = Outcomes::default();
    fuzz("catalog_payload", &seen, past_crc(), |case| {
        let file = match &case {
            PastCrc::Sections {
                seed,
                edits,
                raw_edits,
            } => {
                let raw = edit_sections(&raws[seed % raws.len()], edits, raws);
                let raw = mutate(&raw, raw_edits, raws);
                wrap_catalog(format::VERSION, raw.len() as u32, &compress(&raw))
            }
            PastCrc::Zlib {
                seed,
                edits,
                raw_len,
            } => {
                let i = seed % seeds.len();
                let payload = mutate(&seeds[i][HEADER_LEN..], edits, &[]);
                let len = raw_len.unwrap_or(raws[i].len() as u32);
                wrap_catalog(format::VERSION, len, &payload)
            }
            PastCrc::RawSections(raw) => {
                wrap_catalog(format::VERSION, raw.len() as u32, &compress(raw))
            }
        };
        check_decoded(&seen, Catalog::from_bytes(&file))
    });
}

// ---------------------------------------------------------------------------------------------
// Weights

const WEIGHTS: &[u8] = include_bytes!("../www/weights.bin");
const W_HEADER: usize = 28;

fn weights_seeds() -> &'static Vec<Vec<u8>> {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let w = Weights::from_bytes(WEIGHTS).expect("committed weights load");
        // The same autoencoder with a head of the other input kind (a 32-wide head).
        let dev = soundalike::model::cpu();
        let other = soundalike::model::HeadInput::Embedding;
        let head = weights::Head::new(other, &dev);
        let alt = weights::pack(
            &weights::write_tensors(&w.autoencoder.tensors()),
            &head.to_section(),
            other.tag(),
            w.objective.tag(),
            0.25,
        );
        vec![WEIGHTS.to_vec(), alt]
    })
}

/// The two tensor sections of a weights file, and its head tag and blend.
fn weights_parts(file: &[u8]) -> (Vec<u8>, Vec<u8>, u8, f32) {
    // byte 7, the objective, is left to the byte-level mutations
    let ae_len = u32::from_le_bytes(file[16..20].try_into().unwrap()) as usize;
    let payload = &file[W_HEADER..];
    let blend = f32::from_le_bytes(file[12..16].try_into().unwrap());
    (
        payload[..ae_len].to_vec(),
        payload[ae_len..].to_vec(),
        file[6],
        blend,
    )
}

/// Decoded weights must run: encode a few tracks and score them.
fn check_weights(w: &Weights) -> Result<(), TestCaseError> {
    let feats: Vec<[f32; N_IN]> = (0..3)
        .map(|i| std::array::from_fn(|j| ((i * 5 + j) % 11) as f32 / 10.0))
        .collect();
    let emb = encode_all(w, &feats);
    prop_assert_eq!(emb.len(), 3);
    let p = mean_of(&emb, &[0, 1]);
    let s = head_scores(&w.head, &emb, p.as_ref());
    prop_assert_eq!(s.len(), 3);
    prop_assert!((0.0..=1.0).contains(&w.blend));
    Ok(())
}

fn check_loaded(
    seen: &Outcomes,
    r: Result<Weights, weights::WeightsError>,
) -> Result<(), TestCaseError> {
    match r {
        Ok(w) => {
            seen.ok();
            check_weights(&w)
        }
        Err(e) => {
            seen.err(&e);
            prop_assert!(!e.to_string().is_empty());
            Ok(())
        }
    }
}

/// Edits of a tensor section: well-formed sections that claim something else (a shape, a
/// name, a value, a tensor too many or too few), or its bytes mutated.
#[derive(Debug, Clone)]
enum PackEdit {
    /// Set the first dimension of the k-th tensor, its data resized to match (capped).
    Dim(usize, u32),
    /// Flatten the k-th tensor to rank 1, or give it a rank-3 shape.
    Rank(usize, bool),
    /// Rename the k-th tensor to the j-th's name, or to a name of its own.
    Rename(usize, usize, bool),
    /// Drop or duplicate the k-th tensor.
    Drop(usize),
    Dup(usize),
    /// Set one value (NaN, ±∞, huge or ordinary).
    Value(usize, usize, f32),
    Bytes(Vec<Mutation>),
}

fn pack_edit() -> impl Strategy<Value = PackEdit> {
    prop_oneof![
        1 => (any::<usize>(), prop_oneof![Just(0u32), Just(1), Just(16), Just(21), Just(32), Just(64), 0..100_000u32, any::<u32>()])
            .prop_map(|(k, v)| PackEdit::Dim(k, v)),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(k, up)| PackEdit::Rank(k, up)),
        1 => (any::<usize>(), any::<usize>(), any::<bool>()).prop_map(|(k, j, own)| PackEdit::Rename(k, j, own)),
        1 => any::<usize>().prop_map(PackEdit::Drop),
        1 => any::<usize>().prop_map(PackEdit::Dup),
        1 => (any::<usize>(), any::<usize>(), prop_oneof![Just(f32::NAN), Just(f32::INFINITY), Just(f32::NEG_INFINITY), Just(f32::MAX), any::<f32>()])
            .prop_map(|(k, i, v)| PackEdit::Value(k, i, v)),
        4 => mutations().prop_map(PackEdit::Bytes),
    ]
}

fn edit_pack(rec: &mut Vec<u8>, e: &PackEdit, seeds: &[Vec<u8>]) {
    if let PackEdit::Bytes(ms) = e {
        *rec = mutate(rec, ms, seeds);
        return;
    }
    // structural edits need a readable section (an earlier byte edit may have broken it)
    let Ok(mut t) = weights::read_tensors(rec, "fuzz") else {
        return;
    };
    if t.is_empty() {
        return;
    }
    let n = t.len();
    match e {
        PackEdit::Dim(k, v) => {
            let x = &mut t[k % n];
            x.shape[0] = *v as usize;
            let len: usize = x.shape.iter().product::<usize>().min(1 << 16);
            x.data.resize(len, 0.5);
        }
        PackEdit::Rank(k, up) => {
            let x = &mut t[k % n];
            x.shape = if *up {
                vec![1, x.data.len(), 1]
            } else {
                vec![x.data.len()]
            };
        }
        PackEdit::Rename(k, j, own) => {
            t[k % n].name = if *own {
                "enc1.weight\u{0}".into()
            } else {
                t[j % n].name.clone()
            };
        }
        PackEdit::Drop(k) => {
            t.remove(k % n);
        }
        PackEdit::Dup(k) => t.push(t[k % n].clone()),
        PackEdit::Value(k, i, v) => {
            let x = &mut t[k % n];
            if !x.data.is_empty() {
                let l = x.data.len();
                x.data[i % l] = *v;
            }
        }
        PackEdit::Bytes(_) => unreachable!(),
    }
    *rec = weights::write_tensors(&t);
}

#[derive(Debug, Clone)]
enum WeightsCase {
    /// Edit the autoencoder and/or head tensors, repack with a valid checksum.
    Records {
        seed: usize,
        ae: Vec<PackEdit>,
        head: Vec<PackEdit>,
        tag: Option<u8>,
        blend: Option<f32>,
    },
    /// Swap or duplicate the sections.
    Shuffle {
        seed: usize,
        ae_from: u8,
        head_from: u8,
    },
}

fn weights_case() -> impl Strategy<Value = WeightsCase> {
    prop_oneof![
        6 => (
            any::<usize>(),
            vec(pack_edit(), 0..3),
            vec(pack_edit(), 0..3),
            proptest::option::weighted(0.2, 0..3u8),
            proptest::option::weighted(0.2, any::<f32>()),
        )
            .prop_map(|(seed, ae, head, tag, blend)| WeightsCase::Records { seed, ae, head, tag, blend }),
        1 => (any::<usize>(), 0..4u8, 0..4u8)
            .prop_map(|(seed, ae_from, head_from)| WeightsCase::Shuffle { seed, ae_from, head_from }),
    ]
}

fn record_seeds() -> &'static Vec<Vec<u8>> {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        weights_seeds()
            .iter()
            .flat_map(|f| {
                let (a, h, _, _) = weights_parts(f);
                [a, h]
            })
            .collect()
    })
}

#[test]
fn weights_file() {
    let seeds = weights_seeds();
    for s in seeds {
        check_weights(&Weights::from_bytes(s).expect("seed loads")).unwrap();
    }
    let seen = Outcomes::default();
    fuzz("weights_file", &seen, input(), |inp| {
        check_loaded(&seen, Weights::from_bytes(&realise(&inp, seeds)))
    });
}

#[test]
fn weights_payload() {
    let seeds = weights_seeds();
    let records = record_seeds();
    let seen = Outcomes::default();
    fuzz("weights_payload", &seen, weights_case(), |case| {
        let file = match &case {
            WeightsCase::Records {
                seed,
                ae,
                head,
                tag,
                blend,
            } => {
                let (mut a, mut h, t, b) = weights_parts(&seeds[seed % seeds.len()]);
                for e in ae {
                    edit_pack(&mut a, e, records);
                }
                for e in head {
                    edit_pack(&mut h, e, records);
                }
                weights::pack(&a, &h, tag.unwrap_or(t), 1, blend.unwrap_or(b))
            }
            WeightsCase::Shuffle {
                seed,
                ae_from,
                head_from,
            } => {
                let base = 2 * (seed % seeds.len());
                let pick = |k: u8| &records[(base + k as usize) % records.len()];
                let (_, _, t, b) = weights_parts(&seeds[seed % seeds.len()]);
                weights::pack(pick(*ae_from), pick(*head_from), t, 1, b)
            }
        };
        check_loaded(&seen, Weights::from_bytes(&file))
    });
}

// ---------------------------------------------------------------------------------------------
// Tuned head (what the page keeps in localStorage)

/// The shipped head and a freshly initialised one of the same kind, as tuned-head bytes.
fn tuned_seeds() -> &'static Vec<Vec<u8>> {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let w = Weights::from_bytes(WEIGHTS).expect("committed weights load");
        let fresh = weights::Head::new(w.head.input, &soundalike::model::cpu());
        vec![
            tuned::to_bytes(&w.head, &w.head),
            tuned::to_bytes(&fresh, &w.head),
        ]
    })
}

/// A decoded tuned head must score like any head: one finite-or-not number per track, no panic.
fn check_tuned(
    seen: &Outcomes,
    r: Result<weights::Head, tuned::TunedHeadError>,
) -> Result<(), TestCaseError> {
    match r {
        Ok(h) => {
            seen.ok();
            let w = Weights::from_bytes(WEIGHTS).expect("committed weights load");
            let feats: Vec<[f32; N_IN]> = (0..3)
                .map(|i| std::array::from_fn(|j| ((i * 3 + j) % 7) as f32 / 6.0))
                .collect();
            let emb = encode_all(&w, &feats);
            let p = mean_of(&emb, &[0, 2]);
            prop_assert_eq!(head_scores(&h, &emb, p.as_ref()).len(), 3);
            Ok(())
        }
        Err(e) => {
            seen.err(&e);
            prop_assert!(!e.to_string().is_empty());
            Ok(())
        }
    }
}

#[derive(Debug, Clone)]
enum TunedCase {
    /// Byte-level mutations of a whole stored value.
    Bytes(Input),
    /// Well-formed header, edited tensors.
    Record {
        seed: usize,
        edits: Vec<PackEdit>,
        tag: Option<u8>,
    },
}

#[test]
fn tuned_head() {
    let seeds = tuned_seeds();
    let shipped = Weights::from_bytes(WEIGHTS)
        .expect("committed weights load")
        .head;
    for s in seeds {
        tuned::from_bytes(s, &shipped).expect("seed loads");
    }
    let records: Vec<Vec<u8>> = seeds
        .iter()
        .map(|s| s[tuned::HEADER_LEN..].to_vec())
        .collect();
    let seen = Outcomes::default();
    let case = prop_oneof![
        1 => input().prop_map(TunedCase::Bytes),
        2 => (any::<usize>(), vec(pack_edit(), 1..3), proptest::option::weighted(0.1, any::<u8>()))
            .prop_map(|(seed, edits, tag)| TunedCase::Record { seed, edits, tag }),
    ];
    fuzz("tuned_head", &seen, case, |case| {
        let bytes = match &case {
            TunedCase::Bytes(inp) => realise(inp, seeds),
            TunedCase::Record { seed, edits, tag } => {
                let s = &seeds[seed % seeds.len()];
                let mut rec = s[tuned::HEADER_LEN..].to_vec();
                for e in edits {
                    edit_pack(&mut rec, e, &records);
                }
                let mut b = s[..tuned::HEADER_LEN].to_vec();
                if let Some(t) = tag {
                    b[8] = *t;
                }
                b.extend(rec);
                b
            }
        };
        check_tuned(&seen, tuned::from_bytes(&bytes, &shipped))
    });
}

// ---------------------------------------------------------------------------------------------
// Personal model ("Save my model" / "Load my model")

/// Saved models: the shipped head and a fresh one, with likes, dislikes and a ban.
fn personal_seeds() -> &'static Vec<Vec<u8>> {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let w = Weights::from_bytes(WEIGHTS).expect("committed weights load");
        let fresh = weights::Head::new(w.head.input, &soundalike::model::cpu());
        let ids: Vec<String> = (0..4)
            .map(|i| format::u128_to_id(123_456_789_u128.pow(4) * (i + 1)))
            .collect();
        let mut st = Stored::new(ids[..3].to_vec(), ids[3..].to_vec());
        st.banned_artists = vec!["Some Artist".into()];
        st.max_per_artist = Some(3);
        vec![
            personal::to_bytes(&st, &w.head, &w.head),
            personal::to_bytes(&Stored::new(vec![], vec![]), &fresh, &w.head),
        ]
    })
}

/// The container around edited parts, with the checksum (and the lengths, unless given) right.
fn pack_personal(likes: &[u8], head: &[u8], lens: Option<(u32, u32)>) -> Vec<u8> {
    let (l, h) = lens.unwrap_or((likes.len() as u32, head.len() as u32));
    let mut b = b"SLMODEL\0".to_vec();
    b.extend_from_slice(&personal::VERSION.to_le_bytes());
    b.extend_from_slice(&l.to_le_bytes());
    b.extend_from_slice(&h.to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(likes);
    crc.update(head);
    b.extend_from_slice(&crc.finalize().to_le_bytes());
    b.extend_from_slice(likes);
    b.extend_from_slice(head);
    b
}

#[derive(Debug, Clone)]
enum PersonalCase {
    /// Byte-level mutations of a whole saved file.
    Bytes(Input),
    /// Edited likes JSON and/or head tensors, repacked with a valid checksum.
    Parts {
        seed: usize,
        likes: Vec<Mutation>,
        head: Vec<PackEdit>,
        lens: Option<(u32, u32)>,
    },
}

#[test]
fn personal_model() {
    let seeds = personal_seeds();
    let shipped = Weights::from_bytes(WEIGHTS)
        .expect("committed weights load")
        .head;
    let parts: Vec<(Vec<u8>, Vec<u8>)> = seeds
        .iter()
        .map(|s| {
            let l = u32::from_le_bytes(s[10..14].try_into().unwrap()) as usize;
            let body = &s[personal::HEADER_LEN..];
            (body[..l].to_vec(), body[l..].to_vec())
        })
        .collect();
    for s in seeds {
        personal::from_bytes(s, &shipped).expect("seed loads");
    }
    let likes_seeds: Vec<Vec<u8>> = parts.iter().map(|p| p.0.clone()).collect();
    let records: Vec<Vec<u8>> = parts
        .iter()
        .map(|p| p.1[tuned::HEADER_LEN..].to_vec())
        .collect();
    let seen = Outcomes::default();
    let case = prop_oneof![
        1 => input().prop_map(PersonalCase::Bytes),
        2 => (
            any::<usize>(),
            vec(mutation(), 0..3),
            vec(pack_edit(), 0..2),
            proptest::option::weighted(0.1, (0..4096u32, 0..20000u32)),
        )
            .prop_map(|(seed, likes, head, lens)| PersonalCase::Parts { seed, likes, head, lens }),
    ];
    fuzz("personal_model", &seen, case, |case| {
        let bytes = match &case {
            PersonalCase::Bytes(inp) => realise(inp, seeds),
            PersonalCase::Parts {
                seed,
                likes,
                head,
                lens,
            } => {
                let (l, h) = &parts[seed % parts.len()];
                let l = mutate(l, likes, &likes_seeds);
                let mut rec = h[tuned::HEADER_LEN..].to_vec();
                for e in head {
                    edit_pack(&mut rec, e, &records);
                }
                let mut h2 = h[..tuned::HEADER_LEN].to_vec();
                h2.extend(rec);
                pack_personal(&l, &h2, *lens)
            }
        };
        match personal::from_bytes(&bytes, &shipped) {
            Ok(p) => {
                prop_assert!(p
                    .likes
                    .likes
                    .iter()
                    .chain(&p.likes.dislikes)
                    .all(|id| likes::valid_id(id)));
                check_tuned(&seen, Ok(p.head))
            }
            Err(e) => {
                seen.err(&e);
                prop_assert!(!e.to_string().is_empty());
                Ok(())
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Likes, share links, pasted rows

fn spotify_id() -> impl Strategy<Value = String> {
    // Every u128 is a 22-digit base62 id (62^22 > 2^128).
    any::<u128>().prop_map(format::u128_to_id)
}

fn likes_seeds() -> Vec<Vec<u8>> {
    let ids: Vec<String> = (0..5)
        .map(|i| format::u128_to_id(987_654_321_u128.pow(3) * (i + 1)))
        .collect();
    let stored = Stored::new(ids[..3].to_vec(), ids[3..].to_vec());
    vec![
        stored.to_json().into_bytes(),
        serde_json::to_vec(&ids).unwrap(),
        likes::export_csv(&ids).into_bytes(),
        format!("\u{feff}id;name\n{};x\n\"{}\";y\n", ids[0], ids[1]).into_bytes(),
        likes::base64_encode(b"some head bytes \x00\x01\xff").into_bytes(),
    ]
}

fn check_ids(ids: &[String]) -> Result<(), TestCaseError> {
    prop_assert!(ids.len() <= likes::MAX_IDS);
    prop_assert!(ids.iter().all(|s| likes::valid_id(s)), "{:?}", ids);
    let set: std::collections::HashSet<&String> = ids.iter().collect();
    prop_assert_eq!(set.len(), ids.len(), "duplicates in {:?}", ids);
    Ok(())
}

fn dedup(ids: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.iter().filter(|s| seen.insert(*s)).cloned().collect()
}

#[test]
fn likes_import() {
    let seeds = likes_seeds();
    let seen = Outcomes::default();
    fuzz(
        "likes_import",
        &seen,
        (
            text_input(),
            vec(spotify_id(), 0..20),
            vec(any::<u8>(), 0..64),
        ),
        |((inp, arbitrary), ids, blob)| {
            for text in [realise_text(&inp, &seeds), arbitrary] {
                match likes::parse_import(&text) {
                    Ok(got) => {
                        seen.ok();
                        check_ids(&got)?
                    }
                    Err(e) => {
                        seen.err(&e);
                        prop_assert!(!e.to_string().is_empty())
                    }
                }
                if let Ok(st) = Stored::from_json(&text) {
                    check_ids(&dedup(&st.likes))?;
                    prop_assert_eq!(st.version, likes::VERSION);
                }
                let _ = likes::base64_decode(&text);
            }
            // Round trips: every export form imports back to the same ids.
            let want = dedup(&ids);
            if !ids.is_empty() {
                let csv = likes::export_csv(&ids);
                prop_assert_eq!(likes::parse_import(&csv).unwrap(), want.clone());
                let list = serde_json::to_string(&ids).unwrap();
                prop_assert_eq!(likes::parse_import(&list).unwrap(), want.clone());
                let st = Stored::new(ids.clone(), ids[..ids.len() / 2].to_vec());
                prop_assert_eq!(Stored::from_json(&st.to_json()).unwrap(), st.clone());
                prop_assert_eq!(likes::parse_import(&st.to_json()).unwrap(), want);
            }
            prop_assert_eq!(
                likes::base64_decode(&likes::base64_encode(&blob)).unwrap(),
                blob
            );
            Ok(())
        },
    );
}

#[test]
fn share_fragment() {
    let seeds: Vec<Vec<u8>> = vec![
        format!(
            "#{}",
            likes::to_fragment(&[
                "4uLU6hMCjMI75M1A2tKUQC".into(),
                "6f807x0ima9a1j3VPbc7VN".into()
            ])
        )
        .into_bytes(),
        b"#x=1&likes=a,b,,c&y=2".to_vec(),
        b"likes=".to_vec(),
    ];
    let seen = Outcomes::default();
    fuzz(
        "share_fragment",
        &seen,
        (text_input(), vec(spotify_id(), 0..30)),
        |((inp, arbitrary), ids)| {
            for text in [realise_text(&inp, &seeds), arbitrary] {
                match likes::from_fragment(&text) {
                    Some(got) => {
                        seen.add(
                            if got.is_empty() {
                                "some(empty)"
                            } else {
                                "some"
                            }
                            .into(),
                        );
                        check_ids(&got)?;
                    }
                    None => seen.add("none".into()),
                }
            }
            let link = format!("#{}", likes::to_fragment(&ids));
            prop_assert_eq!(likes::from_fragment(&link), Some(dedup(&ids)));
            Ok(())
        },
    );
}

const RANGES: [(f32, f32); 9] = [
    (0.0, 1.0),
    (0.0, 1.0),
    (-80.0, 10.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 1.0),
    (0.0, 300.0),
];

#[test]
fn newtrack_row() {
    let nine = "0.5, 0.7, -6.2, 0.05, 0.1, 0.0, 0.12, 0.6, 120";
    let tidy = r#"6f807x0ima9a1j3VPbc7VN,"I Don't Care, Really",Ed Sheeran,66,2oCs0DGTsRO98Gh5ZSl2Cx,"Album, x",2019-06-14,Pop Remix,37i9dQZF1DXcZDD7cfEKhW,pop,dance pop,0.748,0.916,6,-2.634,1,0.0583,0.102,0,0.0653,0.518,122.036,194754"#;
    let seeds: Vec<Vec<u8>> = vec![
        nine.into(),
        tidy.into(),
        format!("{HEADER}\n{tidy}").into_bytes(),
        "tempo;energy;danceability;loudness;speechiness;acousticness;instrumentalness;liveness;valence\n100;0.2;0.3;-10;0.1;0.9;0.5;0.1;0.2".into(),
    ];
    for s in &seeds {
        newtrack::parse_row(std::str::from_utf8(s).unwrap()).expect("seed parses");
    }
    let valid_row = RANGES.map(|(lo, hi)| lo..=hi);
    let seen = Outcomes::default();
    fuzz(
        "newtrack_row",
        &seen,
        (text_input(), valid_row),
        |((inp, arbitrary), raw)| {
            for text in [realise_text(&inp, &seeds), arbitrary] {
                match newtrack::parse_row(&text) {
                    Ok(r) => {
                        seen.ok();
                        prop_assert!(r.iter().all(|x| x.is_finite()));
                        prop_assert!(newtrack::validate(&r).is_ok());
                    }
                    Err(e) => {
                        seen.err(&e);
                        prop_assert!(!e.to_string().is_empty())
                    }
                }
            }
            // Any in-range row, typed as 9 numbers, reads back exactly.
            let text = raw.map(|x| x.to_string()).join(", ");
            prop_assert_eq!(newtrack::parse_row(&text).unwrap(), raw);
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Dropped CSV files (listener::import) and the stored tracks (listener::yours)

const EXPORTIFY: &str = include_str!("fixtures/exportify-features.csv");
const EXPORTIFY_URI: &str = include_str!("fixtures/exportify-uri.csv");

fn import_seeds() -> &'static Vec<Vec<u8>> {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let mut v = vec![
            EXPORTIFY.as_bytes().to_vec(),
            EXPORTIFY_URI.as_bytes().to_vec(),
            FIXTURE.as_bytes().to_vec(),
            synthetic_csv(12, 3).into_bytes(),
            format!("\u{feff}{EXPORTIFY}").into_bytes(),
        ];
        if let Some(s) = real_slice("tidytuesday_spotify_songs/spotify_songs.csv", 20) {
            v.push(s.into_bytes());
        }
        v
    })
}

/// What any report must satisfy, whatever the bytes: every row accounted for once, ids valid and
/// unique, new tracks with features that pass the cleaning rules.
fn check_report(
    r: &soundalike::listener::import::ImportReport,
    known: &[String],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        r.found.len() + r.new.len() + r.unusable_rows()
            - r.unusable
                .get(&ingest::DropReason::BadId)
                .copied()
                .unwrap_or(0)
            - r.unusable
                .get(&ingest::DropReason::Duplicate)
                .copied()
                .unwrap_or(0)
            - r.unusable
                .get(&ingest::DropReason::Malformed)
                .copied()
                .unwrap_or(0),
        r.tracks
    );
    prop_assert!(r.tracks <= r.rows);
    prop_assert!(r.unusable_rows() <= r.rows);
    prop_assert!(r.examples.len() <= soundalike::listener::import::MAX_EXAMPLES);
    let mut ids = std::collections::HashSet::new();
    for t in &r.new {
        prop_assert!(format::id_to_u128(&t.track.id).is_some());
        prop_assert!(ids.insert(t.track.id.clone()));
        prop_assert!(ingest::check_features(&t.raw).is_ok(), "{:?}", t.raw);
        prop_assert!(!known.contains(&t.track.id));
    }
    for &i in &r.found {
        prop_assert!(i < known.len());
    }
    Ok(())
}

#[test]
fn csv_import() {
    use soundalike::listener::import::import;
    let seeds = import_seeds();
    let seen = Outcomes::default();
    // a few ids count as "in the catalog", so both paths run
    let known: Vec<String> = ["5AjxvUlKsiC47wqaMl9Xvq", "6iq9y7AjzQHb6BAEcn6zJ4"]
        .map(String::from)
        .to_vec();
    fuzz("csv_import", &seen, input(), |inp| {
        let bytes = realise(&inp, seeds);
        match import(bytes, |id| known.iter().position(|k| k == id)) {
            Ok(r) => {
                seen.ok();
                check_report(&r, &known)?
            }
            Err(e) => {
                seen.err(&e);
                prop_assert!(!e.to_string().is_empty())
            }
        }
        Ok(())
    });
}

#[test]
fn stored_tracks() {
    use soundalike::listener::import::import;
    use soundalike::listener::yours;
    let good = import(EXPORTIFY.as_bytes().to_vec(), |_| None).unwrap().new;
    let seeds: Vec<Vec<u8>> = vec![
        yours::encode(&good).into_bytes(),
        yours::encode(&good[..1]).into_bytes(),
        yours::encode(&[]).into_bytes(),
    ];
    let seen = Outcomes::default();
    fuzz("stored_tracks", &seen, text_input(), |(inp, arbitrary)| {
        for text in [realise_text(&inp, &seeds), arbitrary] {
            match yours::decode(&text) {
                Ok(tracks) => {
                    seen.ok();
                    let mut ids = std::collections::HashSet::new();
                    for t in &tracks {
                        prop_assert!(format::id_to_u128(&t.track.id).is_some());
                        prop_assert!(ids.insert(t.track.id.clone()));
                        prop_assert!(ingest::check_features(&t.raw).is_ok());
                    }
                    // what decodes encodes back to the same tracks
                    prop_assert_eq!(yours::decode(&yours::encode(&tracks)).unwrap(), tracks);
                }
                Err(e) => {
                    seen.err(&e);
                    prop_assert!(!e.to_string().is_empty())
                }
            }
        }
        Ok(())
    });
}
