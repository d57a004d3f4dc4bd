//! Catalog tests on the real data in ../shared/data: cleaning counts, the file round trip, every
//! corrupt-input error, and schema detection for each layout.

use std::path::PathBuf;
use std::sync::OnceLock;

use soundalike::catalog::features::{dequantize, quantize, N_BASE};
use soundalike::catalog::format::{FormatError, MAGIC, VERSION};
use soundalike::catalog::ingest::{
    self, build_catalog, detect_schema, Built, Detected, DropReason, Schema,
};
use soundalike::catalog::{default_data_dir, Catalog};

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        build_catalog(&[default_data_dir()], |_, _, _| {}).expect("build from ../shared/data")
    })
}

fn bytes() -> &'static Vec<u8> {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| built().catalog.to_bytes().expect("encode"))
}

#[test]
fn cleaning_counts_on_the_real_data() {
    let r = &built().report;
    let by_name = |n: &str| {
        r.files
            .iter()
            .find(|f| f.path.ends_with(n))
            .unwrap_or_else(|| panic!("{n} not read"))
    };
    // Row counts from the data README.
    assert_eq!(by_name("spotify_songs.csv").rows, 32_833);
    assert_eq!(
        by_name("spotify_songs.csv").schema,
        Some(Schema::TidyTuesday)
    );
    let hp: usize = ["60s", "70s", "80s", "90s", "00s", "10s"]
        .iter()
        .map(|d| by_name(&format!("dataset-of-{d}.csv")).rows)
        .sum();
    assert_eq!(hp, 41_106);
    // The aggregate files are recognised and skipped, not read as tracks.
    assert!(by_name("data_by_genres.csv").skipped.is_some());
    assert!(by_name("data_by_year.csv").skipped.is_some());
    // Nothing silent: every row is kept, merged or dropped with a reason.
    for f in &r.files {
        let dropped: usize = f.dropped.values().sum();
        assert_eq!(f.kept + dropped, f.rows, "{}", f.path.display());
    }
    assert_eq!(r.tracks, built().catalog.len());
    let outliers = r.dropped(DropReason::TempoOutlier)
        + r.dropped(DropReason::LoudnessOutlier)
        + r.dropped(DropReason::OutOfRange);
    // 66,307 distinct ids in all; the only other losses are outlier rows.
    assert!(
        r.tracks <= 66_307 && r.tracks + outliers >= 66_307,
        "tracks {} outliers {outliers}",
        r.tracks
    );
    assert!(r.tracks > 66_000, "{}", r.tracks);
    assert!(
        r.dropped(DropReason::Duplicate) >= 32_833 - 28_356,
        "TidyTuesday repeats its tracks"
    );
    assert!(
        r.dropped(DropReason::TempoOutlier) > 0,
        "tempo-0 rows exist in the data"
    );
    // Playlists: 471 ids in the file, 96 withheld (empty playlist_id) => 375 usable.
    assert_eq!(r.playlists, 375);
    let pl = &built().interactions.playlists;
    assert!(pl.iter().all(|p| !p.id.is_empty() && !p.tracks.is_empty()));
    assert!(pl
        .iter()
        .flat_map(|p| &p.tracks)
        .all(|t| built().catalog.index_of(t).is_some()));
}

#[test]
fn genres_and_metadata_are_merged() {
    let c = &built().catalog;
    let i = c
        .index_of("6f807x0ima9a1j3VPbc7VN")
        .expect("first TidyTuesday track");
    let t = &c.tracks[i];
    assert_eq!(&*t.artist, "Ed Sheeran");
    assert_eq!(t.year, Some(2019));
    assert_eq!(t.popularity, Some(66));
    // One row in a pop playlist, one in an edm playlist: ties go to the alphabetically first.
    assert_eq!(&*t.genre, "edm");
    let j = c
        .index_of("1dtKN6wwlolkM8XZy2y9C1")
        .expect("a Hit Predictor track");
    assert_eq!(c.tracks[j].name, "Jealous Kind Of Fella");
    assert_eq!(c.tracks[j].popularity, None);
    assert_eq!(&*c.tracks[j].genre, "");
}

