//! Dropping a CSV on the page, natively: the hand-made Exportify fixtures (tests/fixtures) and
//! slices of the real TidyTuesday file against the real catalog (../shared/data, committed
//! weights); the listener's tracks added to the one recommender, searched, liked, recommended
//! and taken out again; a catalog made only of them.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use soundalike::catalog::ingest::{read_tracks_csv, read_tracks_from, DropReason, Schema};
use soundalike::catalog::{default_data_dir, Catalog, RawTrack};
use soundalike::listener::import::{import, ImportError, Importer};
use soundalike::listener::yours;
use soundalike::model::Weights;
use soundalike::recommend::{Query, Recommender};

const FEATURES: &str = include_str!("fixtures/exportify-features.csv");
const URI: &str = include_str!("fixtures/exportify-uri.csv");

fn tidy_path() -> std::path::PathBuf {
    default_data_dir().join("tidytuesday_spotify_songs/spotify_songs.csv")
}

fn weights() -> Weights {
    Weights::from_bytes(common::WEIGHTS).expect("committed weights")
}

/// The TidyTuesday catalog (deduplicated as `catalog build` does: first row wins).
fn catalog() -> &'static Catalog {
    static CAT: OnceLock<Catalog> = OnceLock::new();
    CAT.get_or_init(|| common::real_catalog(common::TIDYTUESDAY))
}

fn recommender() -> Recommender {
    Recommender::new(catalog().clone(), weights()).expect("recommender")
}

fn counts(pairs: &[(DropReason, usize)]) -> BTreeMap<DropReason, usize> {
    pairs.iter().copied().collect()
}

#[test]
fn exportify_with_features_counts_every_row() {
    let cat = catalog();
    let r = import(FEATURES.as_bytes().to_vec(), |id| cat.index_of(id)).unwrap();
    assert_eq!(r.schema, Schema::Exportify);
    assert_eq!(r.rows, 10);
    assert_eq!(r.tracks, 7, "valid ids seen once");
    assert!(r.found.is_empty(), "the fixture's ids are invented");
    let titles: Vec<&str> = r.new.iter().map(|t| t.track.name.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Paper Lanterns",
            "Night Bus Home",
            "<img src=x onerror=alert(1)>Harbour Lights",
            "Saltwater, Again"
        ]
    );
    assert_eq!(
        r.unusable,
        counts(&[
            (DropReason::Malformed, 1),
            (DropReason::BadId, 1),
            (DropReason::Unparseable, 1),
            (DropReason::TempoOutlier, 1),
            (DropReason::Duplicate, 1),
            (DropReason::NoFeatures, 1),
        ])
    );
    assert_eq!(r.unusable_rows(), 6);
    let ex = r.examples.join("\n");
    assert!(
        ex.contains("line 6: track id 5zr3QA7YeEEBY3ABp3e2zS repeats"),
        "{ex}"
    );
    assert!(ex.contains("line 7: track id \"not-a-spotify-id\""), "{ex}");
    assert!(ex.contains("line 8: the row has no audio features"), "{ex}");
    assert!(
        ex.contains("line 9: tempo = \"fast\" is not a number"),
        "{ex}"
    );
    // metadata by column name
    let first = &r.new[0];
    assert_eq!(first.track.id, "5zr3QA7YeEEBY3ABp3e2zS");
    assert_eq!(&*first.track.artist, "The Quiet Orchards");
    assert_eq!(first.track.year, Some(2019));
    assert_eq!(first.track.popularity, Some(31));
    assert_eq!(
        first.raw,
        [0.612, 0.448, -9.21, 0.0371, 0.512, 0.00214, 0.109, 0.388, 104.02]
    );
    assert_eq!(r.new[3].track.year, Some(1998));
}

#[test]
fn columns_are_matched_by_name_not_position() {
    // the same file with its columns reversed reads the same
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(FEATURES.as_bytes());
    let mut out = csv::Writer::from_writer(Vec::new());
    let h: Vec<String> = rdr
        .headers()
        .unwrap()
        .iter()
        .rev()
        .map(String::from)
        .collect();
    out.write_record(&h).unwrap();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if rec.len() == h.len() {
            out.write_record(rec.iter().rev()).unwrap();
        }
    }
    let reversed = out.into_inner().unwrap();
    let a = import(FEATURES.as_bytes().to_vec(), |_| None).unwrap();
    let b = import(reversed, |_| None).unwrap();
    assert_eq!(a.new, b.new);
}

