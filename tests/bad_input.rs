//! Bad CSVs give `catalog build` a clear error naming the file and the problem, never a panic
//! (run through the real binary, as a user would).

use std::path::{Path, PathBuf};
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "soundalike-bad-input-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `catalog build --input csv`; returns (success, stderr).
fn build(csv: &Path, dir: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_soundalike"))
        .args(["catalog", "build", "--input"])
        .arg(csv)
        .arg("--out")
        .arg(dir.join("catalog.bin"))
        .arg("--interactions")
        .arg(dir.join("interactions.json"))
        .output()
        .expect("run soundalike");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_header_without_a_title_column_is_an_error_not_a_panic() {
    let dir = temp_dir("no-name");
    let csv = dir.join("x.csv");
    std::fs::write(
        &csv,
        "id,artists,year,danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo\n\
         0123456789abcdefABCDEF,Someone,1999,0.5,0.5,1,-6.0,1,0.05,0.2,0.0,0.1,0.5,120.0\n",
    )
    .unwrap();
    let (ok, err) = build(&csv, &dir);
    assert!(!ok, "must fail: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("x.csv") && err.contains("name"),
        "names the file and the missing column: {err}"
    );
}

#[test]
fn more_than_255_genres_is_an_error_not_a_panic() {
    let dir = temp_dir("genres");
    let csv = dir.join("many-genres.csv");
    let mut s = String::from(
        "track_id,track_name,track_artist,track_popularity,track_album_id,track_album_name,track_album_release_date,\
         playlist_name,playlist_id,playlist_genre,playlist_subgenre,danceability,energy,key,loudness,mode,speechiness,\
         acousticness,instrumentalness,liveness,valence,tempo,duration_ms\n",
    );
    for i in 0..300 {
        s += &format!(
            "{:0>22},Song {i},Artist {i},50,{:0>22},Album,2001-01-01,P{i},{:0>22},genre{i},sub,0.5,0.5,1,-6.0,1,0.05,0.2,0.0,0.1,0.5,120.0,200000\n",
            i, i, i
        );
    }
    std::fs::write(&csv, s).unwrap();
    let (ok, err) = build(&csv, &dir);
    assert!(!ok, "must fail: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("many-genres.csv") && err.contains("300 distinct genres"),
        "{err}"
    );
}