#[test]
fn catalog_round_trips_field_by_field() {
    let c = &built().catalog;
    let back = Catalog::from_bytes(bytes()).expect("decode");
    assert_eq!(back.len(), c.len());
    for (a, b) in c.tracks.iter().zip(&back.tracks) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.name, b.name);
        assert_eq!(a.artist, b.artist);
        assert_eq!(a.year, b.year);
        assert_eq!(a.popularity, b.popularity);
        assert_eq!(a.genre, b.genre);
    }
    // Identical: engineered features derived at load time equal the builder's.
    assert_eq!(c.features, back.features);
    assert_eq!(c.scaler, back.scaler);
    assert!(back
        .features
        .iter()
        .flatten()
        .all(|x| (0.0..=1.0).contains(x)));
    for t in c.tracks.iter().step_by(997) {
        assert_eq!(
            back.index_of(&t.id).map(|i| &back.tracks[i].id),
            Some(&t.id)
        );
    }
}

#[test]
fn quantization_error_is_within_one_step_on_real_tracks() {
    // Re-read one real file, scale it unquantized with the catalog's scaler, and compare.
    let c = &built().catalog;
    let path = default_data_dir().join("tidytuesday_spotify_songs/spotify_songs.csv");
    let (rows, _) = ingest::read_tracks_csv(&path, |_| {}).unwrap();
    let mut worst = 0f32;
    for row in rows.iter().step_by(7) {
        let exact = c.scaler.scale_base(&row.raw);
        let i = c.index_of(&row.track.id).unwrap();
        let stored = &c.features[i];
        // Features come from the first row of a track id; compare only rows that are that row.
        if (0..N_BASE).all(|j| (stored[j] - exact[j]).abs() <= 1.0 / 255.0) {
            for j in 0..N_BASE {
                worst = worst.max((stored[j] - exact[j]).abs());
            }
        } else {
            // A later duplicate row with different features: it must be one that was merged.
            assert!(
                rows.iter().filter(|r| r.track.id == row.track.id).count() > 1
                    || c.tracks[i].id != row.track.id
            );
        }
    }
    assert!(worst <= 0.5 / 255.0 + 1e-6, "worst base error {worst}");
    assert!(worst > 0.0);
    for x in [0.0, 0.3, 0.77, 1.0] {
        assert!((dequantize(quantize(x)) - x).abs() <= 1.0 / 255.0);
    }
}

#[test]
fn size_target_bytes_per_track() {
    let per = bytes().len() as f64 / built().catalog.len() as f64;
    eprintln!("catalog: {} bytes, {:.2} bytes/track", bytes().len(), per);
    assert!(per <= 40.0, "{per:.2} bytes/track > 40");
}

fn header(raw_len: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&VERSION.to_le_bytes());
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

#[test]
fn each_corrupt_input_gives_its_typed_error() {
    let good = bytes();
    // Truncated inside the header and inside the payload.
    assert!(matches!(
        Catalog::from_bytes(&good[..10]),
        Err(FormatError::TooShort { len: 10 })
    ));
    assert!(matches!(
        Catalog::from_bytes(&[]),
        Err(FormatError::TooShort { len: 0 })
    ));
    let cut = &good[..good.len() - 100];
    assert!(
        matches!(Catalog::from_bytes(cut), Err(FormatError::Truncated { .. })),
        "{:?}",
        Catalog::from_bytes(cut).err()
    );
    // Wrong magic (e.g. an HTML error page served instead of the catalog).
    let html = b"<!DOCTYPE html><html><body>404 Not Found</body></html>";
    assert!(matches!(
        Catalog::from_bytes(html),
        Err(FormatError::BadMagic { .. })
    ));
    // Wrong version: a file from the previous format (one byte per genre) is refused.
    let mut v2 = good.clone();
    v2[8..10].copy_from_slice(&1u16.to_le_bytes());
    assert_eq!(
        Catalog::from_bytes(&v2).unwrap_err(),
        FormatError::UnsupportedVersion {
            found: 1,
            supported: VERSION
        }
    );
    assert!(Catalog::from_bytes(&v2)
        .unwrap_err()
        .to_string()
        .contains("soundalike catalog build"));
    // A flipped bit in the payload.
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    assert!(matches!(
        Catalog::from_bytes(&flipped),
        Err(FormatError::Checksum { .. })
    ));
    // Valid container, garbage payload.
    let garbage = header(1000, &[0xFF; 64]);
    assert!(matches!(
        Catalog::from_bytes(&garbage),
        Err(FormatError::Decompress(_))
    ));
    // Valid compression, missing and inconsistent sections.
    let empty = compress(b"");
    assert_eq!(
        Catalog::from_bytes(&header(0, &empty)).unwrap_err(),
        FormatError::MissingSection("META")
    );
    let mut raw = b"IDS_".to_vec();
    raw.extend_from_slice(&1000u32.to_le_bytes());
    raw.extend_from_slice(&[0; 10]);
    let e = Catalog::from_bytes(&header(raw.len() as u32, &compress(&raw))).unwrap_err();
    assert!(
        matches!(
            e,
            FormatError::BadSection {
                section: "table",
                ..
            }
        ),
        "{e:?}"
    );
    // Every message is a sentence a person can act on.
    for e in [
        Catalog::from_bytes(html).unwrap_err(),
        Catalog::from_bytes(&v2).unwrap_err(),
    ] {
        assert!(e.to_string().contains("catalog"), "{e}");
    }
}