#[test]
fn exportify_by_uri_without_features_gives_likes_only() {
    let cat = catalog();
    // the hand-made rows plus five real ids of the catalog, written at test time
    let mut text = URI.to_string();
    let real: Vec<&str> = (0..5).map(|i| cat.tracks[i * 1000].id.as_str()).collect();
    for id in &real {
        text.push_str(&format!(
            "\"spotify:track:{id}\",\"A Real One\",\"\",\"Someone\",\"\",\"\",\"\",\"\",\"2001\",\"\",\"1\",\"1\",\"1000\",\"\",\"false\",\"50\",\"\",\"\",\"\"\n"
        ));
    }
    let r = import(text.into_bytes(), |id| cat.index_of(id)).unwrap();
    assert_eq!(r.schema, Schema::ExportifyUri);
    assert_eq!(r.rows, 9);
    assert_eq!(r.tracks, 8);
    let want: Vec<usize> = (0..5).map(|i| i * 1000).collect();
    assert_eq!(r.found, want);
    assert!(r.new.is_empty());
    assert_eq!(
        r.unusable,
        counts(&[(DropReason::NoFeatures, 3), (DropReason::BadId, 1)])
    );
    assert_eq!(
        r.unusable_lines()[0],
        "3 rows without audio features, for tracks the catalog lacks"
    );
}

/// The first `n` data rows of the TidyTuesday file.
fn tidy_slice(n: usize) -> String {
    let text = std::fs::read_to_string(tidy_path()).expect("TidyTuesday CSV");
    text.lines().take(n + 1).collect::<Vec<_>>().join("\n") + "\n"
}

#[test]
fn a_tidytuesday_slice_is_found_in_the_catalog() {
    let cat = catalog();
    let slice = tidy_slice(200);
    // what `catalog build` keeps of the same bytes
    let (rows, _) =
        read_tracks_from(slice.as_bytes(), Path::new("slice.csv"), &mut |_| {}).unwrap();
    let mut ids: Vec<&str> = rows.iter().map(|r| r.track.id.as_str()).collect();
    ids.dedup();
    let distinct: std::collections::HashSet<&str> = ids.iter().copied().collect();
    let r = import(slice.clone().into_bytes(), |id| cat.index_of(id)).unwrap();
    assert_eq!(r.schema, Schema::TidyTuesday);
    assert_eq!(r.rows, 200);
    assert_eq!(r.found.len(), distinct.len());
    assert!(r.found.len() > 150, "{}", r.found.len());
    for &i in &r.found {
        assert!(distinct.contains(cat.tracks[i].id.as_str()));
    }
    assert_eq!(r.found.len() + r.unusable_rows(), 200);
    // against no catalog, every kept row is new
    let alone = import(slice.into_bytes(), |_| None).unwrap();
    assert_eq!(alone.new.len(), distinct.len());
}

#[test]
fn whole_file_errors_are_typed() {
    let e = import(Vec::new(), |_| None).unwrap_err();
    assert!(matches!(e, ImportError::Empty));
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    assert_eq!(
        import(png, |_| None).unwrap_err().to_string(),
        "this is a PNG image, not a CSV file"
    );
    let e = import(b"name,colour\nsky,blue\n".to_vec(), |_| None).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("Columns found: name, colour"), "{msg}");
    assert!(msg.contains("Exportify"), "{msg}");
    // an Exportify file with only some feature columns names the missing ones
    let e = import(
        b"Spotify ID,Track Name,Artist Name(s),Danceability\n5zr3QA7YeEEBY3ABp3e2zS,a,b,0.5\n"
            .to_vec(),
        |_| None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("energy"), "{e}");
}

#[test]
fn catalog_build_reads_exportify_too() {
    let (rows, report) =
        read_tracks_from(FEATURES.as_bytes(), Path::new("exportify.csv"), &mut |_| {}).unwrap();
    assert_eq!(report.schema, Some(Schema::Exportify));
    // the build drops duplicates later (at the merge); here both copies of one id are kept rows
    assert_eq!(rows.len(), 5);
    assert_eq!(report.rows, 10);
    assert_eq!(report.kept + report.dropped.values().sum::<usize>(), 10);
}