fn write_fixture(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("soundalike-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const FEATS: &str =
    "danceability,energy,loudness,speechiness,acousticness,instrumentalness,liveness,valence,tempo";
const VALS: &str = "0.5,0.6,-7.5,0.05,0.2,0.0,0.1,0.7,120.0";

#[test]
fn schema_detection_for_every_layout() {
    let cases = [
        ("tidy.csv", format!("track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,playlist_name,playlist_id,playlist_genre,playlist_subgenre,{FEATS},key,mode,duration_ms\n4uLU6hMCjMI75M1A2tKUQC,Never Gonna Give You Up,Rick Astley,77,a,b,1987-11-12,,,pop,dance pop,{VALS},1,1,213573\n"), Schema::TidyTuesday, Some(1987)),
        ("hits.csv", format!("track,artist,uri,{FEATS},key,mode,duration_ms,time_signature,chorus_hit,sections,target\nNever Gonna Give You Up,Rick Astley,spotify:track:4uLU6hMCjMI75M1A2tKUQC,{VALS},1,1,213573,4,30.1,10,1\n"), Schema::HitPredictor, None),
        ("data.csv", "valence,year,acousticness,artists,danceability,duration_ms,energy,explicit,id,instrumentalness,key,liveness,loudness,mode,name,popularity,release_date,speechiness,tempo\n0.7,1987,0.2,['Rick Astley'],0.5,213573,0.6,0,4uLU6hMCjMI75M1A2tKUQC,0.0,1,0.1,-7.5,1,Never Gonna Give You Up,77,1987-11-12,0.05,120.0\n".to_string(), Schema::Kaggle160k, Some(1987)),
        ("tracks.csv", format!("id,name,popularity,duration_ms,explicit,artists,id_artists,release_date,{FEATS},key,mode,time_signature\n4uLU6hMCjMI75M1A2tKUQC,Never Gonna Give You Up,77,213573,0,\"['Rick Astley', 'Friend']\",['0gxyHStUsqpMadRV0Di1Qt'],1987-11-12,{VALS},1,1,4\n"), Schema::Kaggle600k, Some(1987)),
        ("dataset.csv", format!(",track_id,artists,album_name,track_name,popularity,duration_ms,explicit,{FEATS},key,mode,time_signature,track_genre\n0,4uLU6hMCjMI75M1A2tKUQC,Rick Astley;Friend,Whenever,Never Gonna Give You Up,77,213573,False,{VALS},1,1,4,dance\n"), Schema::SpotifyTracks, None),
    ];
    for (name, text, schema, year) in cases {
        let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
        assert_eq!(
            detect_schema(&header),
            Ok(Detected::Tracks(schema)),
            "{name}"
        );
        let path = write_fixture(name, &text);
        let (rows, report) = ingest::read_tracks_csv(&path, |_| {}).unwrap();
        assert_eq!(report.schema, Some(schema));
        assert_eq!(rows.len(), 1, "{name}: {report:?}");
        let t = &rows[0].track;
        assert_eq!(t.id, "4uLU6hMCjMI75M1A2tKUQC", "{name}");
        assert_eq!(t.name, "Never Gonna Give You Up", "{name}");
        assert!(t.artist.starts_with("Rick Astley"), "{name}: {}", t.artist);
        assert_eq!(t.year, year, "{name}");
        assert_eq!(rows[0].raw[2], -7.5);
        assert!(
            rows[0].playlist.is_none(),
            "empty playlist fields mean no playlist"
        );
    }
    assert_eq!(
        detect_schema(&[
            "mode",
            "genres",
            "acousticness",
            "danceability",
            "duration_ms",
            "energy",
            "instrumentalness",
            "liveness",
            "loudness",
            "speechiness",
            "tempo",
            "valence",
            "popularity",
            "key"
        ]),
        Ok(Detected::Aggregate)
    );
    let err = detect_schema(&["foo", "bar"]).unwrap_err().to_string();
    assert!(
        err.contains("foo, bar") && err.contains("TidyTuesday"),
        "{err}"
    );
}

#[test]
fn bad_csv_rows_are_counted_and_located() {
    let text = format!(
        "track,artist,uri,{FEATS}\n\
         Good,A,spotify:track:4uLU6hMCjMI75M1A2tKUQC,{VALS}\n\
         Short,A,spotify:track:4uLU6hMCjMI75M1A2tKUQD,0.5\n\
         NaNs,A,spotify:track:4uLU6hMCjMI75M1A2tKUQE,0.5,abc,-7.5,0.05,0.2,0.0,0.1,0.7,120.0\n\
         Empty,A,spotify:track:4uLU6hMCjMI75M1A2tKUQF,0.5,,-7.5,0.05,0.2,0.0,0.1,0.7,120.0\n\
         Fast,A,spotify:track:4uLU6hMCjMI75M1A2tKUQG,0.5,0.6,-7.5,0.05,0.2,0.0,0.1,0.7,301\n\
         Loud,A,spotify:track:4uLU6hMCjMI75M1A2tKUQH,0.5,0.6,9,0.05,0.2,0.0,0.1,0.7,120\n\
         Range,A,spotify:track:4uLU6hMCjMI75M1A2tKUQI,1.5,0.6,-7,0.05,0.2,0.0,0.1,0.7,120\n\
         BadId,A,spotify:track:nope,{VALS}\n"
    );
    let path = write_fixture("bad.csv", &text);
    let (rows, r) = ingest::read_tracks_csv(&path, |_| {}).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(r.rows, 8);
    for (reason, n) in [
        (DropReason::Malformed, 1),
        (DropReason::Unparseable, 1),
        (DropReason::MissingValue, 1),
        (DropReason::TempoOutlier, 1),
        (DropReason::LoudnessOutlier, 1),
        (DropReason::OutOfRange, 1),
        (DropReason::BadId, 1),
    ] {
        assert_eq!(r.dropped.get(&reason), Some(&n), "{reason:?}");
    }
    assert!(r.examples[0].contains("bad.csv:3"), "{:?}", r.examples);
    assert!(
        r.examples[1].contains("bad.csv:4") && r.examples[1].contains("energy"),
        "{:?}",
        r.examples
    );
    // An unknown header stops the build with the columns found.
    let unknown = write_fixture("unknown.csv", "a,b,c\n1,2,3\n");
    let e = ingest::read_tracks_csv(&unknown, |_| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown.csv") && e.contains("a, b, c"), "{e}");
    // A file with no usable rows is an error, not an empty catalog.
    let all_bad = write_fixture(
        "allbad.csv",
        &format!("track,artist,uri,{FEATS}\nX,A,spotify:track:nope,{VALS}\n"),
    );
    assert!(build_catalog(&[all_bad], |_, _, _| {}).is_err());
}

#[test]
fn new_tracks_scale_like_the_catalog() {
    let c = &built().catalog;
    let i = c.index_of("6f807x0ima9a1j3VPbc7VN").unwrap();
    let raw = [
        0.748, 0.916, -2.634, 0.0583, 0.102, 0.0, 0.0653, 0.518, 122.036,
    ];
    let f = c.scaler.scale(&raw);
    for (j, (a, b)) in f.iter().zip(&c.features[i]).enumerate() {
        assert!((a - b).abs() < 0.02, "{j}: {a} vs {b}");
    }
    // One scaler: the scaler read back from the file scales a new track exactly as the builder's
    // did (the page and `place` only have the file), and lands it inside the catalog's [0, 1].
    let back = Catalog::from_bytes(bytes()).expect("decode");
    assert_eq!(back.scaler.scale(&raw), f);
    assert!(f.iter().all(|x| (0.0..=1.0).contains(x)), "{f:?}");
    // Outside the catalog's range it clamps to the edge instead of leaving [0, 1].
    let mut loud = raw;
    loud[2] = 40.0;
    let g = back.scaler.scale(&loud);
    assert_eq!(g[2], 1.0);
    assert!(g.iter().all(|x| (0.0..=1.0).contains(x)), "{g:?}");
}

#[test]
fn parsing_in_slices_of_tracks_equals_the_whole_parse() {
    use soundalike::catalog::format::{decode_raw, Columns, RawDecoder, StreamDecoder};
    let mut d = StreamDecoder::new();
    d.push(bytes());
    let raw = d.finish().expect("inflate");
    let whole = decode_raw(raw.clone()).expect("parse");
    assert_eq!(
        whole.tracks,
        Catalog::from_bytes(bytes()).expect("decode").tracks
    );
    // the engine worker's numbers-only parse, a block at a time, gives what encoding reads
    // from the whole one
    let cols = Columns::new(&raw).expect("columns");
    assert_eq!(cols.len(), whole.len());
    let (mut features, mut contexts) = (Vec::new(), Vec::new());
    for from in (0..cols.len()).step_by(2048) {
        let (f, c) = cols
            .numbers(&raw, from..(from + 2048).min(cols.len()))
            .expect("numbers");
        features.extend(f);
        contexts.extend(c);
    }
    assert_eq!(features, whole.features);
    let whole_contexts: Vec<_> = whole.tracks.iter().map(|t| t.context()).collect();
    assert_eq!(contexts, whole_contexts);
    for slice in [1usize, 999, 8192, usize::MAX] {
        let mut p = RawDecoder::new(raw.clone()).expect("sections");
        let mut steps = 0;
        while !p.step(slice).expect("step") {
            steps += 1;
            assert!(p.progress().0 <= p.progress().1);
            if slice == 1 && steps == 5000 {
                break; // a prefix one track at a time is enough; finish does the rest
            }
        }
        let cat = p.finish().expect("finish");
        assert_eq!(cat.tracks, whole.tracks, "slices of {slice}");
        assert_eq!(cat.features, whole.features, "slices of {slice}");
        assert_eq!(cat.index_of(&whole.tracks[777].id), Some(777));
    }
}

#[test]
fn streaming_decode_in_any_chunks_equals_the_whole_file() {
    use soundalike::catalog::format::{decode_raw, StreamDecoder};
    let good = bytes();
    let whole = Catalog::from_bytes(good).expect("decode");
    // the page's worker gets the file in network chunks of any size, trailing bytes included
    for step in [1usize, 7, 4096, 65_536, good.len()] {
        let mut d = StreamDecoder::new();
        let mut padded = good.clone();
        padded.extend_from_slice(b"trailing");
        for c in padded
            .chunks(step.max(1))
            .take(if step == 1 { 50_000 } else { usize::MAX })
        {
            d.push(c);
        }
        if step == 1 {
            // a byte-wise feed cut short is a truncated file
            assert!(matches!(d.finish(), Err(FormatError::Truncated { .. })));
            continue;
        }
        assert_eq!(d.received(), good.len());
        let cat = decode_raw(d.finish().expect("inflate")).expect("parse");
        assert_eq!(cat.tracks, whole.tracks, "chunks of {step}");
        assert_eq!(cat.features, whole.features, "chunks of {step}");
    }
    // a flipped byte is a checksum error whichever chunk carries it
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    let mut d = StreamDecoder::new();
    for c in flipped.chunks(1000) {
        d.push(c);
    }
    assert!(matches!(d.finish(), Err(FormatError::Checksum { .. })));
}