#[test]
fn added_tracks_are_searchable_likeable_and_recommendable() {
    let mut rec = recommender();
    let n = rec.len();
    let cat_scaler = rec.catalog().scaler.clone();
    let r = import(FEATURES.as_bytes().to_vec(), |id| {
        rec.catalog().index_of(id)
    })
    .unwrap();
    // a copy of a catalog track under a new id and title: its nearest neighbour is the original
    let orig = 4321;
    let mut copy = RawTrack {
        track: rec.catalog().tracks[orig].clone(),
        raw: [0.0; 9],
    };
    let (rows, _) = read_tracks_csv(&tidy_path(), |_| {}).unwrap();
    copy.raw = rows
        .iter()
        .find(|row| row.track.id == copy.track.id)
        .unwrap()
        .raw;
    copy.track.id = "0aaaaaaaaaaaaaaaaaaaaa".into();
    copy.track.name = "Twin of a catalog track".into();
    copy.track.artist = "Mirror Band".into();
    let mut new = r.new.clone();
    new.push(copy.clone());
    let added = rec.add_tracks(&new);
    assert_eq!(added, (n..n + 5).collect::<Vec<_>>());
    assert_eq!(rec.len(), n + 5);
    assert_eq!(rec.yours(), n..n + 5);
    assert!(rec.is_yours(n) && !rec.is_yours(n - 1));
    // scaled with the stored scaler, exactly as `place` scales
    assert_eq!(rec.catalog().features[n], cat_scaler.scale(&new[0].raw));
    assert_eq!(rec.catalog().scaler, cat_scaler);
    // adding again adds nothing (ids already there)
    assert!(rec.add_tracks(&new).is_empty());
    // searchable
    let hits = rec.search().search("paper lanterns", 5);
    assert_eq!(hits[0].index, n);
    let hits = rec.search().search("harbour lights", 5);
    assert_eq!(hits[0].index, n + 2);
    // likeable: a query on an added track ranks the catalog and never returns the like
    let out = rec.recommend(&Query::likes(&[n], 20));
    assert_eq!(out.len(), 20);
    assert!(out.iter().all(|x| x.index != n));
    // recommendable: the twin's nearest catalog track is the original, and liking the original
    // brings the twin into the 20 recommendations
    let near = rec.neighbours(&rec.embeddings()[n + 4], 2);
    assert_eq!(near[0].0, n + 4);
    assert_eq!(near[1].0, orig);
    assert!(near[1].1 > 0.99, "{near:?}");
    let out = rec.recommend(&Query::likes(&[orig], 20));
    let pos = out.iter().position(|x| x.index == n + 4);
    assert!(pos.is_some(), "twin not recommended");
    assert_eq!(out[pos.unwrap()].because.map(|b| b.0), Some(orig));
    // the quantized first stage covers the added tracks: the same list as the all-f32 scan
    let ids = |v: Vec<soundalike::recommend::Rec>| v.iter().map(|r| r.index).collect::<Vec<_>>();
    let q = Query::likes(&[orig, n + 1], 20);
    assert_eq!(ids(rec.recommend(&q)), ids(rec.recommend_exact(&q)));
    // a re-import now finds them as likes
    let again = import(FEATURES.as_bytes().to_vec(), |id| {
        rec.catalog().index_of(id)
    })
    .unwrap();
    assert_eq!(again.found, vec![n, n + 1, n + 2, n + 3]);
    assert!(again.new.is_empty());
    // forgotten: back to the catalog, indices of its tracks unchanged
    let before = rec.recommend(&Query::likes(&[10, 20, 30], 10));
    rec.forget_yours();
    assert_eq!(rec.len(), n);
    assert!(rec.yours().is_empty());
    assert!(rec.catalog().index_of("5zr3QA7YeEEBY3ABp3e2zS").is_none());
    assert!(rec.search().search("paper lanterns", 5).is_empty());
    let fresh = recommender();
    let want: Vec<usize> = fresh
        .recommend(&Query::likes(&[10, 20, 30], 10))
        .iter()
        .map(|r| r.index)
        .collect();
    let got: Vec<usize> = rec
        .recommend(&Query::likes(&[10, 20, 30], 10))
        .iter()
        .map(|r| r.index)
        .collect();
    assert_eq!(got, want, "forgetting restores the catalog's ranking");
    assert!(before.iter().all(|r| r.index < n + 5));
}

#[test]
fn stored_tracks_round_trip_into_the_recommender() {
    let r = import(FEATURES.as_bytes().to_vec(), |_| None).unwrap();
    let text = yours::encode(&r.new);
    let back = yours::decode(&text).unwrap();
    assert_eq!(back.len(), 4);
    let mut a = recommender();
    let mut b = recommender();
    a.add_tracks(&r.new);
    b.add_tracks(&back);
    assert_eq!(a.catalog().features, b.catalog().features);
    assert_eq!(a.embeddings(), b.embeddings());
}

#[test]
fn only_my_music_builds_a_catalog_like_catalog_build() {
    let slice = tidy_slice(300);
    let mut imp = Importer::new(slice.clone().into_bytes()).unwrap();
    let mut steps = 0;
    while !imp.step(64, |_| None) {
        steps += 1;
        let (read, total) = imp.progress();
        assert!(read <= total);
    }
    assert!(steps >= 4, "read in slices");
    let r = imp.finish().unwrap();
    let ex = import(FEATURES.as_bytes().to_vec(), |_| None).unwrap();
    let mut raws = r.new.clone();
    raws.extend(ex.new.clone());
    let rec = Recommender::from_own_tracks(raws.clone(), weights()).unwrap();
    assert_eq!(rec.len(), raws.len());
    assert_eq!(rec.yours(), 0..rec.len());
    // the same scaler `catalog build` fits on the same rows
    assert_eq!(rec.catalog(), &Catalog::from_raw(raws));
    let i = rec.catalog().index_of("5zr3QA7YeEEBY3ABp3e2zS").unwrap();
    let out = rec.recommend(&Query::likes(&[i], 10));
    assert_eq!(out.len(), 10);
}
